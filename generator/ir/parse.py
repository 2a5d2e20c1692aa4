"""Parse a validated OpenAPI document into the intermediate model (`generator.ir.model`).

All naming and typing decisions live here and in `generator.ir.schemas`, so templates only lay
out what the model says. What cannot be represented precisely becomes a wider type plus a
warning naming the JSON pointer; no operation, parameter or response is dropped silently.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from generator.config import GeneratorConfig
from generator.ir import naming
from generator.ir.argument_types import INT_OR_STR, accepting_enum_values, takes_int_id
from generator.ir.compose import SCHEMA_PREFIX
from generator.ir.model import (
    Api,
    Argument,
    ArgumentSource,
    ClientDefault,
    Enum,
    Field,
    Model,
    Operation,
    Parameter,
    RequestBody,
    Resource,
    Response,
    Serialization,
    TypeRef,
    Warning,
)
from generator.ir.responses import (
    FORM,
    MULTIPART,
    ResponseParser,
    body_kind,
    example_of,
    is_json,
    pick_success,
    response_format_of,
)
from generator.ir.schemas import Registry, SchemaTyper, describe
from generator.ir.security import default_security, operation_security, security_schemes
from generator.spec.load import HTTP_METHODS, LoadedSpec, escape_pointer_token

# Body media types whose object properties become keyword arguments, most preferred first.
_FIELD_BODIES = ("json", FORM, MULTIPART)
# OpenAPI: header parameters with these names "SHALL be ignored" (the client sets them).
_IGNORED_HEADERS = frozenset({"accept", "content-type", "authorization"})
_PATH_ITEM_KEYS = frozenset({"$ref", "summary", "description", "servers", "parameters"})


class _Parser(ResponseParser):
    def __init__(self, spec: LoadedSpec, config: GeneratorConfig) -> None:
        self.spec = spec
        self.doc = spec.data
        self.config = config
        self.registry = Registry()
        self.warnings: list[Warning] = []
        self._warned: set[Warning] = set()
        self.schemas = SchemaTyper(self.doc, self.registry, self.warn)
        # Reserve the runtime's own public names so no schema class can shadow them.
        self.registry.taken |= {config.client_class, config.async_client_class}
        self.registry.taken |= naming.CLASS_RESERVED
        self.security_schemes = security_schemes(
            self.doc, config, self.warn, frozenset(config.client_default_path_params)
        )

    def warn(self, pointer: str, message: str) -> None:
        warning = Warning(pointer=pointer, message=message)
        if warning not in self._warned:  # a shared schema is typed once per use
            self._warned.add(warning)
            self.warnings.append(warning)

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
        for name, pointer, _schema in self.component_schemas():
            self.registry.claim(pointer, naming.pascal_case(name))
        for _name, pointer, schema in self.component_schemas():
            self.type_of(schema, pointer, self.registry.names_by_pointer[pointer])

    # -- operations ---------------------------------------------------------------------------

    def operations(self) -> list[Operation]:
        operations = []
        for path, raw_item in (self.doc.get("paths") or {}).items():
            item_pointer = f"/paths/{escape_pointer_token(str(path))}"
            item = self.resolve(raw_item)
            if not isinstance(item, dict):
                self.warn(item_pointer, "a path item that is not an object is skipped")
                continue
            for key in item:
                if (
                    key not in HTTP_METHODS
                    and key not in _PATH_ITEM_KEYS
                    and not key.startswith("x-")
                ):
                    self.warn(
                        f"{item_pointer}/{escape_pointer_token(str(key))}",
                        f"{key!r} is not an HTTP method: skipped",
                    )
            for method in HTTP_METHODS:
                if isinstance(item.get(method), dict):
                    operations.append(
                        self.operation(str(path), method, item, f"{item_pointer}/{method}")
                    )
        return _with_unique_ids(operations)

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

    # -- parameters ---------------------------------------------------------------------------

    def parameters(
        self, item: dict[str, Any], raw: dict[str, Any], pointer: str, name_hint: str
    ) -> tuple[Parameter, ...]:
        """Path-item and operation parameters (the operation's win), in spec order."""
        by_key: dict[tuple[str, str], tuple[dict[str, Any], str]] = {}
        item_pointer = pointer.rsplit("/", 1)[0]
        for source, source_pointer in ((item, item_pointer), (raw, pointer)):
            for index, raw_param in enumerate(source.get("parameters") or []):
                param = self.resolve(raw_param)
                param_pointer = f"{source_pointer}/parameters/{index}"
                if not (isinstance(param, dict) and "name" in param and "in" in param):
                    self.warn(param_pointer, "a parameter without name or location is skipped")
                    continue
                if param["in"] == "header" and str(param["name"]).lower() in _IGNORED_HEADERS:
                    self.warn(
                        param_pointer,
                        f"header parameter {param['name']!r} is ignored, as OpenAPI requires"
                        " (the client sets it)",
                    )
                    continue
                by_key[(str(param["in"]), str(param["name"]))] = (param, param_pointer)
        wire = list(by_key.values())
        py_names = naming.unique(naming.argument_name(str(p["name"])) for p, _ in wire)
        return tuple(
            self.parameter(param, param_pointer, py_name, name_hint)
            for (param, param_pointer), py_name in zip(wire, py_names, strict=True)
        )

    def parameter(
        self, param: dict[str, Any], pointer: str, py_name: str, name_hint: str
    ) -> Parameter:
        location = param["in"]
        default_name = (
            param["name"]
            if location == "path" and param["name"] in self.config.client_default_path_params
            else None
        )
        schema, serialization = self.parameter_schema(param, pointer)
        example, has_example = example_of(param, schema, self.resolve_schema)
        type_ref = self.type_of(
            schema, f"{pointer}/schema", f"{name_hint}{naming.pascal_case(str(param['name']))}"
        )
        resolved = self.resolve_schema(schema)
        if (location, serialization) == ("path", "plain") and takes_int_id(
            param, resolved, type_ref, self.resolve
        ):
            type_ref = INT_OR_STR  # an id the runtime writes as text
        return Parameter(
            wire_name=str(param["name"]),
            py_name=py_name,
            location=location,
            type=type_ref,
            required=bool(param.get("required")) or location == "path",
            description=describe(param) or describe(resolved),
            client_default=default_name,
            env_var=f"{self.config.env_prefix}{default_name.upper()}" if default_name else None,
            example=example,
            has_example=has_example,
            serialization=serialization,
        )

    def parameter_schema(self, param: dict[str, Any], pointer: str) -> tuple[Any, Serialization]:
        """The parameter's schema and how its value is spelled on the wire."""
        content = param.get("content")
        if isinstance(content, dict) and content:
            media_type, media = next(iter(content.items()))
            if not is_json(str(media_type)):
                self.warn(f"{pointer}/content", f"parameter content {media_type!r} is sent as JSON")
            return (media or {}).get("schema") or {}, "json"
        schema = param.get("schema") or {}
        return schema, self.serialization(param, self.resolve_schema(schema), pointer)

    def serialization(
        self, param: dict[str, Any], schema: dict[str, Any], pointer: str
    ) -> Serialization:
        """OpenAPI `style`/`explode` for a query, header, path or cookie parameter."""
        location = param["in"]
        style = param.get("style") or ("form" if location in ("query", "cookie") else "simple")
        explode = bool(param.get("explode", style == "form"))
        kind = schema.get("type")
        shape = (
            "object"
            if kind == "object" or (kind is None and "properties" in schema)
            else "array"
            if kind == "array"
            else "scalar"
        )
        if param.get("allowReserved"):
            self.warn(pointer, "allowReserved is not honoured: reserved characters are escaped")
        if shape == "scalar" and style in ("form", "simple", "deepObject"):
            return "plain"
        if location == "query":
            if style == "form" and explode:
                return "exploded_object" if shape == "object" else "plain"
            if style == "form":
                return "comma"
            if style == "deepObject" and shape == "object":
                return "deep_object"
            if style in ("spaceDelimited", "pipeDelimited") and shape == "array":
                return "space" if style == "spaceDelimited" else "pipe"
        elif (location, style) in (("path", "simple"), ("header", "simple"), ("cookie", "form")):
            if shape == "object" and explode:
                self.warn(pointer, "an exploded object parameter is sent as key,value pairs")
            return "comma"
        fallback: Serialization = "plain" if shape == "scalar" else "comma"
        self.warn(
            f"{pointer}/style",
            f"style {style!r} is not supported for {'a' if shape == 'scalar' else 'an'} {shape}"
            f" {location} parameter:"
            f" sent as {'is' if fallback == 'plain' else 'comma-separated values'}",
        )
        return fallback

    # -- request bodies -----------------------------------------------------------------------

    def request_body(self, raw: dict[str, Any], pointer: str, name_hint: str) -> RequestBody | None:
        if "requestBody" not in raw:
            return None
        body = self.resolve(raw["requestBody"])
        body_pointer = f"{pointer}/requestBody"
        content = (body.get("content") if isinstance(body, dict) else None) or {}
        content_type = _pick_request_media(content)
        if content_type is None:
            self.warn(body_pointer, "a request body without content is not sent")
            return None
        media = content[content_type] or {}
        media_pointer = f"{body_pointer}/content/{escape_pointer_token(content_type)}/schema"
        schema = media.get("schema") or {}
        resolved = self.resolve_schema(schema)
        if "allOf" in resolved:  # fields when it merges into one object, else a whole body
            resolved = (
                self.schemas.merged_object(resolved)
                if self.schemas.all_of_is_object(resolved)
                else {}
            )
        example, has_example = example_of(media, schema, self.resolve_schema)
        ref = schema.get("$ref") if isinstance(schema, dict) else None
        schema_name = None
        if isinstance(ref, str) and ref.startswith(SCHEMA_PREFIX):
            schema_name = self.registry.names_by_pointer.get(ref[1:])
        common = {
            "content_type": content_type,
            "required": bool(body.get("required")),
            "schema_name": schema_name,
            "example": example,
            "has_example": has_example,
        }
        if resolved.get("properties") and body_kind(content_type) in _FIELD_BODIES:
            fields = self.schemas.fields_of(resolved, media_pointer, f"{name_hint}Body")
            if content_type == MULTIPART:
                fields = self.multipart_fields(resolved, fields)
            elif content_type == FORM:
                self.warn_nested_form_fields(fields)
            return RequestBody(fields=fields, **common)
        whole = self.whole_body_type(schema, content_type, media_pointer, f"{name_hint}Body")
        return RequestBody(fields=(), whole_type=whole, **common)

    def whole_body_type(
        self, schema: Any, content_type: str, pointer: str, name_hint: str
    ) -> TypeRef:
        """A body passed as one argument: JSON data, text, or bytes/a file for anything else."""
        kind = body_kind(content_type)
        if kind == "json":
            return self.type_of(schema, pointer, name_hint)
        if kind in (FORM, MULTIPART):
            return TypeRef("dict", item=TypeRef("any"))
        if kind == "text" and self.resolve_schema(schema).get("format") != "binary":
            return TypeRef("str")
        return TypeRef("file")

    def multipart_fields(
        self, schema: dict[str, Any], fields: tuple[Field, ...]
    ) -> tuple[Field, ...]:
        """Binary properties of a multipart body are uploads: bytes or a file, not strings."""
        properties = schema.get("properties") or {}
        result = []
        for body_field in fields:
            prop = self.resolve_schema(properties.get(body_field.wire_name))
            if _is_binary(prop):
                body_field = _replace_type(body_field, TypeRef("file"))
            elif prop.get("type") == "array" and _is_binary(self.resolve_schema(prop.get("items"))):
                body_field = _replace_type(body_field, TypeRef("list", item=TypeRef("file")))
            result.append(body_field)
        return tuple(result)

    def warn_nested_form_fields(self, fields: tuple[Field, ...]) -> None:
        for body_field in fields:
            if body_field.type.kind in ("model", "dict", "union") or (
                body_field.type.item is not None and not body_field.type.item.is_plain
            ):
                self.warn(body_field.pointer, "a nested value in a form body is sent as JSON text")

    def scopes(self, raw: dict[str, Any]) -> tuple[str, ...]:
        requirements = raw.get("security", self.doc.get("security")) or []
        scopes: list[str] = []
        for requirement in requirements:
            for values in (requirement or {}).values():
                scopes.extend(str(v) for v in values or [] if str(v) not in scopes)
        return tuple(scopes)

    # -- assembly -------------------------------------------------------------------------

    def api(self) -> Api:
        self.register_components()
        operations = self.operations()
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
            warnings=tuple(self.warnings),
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


def _pick_request_media(content: dict[str, Any]) -> str | None:
    """JSON if offered, then form, multipart, then whatever comes first."""
    media_types = [str(m) for m in content]
    for wanted in _FIELD_BODIES:
        for media_type in media_types:
            if body_kind(media_type) == wanted:
                return media_type
    return media_types[0] if media_types else None


def _is_binary(schema: dict[str, Any]) -> bool:
    return schema.get("type") == "string" and (
        schema.get("format") == "binary" or "contentMediaType" in schema
    )


def _replace_type(body_field: Field, type_ref: TypeRef) -> Field:
    return Field(**{**body_field.__dict__, "type": type_ref})


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
    return _Parser(spec, (config or GeneratorConfig()).for_spec(spec.data)).api()
