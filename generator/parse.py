"""Parse a validated OpenAPI document into the intermediate model (`generator.model`).

All naming and typing decisions live here, so templates only lay out what the model says.
What cannot be represented precisely becomes a wider type plus a warning naming the JSON
pointer; nothing is dropped silently.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

from generator import naming
from generator.config import GeneratorConfig
from generator.examples import example_for
from generator.load import LoadedSpec, escape_pointer_token, resolve_pointer
from generator.model import (
    Api,
    Argument,
    ArgumentSource,
    ClientDefault,
    Enum,
    EnumMember,
    Field,
    Model,
    Operation,
    Parameter,
    RequestBody,
    Resource,
    Response,
    ReturnKind,
    TypeRef,
    Warning,
)

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
JSON_CONTENT_TYPES = ("application/json",)
_SCHEMA_PREFIX = "#/components/schemas/"
_MAX_REF_HOPS = 50


@dataclass
class _Registry:
    """Models and enums found so far, by class name, plus the names already claimed."""

    models: dict[str, Model] = field(default_factory=dict)
    enums: dict[str, Enum] = field(default_factory=dict)
    names_by_pointer: dict[str, str] = field(default_factory=dict)
    taken: set[str] = field(default_factory=set)
    in_progress: set[str] = field(default_factory=set)

    def claim(self, pointer: str, wanted: str) -> str:
        if pointer in self.names_by_pointer:
            return self.names_by_pointer[pointer]
        name, counter = wanted, 2
        while name in self.taken:
            name = f"{wanted}{counter}"
            counter += 1
        self.taken.add(name)
        self.names_by_pointer[pointer] = name
        return name


class _Parser:
    def __init__(self, spec: LoadedSpec, config: GeneratorConfig) -> None:
        self.spec = spec
        self.doc = spec.data
        self.config = config
        self.registry = _Registry()
        self.warnings: list[Warning] = []
        self.is_30 = str(self.doc.get("openapi", "")).startswith("3.0")
        # Reserve the runtime's own public names so no schema class can shadow them.
        self.registry.taken |= {
            config.client_class,
            config.async_client_class,
            "Unset",
            "APIResponse",
            "SyncPage",
            "AsyncPage",
            "RequestOptions",
        }

    # -- references -------------------------------------------------------------------------

    def resolve(self, node: Any) -> Any:
        """Follow `$ref` chains to the node they name (refs were checked at load time)."""
        hops = 0
        while isinstance(node, dict) and isinstance(node.get("$ref"), str):
            node = resolve_pointer(self.doc, node["$ref"][1:])
            hops += 1
            if hops > _MAX_REF_HOPS:
                break
        return node

    def resolve_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        resolved = self.resolve(schema)
        return resolved if isinstance(resolved, dict) else {}

    def warn(self, pointer: str, message: str) -> None:
        self.warnings.append(Warning(pointer=pointer, message=message))

    # -- schemas -> types ---------------------------------------------------------------------

    def component_schemas(self) -> Iterator[tuple[str, str, Any]]:
        schemas = (self.doc.get("components") or {}).get("schemas") or {}
        for name, schema in schemas.items():
            yield name, f"/components/schemas/{escape_pointer_token(name)}", schema

    def register_components(self) -> None:
        """Claim class names for every component first, so refs resolve to stable names."""
        for name, pointer, _schema in self.component_schemas():
            self.registry.claim(pointer, naming.pascal_case(name))
        for _name, pointer, schema in self.component_schemas():
            self.type_of(schema, pointer, self.registry.names_by_pointer[pointer], top=True)

    def type_of(self, schema: Any, pointer: str, name_hint: str, *, top: bool = False) -> TypeRef:
        """The Python type for a schema; registers models and enums it defines on the way."""
        if not isinstance(schema, dict):
            return TypeRef("any")
        ref = schema.get("$ref")
        if isinstance(ref, str):
            target_pointer = ref[1:]
            target = self.resolve(schema)
            if ref.startswith(_SCHEMA_PREFIX) and _defines_class(target):
                name = self.registry.names_by_pointer.get(target_pointer) or self.registry.claim(
                    target_pointer, naming.pascal_case(ref.rsplit("/", 1)[-1])
                )
                return self.type_of(target, target_pointer, name, top=True)
            return self.type_of(target, target_pointer, name_hint)

        nullable, schema = self._split_nullable(schema, pointer)
        if schema is None:
            return TypeRef("any", nullable=True)
        if nullable:
            inner = self.type_of(schema, pointer, name_hint, top=top)
            return TypeRef(inner.kind, inner.name, inner.item, nullable=True)

        if "enum" in schema:
            return self._enum_type(schema, pointer, name_hint)
        if "const" in schema:
            return _literal_type(schema["const"])
        if "allOf" in schema:
            return self._all_of_type(schema, pointer, name_hint)
        for key in ("oneOf", "anyOf"):
            if key in schema:
                self.warn(f"{pointer}/{key}", f"{key} is typed as Any (unions are not modelled)")
                return TypeRef("any")

        kind = schema.get("type")
        if kind == "object" or (kind is None and "properties" in schema):
            return self._object_type(schema, pointer, name_hint)
        if kind == "array":
            items = schema.get("items")
            return TypeRef("list", item=self.type_of(items, f"{pointer}/items", f"{name_hint}Item"))
        if kind == "string":
            return TypeRef(_STRING_FORMATS.get(str(schema.get("format")), "str"))
        if kind in ("integer", "number", "boolean"):
            return TypeRef(_SCALAR_KINDS[kind])
        if kind is None:
            return TypeRef("any")
        self.warn(pointer, f"type {kind!r} is typed as Any")
        return TypeRef("any")

    def _split_nullable(self, schema: dict[str, Any], pointer: str) -> tuple[bool, Any]:
        """Separate "or null" (3.1 type list, 3.0 nullable, oneOf/anyOf with null) from the rest."""
        kind = schema.get("type")
        if isinstance(kind, list):
            non_null = [k for k in kind if k != "null"]
            if len(non_null) > 1:
                self.warn(f"{pointer}/type", f"type list {kind} is typed as Any")
                return "null" in kind, {k: v for k, v in schema.items() if k != "type"}
            if "null" in kind:
                if not non_null:
                    return True, None
                rest = {**schema, "type": non_null[0]}
                if isinstance(rest.get("enum"), list):
                    rest["enum"] = [v for v in rest["enum"] if v is not None]
                return True, rest
            return False, {**schema, "type": non_null[0]} if non_null else schema
        if schema.get("nullable") is True:
            return True, {k: v for k, v in schema.items() if k != "nullable"}
        if kind == "null":
            return True, None
        for key in ("oneOf", "anyOf"):
            variants = schema.get(key)
            if isinstance(variants, list):
                non_null = [v for v in variants if not _is_null_schema(self.resolve(v))]
                if len(non_null) < len(variants) and len(non_null) == 1:
                    rest = {k: v for k, v in schema.items() if k != key}
                    return True, {**rest, **non_null[0]} if rest else non_null[0]
        if isinstance(schema.get("enum"), list) and None in schema["enum"]:
            return True, {**schema, "enum": [v for v in schema["enum"] if v is not None]}
        return False, schema

    def _enum_type(self, schema: dict[str, Any], pointer: str, name_hint: str) -> TypeRef:
        values = schema["enum"]
        if not isinstance(values, list) or not values:
            return TypeRef("any")
        value_kind: Literal["str", "int"]
        if all(isinstance(v, str) for v in values):
            value_kind = "str"
        elif all(isinstance(v, int) and not isinstance(v, bool) for v in values):
            value_kind = "int"
        else:
            self.warn(f"{pointer}/enum", "an enum of mixed value types is typed as Any")
            return TypeRef("any")
        name = self.registry.claim(pointer, name_hint)
        if name not in self.registry.enums:
            unique_values = list(dict.fromkeys(values))
            members = naming.unique(naming.enum_member_name(v) for v in unique_values)
            self.registry.enums[name] = Enum(
                name=name,
                module=naming.snake_case(name),
                pointer=pointer,
                description=str(schema.get("description") or ""),
                value_kind=value_kind,
                members=tuple(
                    EnumMember(py_name=member, value=value)
                    for member, value in zip(members, unique_values, strict=True)
                ),
            )
        return TypeRef("enum", name=name)

    def _all_of_type(self, schema: dict[str, Any], pointer: str, name_hint: str) -> TypeRef:
        parts = schema["allOf"]
        siblings = {k: v for k, v in schema.items() if k not in ("allOf", "description")}
        if isinstance(parts, list) and len(parts) == 1 and not siblings:
            return self.type_of(parts[0], f"{pointer}/allOf/0", name_hint)
        merged = self.merged_object(schema)
        return self._object_type(merged, pointer, name_hint)

    def merged_object(self, schema: dict[str, Any]) -> dict[str, Any]:
        """Flatten allOf parts into one object schema (properties and required united)."""
        properties: dict[str, Any] = {}
        required: list[str] = []
        for part in [*schema.get("allOf", []), {k: v for k, v in schema.items() if k != "allOf"}]:
            resolved = self.resolve_schema(part)
            if "allOf" in resolved:
                resolved = self.merged_object(resolved)
            properties.update(resolved.get("properties") or {})
            required.extend(r for r in resolved.get("required") or [] if r not in required)
        return {"type": "object", "properties": properties, "required": required}

    def _object_type(self, schema: dict[str, Any], pointer: str, name_hint: str) -> TypeRef:
        properties = schema.get("properties")
        if not properties:
            extra = schema.get("additionalProperties")
            if isinstance(extra, dict) and extra:
                value = self.type_of(extra, f"{pointer}/additionalProperties", f"{name_hint}Value")
                return TypeRef("dict", item=value)
            return TypeRef("dict", item=TypeRef("any"))
        name = self.registry.claim(pointer, name_hint)
        if name in self.registry.models or name in self.registry.in_progress:
            return TypeRef("model", name=name)
        self.registry.in_progress.add(name)
        fields = self.fields_of(schema, pointer, name)
        self.registry.in_progress.discard(name)
        self.registry.models[name] = Model(
            name=name,
            module=naming.snake_case(name),
            pointer=pointer,
            description=str(schema.get("description") or schema.get("title") or ""),
            fields=fields,
        )
        return TypeRef("model", name=name)

    def fields_of(self, schema: dict[str, Any], pointer: str, owner: str) -> tuple[Field, ...]:
        properties: dict[str, Any] = schema.get("properties") or {}
        required = set(schema.get("required") or [])
        py_names = naming.unique(naming.snake_case(str(name)) for name in properties)
        fields = []
        for (wire_name, prop), py_name in zip(properties.items(), py_names, strict=True):
            prop_pointer = f"{pointer}/properties/{escape_pointer_token(str(wire_name))}"
            resolved = self.resolve_schema(prop) if isinstance(prop, dict) else {}
            fields.append(
                Field(
                    wire_name=str(wire_name),
                    py_name=py_name,
                    type=self.type_of(
                        prop, prop_pointer, f"{owner}{naming.pascal_case(str(wire_name))}"
                    ),
                    required=wire_name in required,
                    read_only=bool(
                        (prop if isinstance(prop, dict) else {}).get("readOnly")
                        or resolved.get("readOnly")
                    ),
                    description=_description(prop) or _description(resolved),
                    pointer=prop_pointer,
                )
            )
        return tuple(fields)

    # -- operations ---------------------------------------------------------------------------

    def operations(self) -> list[Operation]:
        operations = []
        for path, raw_item in (self.doc.get("paths") or {}).items():
            item_pointer = f"/paths/{escape_pointer_token(path)}"
            item = self.resolve(raw_item)
            if not isinstance(item, dict):
                continue
            for method in HTTP_METHODS:
                if isinstance(item.get(method), dict):
                    operations.append(
                        self.operation(path, method, item, f"{item_pointer}/{method}")
                    )
        return operations

    def operation(self, path: str, method: str, item: dict[str, Any], pointer: str) -> Operation:
        raw = item[method]
        operation_id = str(raw.get("operationId") or f"{method}_{path}")
        operation_id = naming.snake_case(operation_id, fallback=method)
        tags = raw.get("tags") or ["default"]
        tag = naming.snake_case(str(tags[0]), fallback="default")
        name_hint = naming.pascal_case(operation_id)
        parameters = self.parameters(item, raw, pointer, name_hint)
        body = self.request_body(raw, pointer, name_hint)
        responses = self.responses(raw, pointer, name_hint)
        success = _pick_success(responses)
        if success is None:  # e.g. a DELETE documented only as 405: the call raises
            success = Response(status="200", description="", type=None, content_type=None)
        return_kind, return_type = self.return_of(raw, success, pointer)
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
            return_kind=return_kind,
            return_type=return_type,
            arguments=_arguments(parameters, body),
            deprecated=bool(raw.get("deprecated")),
        )

    def parameters(
        self, item: dict[str, Any], raw: dict[str, Any], pointer: str, name_hint: str
    ) -> tuple[Parameter, ...]:
        by_key: dict[tuple[str, str], tuple[dict[str, Any], str]] = {}
        item_pointer = pointer.rsplit("/", 1)[0]
        for source, source_pointer in ((item, item_pointer), (raw, pointer)):
            for index, raw_param in enumerate(source.get("parameters") or []):
                param = self.resolve(raw_param)
                if isinstance(param, dict) and "name" in param and "in" in param:
                    by_key[(param["in"], param["name"])] = (
                        param,
                        f"{source_pointer}/parameters/{index}",
                    )
        wire = [(p, ptr) for p, ptr in by_key.values()]
        py_names = naming.unique(naming.argument_name(p["name"]) for p, _ in wire)
        result = []
        for (param, param_pointer), py_name in zip(wire, py_names, strict=True):
            location = param["in"]
            if location == "cookie":
                self.warn(param_pointer, "cookie parameters are not sent by the client")
            default_name = (
                param["name"]
                if location == "path" and param["name"] in self.config.client_default_path_params
                else None
            )
            schema = param.get("schema") or {}
            example, has_example = _parameter_example(param, schema, self.resolve_schema)
            result.append(
                Parameter(
                    wire_name=str(param["name"]),
                    py_name=py_name,
                    location=location,
                    type=self.type_of(
                        schema,
                        f"{param_pointer}/schema",
                        f"{name_hint}{naming.pascal_case(str(param['name']))}",
                    ),
                    required=bool(param.get("required")) or location == "path",
                    description=_description(param),
                    client_default=default_name,
                    env_var=(
                        f"{self.config.env_prefix}{default_name.upper()}" if default_name else None
                    ),
                    example=example,
                    has_example=has_example,
                )
            )
        return tuple(result)

    def request_body(self, raw: dict[str, Any], pointer: str, name_hint: str) -> RequestBody | None:
        if "requestBody" not in raw:
            return None
        body = self.resolve(raw["requestBody"])
        content = body.get("content") or {}
        content_type = next((c for c in JSON_CONTENT_TYPES if c in content), None)
        if content_type is None:
            content_type = next(iter(content), None)
            self.warn(
                f"{pointer}/requestBody",
                f"content type {content_type!r} is sent as JSON (only JSON bodies are modelled)",
            )
        if content_type is None:
            return None
        media = content[content_type] or {}
        media_pointer = f"{pointer}/requestBody/content/{escape_pointer_token(content_type)}/schema"
        schema = media.get("schema") or {}
        resolved = self.resolve_schema(schema)
        if "allOf" in resolved:
            resolved = self.merged_object(resolved)
        example, has_example = _media_example(media, schema, self.resolve_schema)
        ref = schema.get("$ref") if isinstance(schema, dict) else None
        schema_name = None
        if isinstance(ref, str) and ref.startswith(_SCHEMA_PREFIX):
            schema_name = self.registry.names_by_pointer.get(ref[1:])
        if resolved.get("properties"):
            return RequestBody(
                content_type=content_type,
                required=bool(body.get("required")),
                fields=self.fields_of(resolved, media_pointer, f"{name_hint}Body"),
                schema_name=schema_name,
                example=example,
                has_example=has_example,
            )
        return RequestBody(
            content_type=content_type,
            required=bool(body.get("required")),
            fields=(),
            schema_name=schema_name,
            example=example,
            has_example=has_example,
            whole_type=self.type_of(schema, media_pointer, f"{name_hint}Body"),
        )

    def responses(self, raw: dict[str, Any], pointer: str, name_hint: str) -> tuple[Response, ...]:
        result = []
        for status, raw_response in (raw.get("responses") or {}).items():
            response = self.resolve(raw_response) or {}
            content = response.get("content") or {}
            content_type = next((c for c in JSON_CONTENT_TYPES if c in content), None)
            if content_type is None and content:
                content_type = next(iter(content))
            media = (content.get(content_type) if content_type else None) or {}
            schema = media.get("schema")
            response_pointer = f"{pointer}/responses/{escape_pointer_token(str(status))}"
            type_ref = None
            if schema is not None and str(status).startswith("2"):
                type_ref = self.type_of(
                    schema,
                    f"{response_pointer}/content/{escape_pointer_token(str(content_type))}/schema",
                    f"{name_hint}Response",
                )
            example, has_example = _media_example(media, schema, self.resolve_schema)
            result.append(
                Response(
                    status=str(status),
                    description=str(response.get("description") or ""),
                    type=type_ref,
                    content_type=content_type,
                    example=example,
                    has_example=has_example,
                )
            )
        return tuple(result)

    def return_of(
        self, raw: dict[str, Any], success: Response, pointer: str
    ) -> tuple[ReturnKind, TypeRef | None]:
        if success.type is None:
            return "none", None
        media = (
            (self.resolve((raw.get("responses") or {}).get(success.status)) or {}).get("content")
            or {}
        ).get(success.content_type) or {}
        schema = self.resolve_schema(media.get("schema") or {})
        if _is_page(schema, self.resolve_schema):
            items = self.resolve_schema(schema["properties"]["results"]).get("items") or {}
            model = self.registry.models.get(success.type.name or "")
            fields = model.fields if model is not None else ()
            results = next((f for f in fields if f.wire_name == "results"), None)
            if results is not None and results.type.item is not None:
                return "page", results.type.item
            return "page", self.type_of(items, f"{pointer}/results/items", "PageItem")
        return "json", success.type

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
        )

    def resources(self, operations: list[Operation]) -> tuple[Resource, ...]:
        by_tag: dict[str, list[Operation]] = {}
        for operation in operations:
            by_tag.setdefault(operation.tag, []).append(operation)
        tag_docs = {
            naming.snake_case(str(t.get("name")), fallback="default"): str(
                t.get("description") or ""
            )
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
            class_name = naming.pascal_case(tag, fallback="Default")
            resources.append(
                Resource(
                    tag=tag,
                    attribute=tag,
                    class_name=f"{class_name}Resource",
                    module=tag,
                    description=tag_docs.get(tag, ""),
                    operations=unique_ops,
                )
            )
        return tuple(resources)


_STRING_FORMATS: dict[str, Any] = {"date-time": "datetime", "date": "date", "uuid": "uuid"}
_SCALAR_KINDS: dict[str, Any] = {"integer": "int", "number": "float", "boolean": "bool"}


def _defines_class(schema: Any) -> bool:
    """Does a component get its own class (object with properties, enum, allOf merge)?"""
    if not isinstance(schema, dict):
        return False
    return bool(schema.get("properties")) or "enum" in schema or "allOf" in schema


def _is_null_schema(schema: Any) -> bool:
    return isinstance(schema, dict) and (
        schema.get("type") == "null" or schema.get("enum") == [None]
    )


def _literal_type(value: Any) -> TypeRef:
    if isinstance(value, bool):
        return TypeRef("bool")
    if isinstance(value, int):
        return TypeRef("int")
    if isinstance(value, float):
        return TypeRef("float")
    if isinstance(value, str):
        return TypeRef("str")
    return TypeRef("any")


def _description(node: Any) -> str:
    return str(node.get("description") or "") if isinstance(node, dict) else ""


def _is_page(schema: dict[str, Any], resolve: Any) -> bool:
    """DRF limit/offset pagination: an object with `results` (array) and `next`."""
    properties = schema.get("properties") or {}
    if "results" not in properties or "next" not in properties:
        return False
    results = resolve(properties["results"])
    return isinstance(results, dict) and results.get("type") == "array"


def _pick_success(responses: tuple[Response, ...]) -> Response | None:
    success = sorted((r for r in responses if r.status.startswith("2")), key=lambda r: r.status)
    return success[0] if success else None


def _method_name(operation_id: str, tag: str) -> str:
    prefix = f"{tag}_"
    name = operation_id[len(prefix) :] if operation_id.startswith(prefix) else operation_id
    return naming.snake_case(name or operation_id)


def _with_method_name(operation: Operation, name: str) -> Operation:
    if operation.method_name == name:
        return operation
    return Operation(**{**operation.__dict__, "method_name": name})


def _media_example(media: dict[str, Any], schema: Any, resolve: Any) -> tuple[Any, bool]:
    if "example" in media:
        return media["example"], True
    examples = media.get("examples")
    if isinstance(examples, dict) and examples:
        first = resolve(next(iter(examples.values())))
        if isinstance(first, dict) and "value" in first:
            return first["value"], True
    if schema is None:
        return None, False
    return example_for(schema, resolve), False


def _parameter_example(param: dict[str, Any], schema: Any, resolve: Any) -> tuple[Any, bool]:
    if "example" in param:
        return param["example"], True
    examples = param.get("examples")
    if isinstance(examples, dict) and examples:
        first = resolve(next(iter(examples.values())))
        if isinstance(first, dict) and "value" in first:
            return first["value"], True
    return example_for(schema, resolve), False


_ARGUMENT_SOURCES: dict[str, ArgumentSource] = {
    "path": "path",
    "query": "query",
    "header": "header",
}


def _arguments(parameters: tuple[Parameter, ...], body: RequestBody | None) -> tuple[Argument, ...]:
    """Parameters and writable body fields as keyword arguments, required ones first.

    Names are made unique across both (a body field `id` beside a path `id` becomes `id_2`).
    """
    raw: list[tuple[str, str, ArgumentSource, TypeRef, bool, str, str | None]] = [
        (
            p.py_name,
            p.wire_name,
            _ARGUMENT_SOURCES[p.location],
            p.type,
            p.required and not p.client_default,
            p.description,
            p.client_default,
        )
        for p in parameters
        if p.location in _ARGUMENT_SOURCES  # cookies are not sent (warned about above)
    ]
    if body is not None and body.whole_type is not None:
        raw.append(("body", "body", "body", body.whole_type, body.required, "", None))
    elif body is not None:
        raw += [
            (f.py_name, f.wire_name, "body_field", f.type, f.required, f.description, None)
            for f in body.fields
            if not f.read_only
        ]
    names = naming.unique(naming.argument_name(entry[0]) for entry in raw)
    arguments = [
        Argument(
            py_name=name,
            wire_name=wire,
            source=source,
            type=type_ref,
            required=required,
            description=description,
            client_default=default,
        )
        for name, (_, wire, source, type_ref, required, description, default) in zip(
            names, raw, strict=True
        )
    ]
    return tuple(
        sorted(arguments, key=lambda a: not a.required)  # stable: spec order within each group
    )


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
    return _Parser(spec, config or GeneratorConfig()).api()
