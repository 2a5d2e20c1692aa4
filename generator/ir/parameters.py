"""Parameters: which arguments a method takes from path, query, header and cookie parameters,
and how each value is spelled on the wire (OpenAPI `style` and `explode`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from generator.config import GeneratorConfig
from generator.ir import naming
from generator.ir.argument_types import INT_OR_STR, takes_int_id
from generator.ir.model import Parameter, Serialization, TypeRef
from generator.ir.responses import example_of, is_json
from generator.ir.schemas import describe

# OpenAPI: header parameters with these names "SHALL be ignored" (the client sets them).
_IGNORED_HEADERS = frozenset({"accept", "content-type", "authorization"})


class ParameterParser:
    """Parameter typing for the parser (which provides what is declared below)."""

    if TYPE_CHECKING:
        config: GeneratorConfig

        def warn(self, pointer: str, message: str) -> None: ...
        def resolve(self, node: Any) -> Any: ...
        def resolve_schema(self, schema: Any) -> dict[str, Any]: ...
        def type_of(self, schema: Any, pointer: str, name_hint: str) -> TypeRef: ...

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
