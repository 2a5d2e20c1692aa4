"""Request bodies: keyword arguments from an object body's properties, or one argument for the
whole body (JSON data, text, bytes or a file), and uploads in multipart bodies."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from generator.ir.compose import SCHEMA_PREFIX
from generator.ir.model import Field, RequestBody, TypeRef
from generator.ir.responses import FORM, MULTIPART, body_kind, example_of
from generator.spec.load import escape_pointer_token
from generator.spec.locate import ref_pointer

if TYPE_CHECKING:
    from generator.ir.schemas import Registry, SchemaTyper

# Body media types whose object properties become keyword arguments, most preferred first.
_FIELD_BODIES = ("json", FORM, MULTIPART)


class RequestBodyParser:
    """Request body typing for the parser (which provides what is declared below)."""

    if TYPE_CHECKING:
        registry: Registry
        schemas: SchemaTyper

        def warn(self, pointer: str, message: str) -> None: ...
        def resolve(self, node: Any) -> Any: ...
        def resolve_schema(self, schema: Any) -> dict[str, Any]: ...
        def type_of(self, schema: Any, pointer: str, name_hint: str) -> TypeRef: ...

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
            schema_name = self.registry.names_by_pointer.get(ref_pointer(ref))
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
