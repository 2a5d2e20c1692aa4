"""Parse a validated OpenAPI document into the intermediate model (`generator.ir.model`).

All naming and typing decisions live here and in `generator.ir.schemas`, so templates only lay
out what the model says. What cannot be represented precisely becomes a wider type plus a
warning naming the JSON pointer; no operation, parameter or response is dropped silently.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from generator.config import GeneratorConfig
from generator.ir import naming
from generator.ir.argument_types import accepting_enum_values
from generator.ir.bodies import RequestBodyParser
from generator.ir.model import (
    Api,
    Argument,
    ArgumentSource,
    ClientDefault,
    Enum,
    Model,
    Operation,
    Parameter,
    RequestBody,
    Resource,
    Response,
    TypeRef,
    Warning,
)
from generator.ir.parameters import ParameterParser
from generator.ir.responses import ResponseParser, pick_success, response_format_of
from generator.ir.schemas import JournalEntry, Registry, SchemaTyper
from generator.ir.security import default_security, operation_security, security_schemes
from generator.spec.load import HTTP_METHODS, LoadedSpec, escape_pointer_token

_PATH_ITEM_KEYS = frozenset({"$ref", "summary", "description", "servers", "parameters"})


@dataclass(frozen=True)
class ParseRecord:
    """What one parse did, so that a parse after an edit can reuse it: the registry's journal,
    how far the components took it, and per path item its stretch of the journal and its
    operations."""

    journal: tuple[JournalEntry, ...]
    components_end: int
    path_items: dict[str, tuple[int, int, tuple[Operation, ...]]]
    # The unchanged path items were replayed from a previous record (Reuse), not parsed
    replayed: bool = False


@dataclass(frozen=True)
class Reuse:
    """A previous parse of the same document with only the path items outside `unchanged`
    edited (the caller checked that nothing else differs, and that no `$ref` points into
    `paths`)."""

    record: ParseRecord
    unchanged: frozenset[str]


class _Diverged(Exception):
    """An edited path item changed the registry differently: the rest cannot be replayed."""


class _Parser(ParameterParser, RequestBodyParser, ResponseParser):
    def __init__(self, spec: LoadedSpec, config: GeneratorConfig, reuse: Reuse | None) -> None:
        self.spec = spec
        self.doc = spec.data
        self.config = config
        self.reuse = reuse
        self.registry = Registry()
        self.path_items: dict[str, tuple[int, int, tuple[Operation, ...]]] = {}
        self.schemas = SchemaTyper(self.doc, self.registry, self.warn)
        # Reserve the runtime's own public names so no schema class can shadow them.
        self.registry.taken |= {config.client_class, config.async_client_class}
        self.registry.taken |= naming.CLASS_RESERVED
        self.security_schemes = security_schemes(
            self.doc, config, self.warn, frozenset(config.client_default_path_params)
        )

    def warn(self, pointer: str, message: str) -> None:
        self.registry.warn(Warning(pointer=pointer, message=message))

    def resolve(self, node: Any) -> Any:
        return self.schemas.resolve(node)

    def resolve_schema(self, schema: Any) -> dict[str, Any]:
        return self.schemas.resolve_schema(schema)

    def type_of(self, schema: Any, pointer: str, name_hint: str) -> TypeRef:
        return self.schemas.type_of(schema, pointer, name_hint)

    # -- components -------------------------------------------------------------------------

    def component_schemas(self) -> Iterator[tuple[str, str, Any]]:
        schemas = (self.doc.get("components") or {}).get("schemas") or {}
        for name, schema in schemas.items():
            yield str(name), f"/components/schemas/{escape_pointer_token(str(name))}", schema

    def register_components(self) -> None:
        """Claim class names for every component first, so refs resolve to stable names."""
        if self.reuse is not None:
            record = self.reuse.record
            self.registry.replay(list(record.journal[: record.components_end]))
            return
        for name, pointer, _schema in self.component_schemas():
            self.registry.claim(pointer, naming.pascal_case(name))
        for _name, pointer, schema in self.component_schemas():
            self.type_of(schema, pointer, self.registry.names_by_pointer[pointer])

    # -- operations ---------------------------------------------------------------------------

    def operations(self) -> list[Operation]:
        operations: list[Operation] = []
        journal = self.registry.journal
        for path, raw_item in (self.doc.get("paths") or {}).items():
            start = len(journal)
            item_operations = self.reused_operations(str(path))
            if item_operations is None:
                item_operations = tuple(self.path_item_operations(str(path), raw_item))
                self.check_same_as_before(str(path), start)
            self.path_items[str(path)] = (start, len(journal), item_operations)
            operations += item_operations
        return _with_unique_ids(operations)

    def reused_operations(self, path: str) -> tuple[Operation, ...] | None:
        """An unchanged path item's operations from the previous parse, its journal stretch
        replayed; None when it must be parsed."""
        if self.reuse is None or path not in self.reuse.unchanged:
            return None
        start, end, operations = self.reuse.record.path_items[path]
        self.registry.replay(list(self.reuse.record.journal[start:end]))
        return operations

    def check_same_as_before(self, path: str, start: int) -> None:
        """An edited path item must change the registry as before (the same classes, names
        and warnings), or the path items after it cannot be replayed."""
        if self.reuse is None:
            return
        old_start, old_end, _ = self.reuse.record.path_items[path]
        if tuple(self.registry.journal[start:]) != self.reuse.record.journal[old_start:old_end]:
            raise _Diverged(path)

    def path_item_operations(self, path: str, raw_item: Any) -> Iterator[Operation]:
        item_pointer = f"/paths/{escape_pointer_token(path)}"
        item = self.resolve(raw_item)
        if not isinstance(item, dict):
            self.warn(item_pointer, "a path item that is not an object is skipped")
            return
        for key in item:
            if key not in HTTP_METHODS and key not in _PATH_ITEM_KEYS and not key.startswith("x-"):
                self.warn(
                    f"{item_pointer}/{escape_pointer_token(str(key))}",
                    f"{key!r} is not an HTTP method: skipped",
                )
        for method in HTTP_METHODS:
            if isinstance(item.get(method), dict):
                yield self.operation(path, method, item, f"{item_pointer}/{method}")

    def operation(self, path: str, method: str, item: dict[str, Any], pointer: str) -> Operation:
        raw = item[method]
        raw_id = raw.get("operationId")
        if raw_id:
            operation_id = naming.snake_case(str(raw_id), fallback=method)
        else:
            operation_id = naming.operation_name(method, path)
        tags = raw.get("tags") or ["default"]
        tag = naming.resource_attribute(str(tags[0]))
        name_hint = naming.pascal_case(operation_id)
        parameters = self.parameters(item, raw, pointer, name_hint)
        body = self.request_body(raw, pointer, name_hint)
        responses = self.responses(raw, pointer, name_hint)
        success = pick_success(responses)
        if success is None:  # e.g. a DELETE documented only as 405: the call raises
            success = Response(status="200", description="", type=None, content_type=None)
        return_kind, return_type = self.return_of(raw, success, pointer)
        response_format = response_format_of(success)
        return_type = self.other_successes(
            responses, success, return_kind, return_type, response_format, pointer
        )
        return Operation(
            operation_id=operation_id,
            method_name=_method_name(operation_id, tag),
            http_method=method.upper(),
            path=path,
            tag=tag,
            summary=str(raw.get("summary") or ""),
            description=str(raw.get("description") or ""),
            pointer=pointer,
            parameters=parameters,
            body=body,
            success=success,
            responses=responses,
            scopes=self.scopes(raw),
            security=operation_security(raw, self.doc, self.security_schemes, pointer, self.warn),
            return_kind=return_kind,
            return_type=return_type,
            arguments=accepting_enum_values(_arguments(parameters, body), self.registry.enums),
            deprecated=bool(raw.get("deprecated")),
            response_format=response_format,
            accept=success.content_type if response_format != "json" else None,
        )

    def scopes(self, raw: dict[str, Any]) -> tuple[str, ...]:
        requirements = raw.get("security", self.doc.get("security")) or []
        scopes: list[str] = []
        for requirement in requirements:
            for values in (requirement or {}).values():
                scopes.extend(str(v) for v in values or [] if str(v) not in scopes)
        return tuple(scopes)

    # -- assembly -------------------------------------------------------------------------

    def parse(self) -> tuple[Api, ParseRecord]:
        self.register_components()
        components_end = len(self.registry.journal)
        operations = self.operations()
        api = self.api(operations)
        record = ParseRecord(
            tuple(self.registry.journal),
            components_end,
            self.path_items,
            replayed=self.reuse is not None,
        )
        return api, record

    def api(self, operations: list[Operation]) -> Api:
        resources = self.resources(operations)
        info = self.doc.get("info") or {}
        servers = tuple(
            str(s.get("url")) for s in self.doc.get("servers") or [] if isinstance(s, dict)
        )
        models, enums = _assign_modules(
            list(self.registry.models.values()), list(self.registry.enums.values())
        )
        default_host = self.default_host()  # before the warnings are collected
        return Api(
            title=str(info.get("title") or "API"),
            version=str(info.get("version") or ""),
            description=str(info.get("description") or ""),
            spec_name=self.spec.display_name,
            spec_sha256=self.spec.sha256,
            servers=servers,
            resources=resources,
            models=models,
            enums=enums,
            client_defaults=tuple(
                ClientDefault(name=name, env_var=f"{self.config.env_prefix}{name.upper()}")
                for name in self.config.client_default_path_params
                if any(p.client_default == name for op in operations for p in op.parameters)
            ),
            warnings=tuple(self.registry.warnings),
            security_schemes=self.security_schemes,
            default_security=default_security([op.security for op in operations]),
            default_host=default_host,
        )

    def default_host(self) -> str | None:
        """The config's host, else the first server's URL; a server the client cannot use
        as its default is a warning (the user must pass host=...)."""
        if self.config.default_host is None and self.doc.get("servers"):
            self.warn(
                "/servers/0/url",
                "the first server URL is relative, not http(s), or has a variable without a"
                " default: the client has no default host",
            )
        return self.config.default_host

    def resources(self, operations: list[Operation]) -> tuple[Resource, ...]:
        by_tag: dict[str, list[Operation]] = {}
        for operation in operations:
            by_tag.setdefault(operation.tag, []).append(operation)
        tag_docs = {
            naming.resource_attribute(str(t.get("name"))): str(t.get("description") or "")
            for t in self.doc.get("tags") or []
            if isinstance(t, dict)
        }
        resources = []
        for tag, tag_operations in by_tag.items():
            method_names = naming.unique(op.method_name for op in tag_operations)
            unique_ops = tuple(
                _with_method_name(op, name)
                for op, name in zip(tag_operations, method_names, strict=True)
            )
            resources.append(
                Resource(
                    tag=tag,
                    attribute=tag,
                    class_name=self.resource_class_name(tag),
                    module=tag,
                    description=tag_docs.get(tag, ""),
                    operations=unique_ops,
                )
            )
        return tuple(resources)

    def resource_class_name(self, tag: str) -> str:
        """`FlagsResource`, unless a model class (which its module imports) has that name, or
        the async or raw-response twin would collide."""
        base = f"{naming.pascal_case(tag, fallback='Default')}Resource"
        taken = self.registry.taken
        name, counter = base, 2
        while {
            name,
            f"Async{name}",
            f"{name}WithRawResponse",
            f"Async{name}WithRawResponse",
        } & taken:
            name, counter = f"{base}{counter}", counter + 1
        taken |= {name, f"Async{name}", f"{name}WithRawResponse", f"Async{name}WithRawResponse"}
        return name


# -- helpers ----------------------------------------------------------------------------------


def _method_name(operation_id: str, tag: str) -> str:
    """The operation id without its tag prefix (`flags_list` in `flags` -> `list`), unless
    what is left would start with a digit (`things_0001_list` stays whole)."""
    prefix = f"{tag.rstrip('_')}_"
    rest = operation_id[len(prefix) :] if operation_id.startswith(prefix) else ""
    if not rest or rest[0].isdigit():
        rest = operation_id
    return naming.method_name(rest)


def _with_method_name(operation: Operation, name: str) -> Operation:
    if operation.method_name == name:
        return operation
    return Operation(**{**operation.__dict__, "method_name": name})


def _with_unique_ids(operations: list[Operation]) -> list[Operation]:
    """Operation ids name fixture files and client methods: two that snake-case alike
    (`getThing`, `get_thing`) get a suffix rather than overwrite each other."""
    ids = naming.unique(op.operation_id for op in operations)
    return [
        op
        if op.operation_id == new_id
        else Operation(
            **{**op.__dict__, "operation_id": new_id, "method_name": _method_name(new_id, op.tag)}
        )
        for op, new_id in zip(operations, ids, strict=True)
    ]


_ARGUMENT_SOURCES: dict[str, ArgumentSource] = {
    "path": "path",
    "query": "query",
    "header": "header",
    "cookie": "cookie",
}


def _arguments(parameters: tuple[Parameter, ...], body: RequestBody | None) -> tuple[Argument, ...]:
    """Parameters and writable body fields as keyword arguments, required ones first.

    Names are made unique across both (a body field `id` beside a path `id` becomes `id_2`).
    """
    arguments = [
        Argument(
            py_name=p.py_name,
            wire_name=p.wire_name,
            source=_ARGUMENT_SOURCES[p.location],
            type=p.type,
            required=p.required and not p.client_default,
            description=p.description,
            client_default=p.client_default,
            serialization=p.serialization,
        )
        for p in parameters
        if p.location in _ARGUMENT_SOURCES
    ]
    if body is not None and body.whole_type is not None:
        arguments.append(Argument("body", "body", "body", body.whole_type, body.required))
    elif body is not None:
        arguments += [
            Argument(f.py_name, f.wire_name, "body_field", f.type, f.required, f.description)
            for f in body.fields
            if not f.read_only
        ]
    names = naming.unique(naming.argument_name(a.py_name) for a in arguments)
    renamed = [
        a if a.py_name == name else Argument(**{**a.__dict__, "py_name": name})
        for a, name in zip(arguments, names, strict=True)
    ]
    return tuple(sorted(renamed, key=lambda a: not a.required))  # stable: spec order in groups


def _assign_modules(
    models: list[Model], enums: list[Enum]
) -> tuple[tuple[Model, ...], tuple[Enum, ...]]:
    """One module per class; names that snake-case alike (ABTest, AbTest) get a suffix."""
    ordered: list[Model | Enum] = sorted([*models, *enums], key=lambda item: item.name)
    modules = naming.unique(naming.snake_case(item.name) for item in ordered)
    renamed = [
        item if item.module == module else type(item)(**{**item.__dict__, "module": module})
        for item, module in zip(ordered, modules, strict=True)
    ]
    return (
        tuple(item for item in renamed if isinstance(item, Model)),
        tuple(item for item in renamed if isinstance(item, Enum)),
    )


def parse_api(spec: LoadedSpec, config: GeneratorConfig | None = None) -> Api:
    """Build the intermediate model for a loaded, validated spec."""
    return parse_recorded(spec, config)[0]


def parse_recorded(
    spec: LoadedSpec, config: GeneratorConfig | None = None, reuse: Reuse | None = None
) -> tuple[Api, ParseRecord]:
    """parse_api, plus the record a later parse can reuse; with `reuse`, the unchanged path
    items are replayed from the previous parse instead of parsed (the same result, or a
    whole parse when an edit changed the registry)."""
    resolved = (config or GeneratorConfig()).for_spec(spec.data)
    if reuse is not None and list(reuse.record.path_items) != [
        str(path) for path in spec.data.get("paths") or {}
    ]:
        reuse = None
    try:
        return _Parser(spec, resolved, reuse).parse()
    except _Diverged:
        return _Parser(spec, resolved, None).parse()
