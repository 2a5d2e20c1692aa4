"""Responses: which success bodies a method returns and how it reads them.

Every 2xx counts: the method returns the union of their body types (`| None` when one of them
has no body), JSON without a schema is returned as decoded, and what one method cannot deliver
(a text body beside a JSON one) is named in a warning with its JSON pointer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from generator.ir.compose import union_of
from generator.ir.examples import example_for
from generator.ir.model import Model, Response, ResponseFormat, ReturnKind, TypeRef
from generator.spec.load import escape_pointer_token

if TYPE_CHECKING:
    from generator.ir.schemas import Registry

FORM = "application/x-www-form-urlencoded"
MULTIPART = "multipart/form-data"


def is_json(media_type: str) -> bool:
    """`application/json`, `application/problem+json`, `application/json; charset=utf-8`."""
    base = media_type.split(";", 1)[0].strip().lower()
    return base == "application/json" or (
        base.startswith("application/") and base.endswith("+json")
    )


def body_kind(content_type: str) -> str:
    """ "json", the form and multipart media types, "text", or "binary"."""
    base = content_type.split(";", 1)[0].strip().lower()
    if is_json(base):
        return "json"
    if base in (FORM, MULTIPART):
        return base
    return "text" if base.startswith("text/") else "binary"


class ResponseParser:
    """Response typing for the parser (which provides what is declared below)."""

    if TYPE_CHECKING:
        registry: Registry

        def warn(self, pointer: str, message: str) -> None: ...
        def resolve(self, node: Any) -> Any: ...
        def resolve_schema(self, schema: Any) -> dict[str, Any]: ...
        def type_of(self, schema: Any, pointer: str, name_hint: str) -> TypeRef: ...

    def responses(self, raw: dict[str, Any], pointer: str, name_hint: str) -> tuple[Response, ...]:
        raw_responses = raw.get("responses") or {}
        has_2xx = any(str(status).startswith("2") for status in raw_responses)
        result = []
        for status, raw_response in raw_responses.items():
            if str(status).startswith("x-"):  # an extension, not a status code
                continue
            response = self.resolve(raw_response) or {}
            content = response.get("content") or {}
            content_type = pick_response_media(content)
            media = (content.get(content_type) if content_type else None) or {}
            schema = media.get("schema")
            response_pointer = f"{pointer}/responses/{escape_pointer_token(str(status))}"
            # With no 2xx documented, `default` is the only description of a success.
            is_success = str(status).startswith("2") or (str(status) == "default" and not has_2xx)
            type_ref = None
            if content_type is not None and is_success:
                type_ref = self.response_type(
                    schema,
                    content_type,
                    f"{response_pointer}/content/{escape_pointer_token(content_type)}/schema",
                    f"{name_hint}Response",
                )
            example, has_example = example_of(media, schema, self.resolve_schema)
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

    def response_type(
        self, schema: Any, content_type: str, pointer: str, name_hint: str
    ) -> TypeRef | None:
        kind = body_kind(content_type)
        if kind == "json":  # JSON without a schema: whatever it decodes to
            return TypeRef("any") if schema is None else self.type_of(schema, pointer, name_hint)
        if kind == "text" and self.resolve_schema(schema).get("format") != "binary":
            return TypeRef("str")
        return TypeRef("bytes")

    def return_of(
        self, raw: dict[str, Any], success: Response, pointer: str
    ) -> tuple[ReturnKind, TypeRef | None]:
        if success.type is None:
            return "none", None
        if success.type.kind in ("str", "bytes") and not is_json(success.content_type or ""):
            return "json", success.type  # text or bytes: delivered as read, never paged
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

    def other_successes(
        self,
        responses: tuple[Response, ...],
        success: Response,
        return_kind: ReturnKind,
        return_type: TypeRef | None,
        response_format: ResponseFormat,
        pointer: str,
    ) -> TypeRef | None:
        """The result type once every 2xx is counted: the union of their body types, `| None`
        when one of them has no body. What one method cannot deliver is named in a warning."""
        others = [r for r in responses if r.status.startswith("2") and r is not success]
        if return_kind == "none" or not others:
            return return_type
        assert return_type is not None
        types = [return_type]
        for other in others:
            where = f"{pointer}/responses/{escape_pointer_token(other.status)}"
            if other.type is None:
                if return_kind == "page":
                    self.warn(where, f"a bodiless {other.status} beside a page is not typed")
                types.append(return_type.with_nullable())
            elif response_format_of(other) != response_format:
                self.warn(
                    f"{where}/content",
                    f"{other.content_type!r} is not typed: the method reads a {success.status}"
                    f" {response_format} body",
                )
            elif return_kind == "page":
                self.warn(where, f"typed as the page of the {success.status} response")
            else:
                types.append(other.type)
        return _result_union(types, self.registry.models) if return_kind == "json" else types[0]


def pick_response_media(content: dict[str, Any]) -> str | None:
    """JSON if offered (the client asks for it), else the first one documented."""
    media_types = [str(m) for m in content]
    return next((m for m in media_types if is_json(m)), media_types[0] if media_types else None)


def response_format_of(success: Response) -> ResponseFormat:
    if success.type is None or success.content_type is None or is_json(success.content_type):
        return "json"
    return "text" if success.type.kind == "str" else "bytes"


def _is_page(schema: dict[str, Any], resolve: Any) -> bool:
    """DRF limit/offset pagination: an object with `results` (array) and `next`."""
    properties = schema.get("properties") or {}
    if "results" not in properties or "next" not in properties:
        return False
    results = resolve(properties["results"])
    return isinstance(results, dict) and results.get("type") == "array"


def pick_success(responses: tuple[Response, ...]) -> Response | None:
    """The 2xx that decides how the body is read: the lowest with a body, else the lowest."""
    success = sorted((r for r in responses if r.status.startswith("2")), key=lambda r: r.status)
    if success:
        return next((r for r in success if r.type is not None), success[0])
    return next((r for r in responses if r.status == "default" and r.type is not None), None)


def _result_union(types: list[TypeRef], models: dict[str, Model]) -> TypeRef:
    """The union of the success bodies' types. The runtime tries a union's variants in order,
    so the ones that must match come first: then a model with no required field (it accepts
    any object, but names some fields), then a plain mapping."""

    def leniency(type_ref: TypeRef) -> int:
        if type_ref.kind == "dict":
            return 2
        model = models.get(type_ref.name or "") if type_ref.kind == "model" else None
        return 1 if model is not None and not model.required_fields else 0

    return union_of(sorted(types, key=leniency))


def example_of(node: dict[str, Any], schema: Any, resolve: Any) -> tuple[Any, bool]:
    """A media type's or parameter's declared example (`example`, else the first of
    `examples`) and True; else one synthesised from its schema (None without one) and False."""
    if "example" in node:
        return node["example"], True
    examples = node.get("examples")
    if isinstance(examples, dict) and examples:
        first = resolve(next(iter(examples.values())))
        if isinstance(first, dict) and "value" in first:
            return first["value"], True
    return example_for(schema, resolve), False
