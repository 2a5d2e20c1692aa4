"""`allOf`: which of its parts decides the type, and how parts merge when several do.

Real specs use `allOf` for three different things, and each needs its own reading:

- an annotated reference: `allOf: [{$ref: Status}]` beside `readOnly`, `default`, `nullable` or
  `description` (how drf-spectacular and FastAPI mark a read-only or defaulted field). The type is
  the referenced schema's own: the same class, never a copy.
- constraints on one type: `allOf: [{type: string}, {minLength: 1}]` is a string.
- composition: object parts whose properties are united into a new class; a `oneOf` among them
  makes a union of merged variants (see `SchemaTyper`).

`Composer` (a part of `generator.ir.schemas.SchemaTyper`) types all three, and oneOf/anyOf.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from generator.ir import naming
from generator.ir.model import Discriminator, TypeRef
from generator.spec.locate import ref_name, ref_pointer, resolve_pointer

if TYPE_CHECKING:
    from generator.ir.schemas import Registry

SCHEMA_PREFIX = "#/components/schemas/"

# Keywords that change which values a schema's Python type holds. Everything else (description,
# readOnly, default, example, deprecated, nullable, minLength, pattern, ...) only annotates or
# constrains a type without changing it.
TYPING_KEYWORDS = frozenset(
    {
        "$ref",
        "type",
        "properties",
        "additionalProperties",
        "patternProperties",
        "required",
        "items",
        "prefixItems",
        "enum",
        "const",
        "format",
        "allOf",
        "oneOf",
        "anyOf",
    }
)
# A oneOf variant with none of these only adds constraints (`oneOf: [{required: [a]},
# {required: [b]}]`) and offers no choice of type.
_SHAPE_KEYWORDS = TYPING_KEYWORDS - {"required", "format"}
_OBJECT_KEYWORDS = frozenset(
    {"properties", "additionalProperties", "patternProperties", "required"}
)
_NOT_MERGED = frozenset({"allOf", "description", "title"})


@dataclass(frozen=True)
class Part:
    """One schema an `allOf` combines: as written (a `$ref` stays a `$ref`) and resolved."""

    raw: Any
    resolved: dict[str, Any]
    pointer: str

    @property
    def is_ref(self) -> bool:
        return isinstance(self.raw, dict) and isinstance(self.raw.get("$ref"), str)


def own_keywords(schema: dict[str, Any]) -> dict[str, Any]:
    """The keywords written beside `allOf`: one more part of the combination."""
    return {key: value for key, value in schema.items() if key != "allOf"}


def typing_keywords(schema: dict[str, Any]) -> set[str]:
    return {key for key in schema if key in TYPING_KEYWORDS}


def sole_typed_part(parts: list[Part]) -> Part | None:
    """The one part that gives the type, when every other part only annotates it.

    A part that says only `type` agrees with it when the types match (`type: object` beside a
    `$ref` to an object schema is common); anything else that types (properties, required,
    another `$ref`) makes a real combination and returns None.
    """
    typed = [part for part in parts if typing_keywords(part.resolved) - {"type", "format"}]
    if len(typed) != 1:
        return None
    main = typed[0]
    main_type = value_type(main.resolved)
    for part in parts:
        if part is main:
            continue
        keywords = typing_keywords(part.resolved)
        if not keywords:
            continue
        if keywords != {"type"} or main_type not in (None, part.resolved["type"]):
            return None
    return main


def value_type(schema: dict[str, Any]) -> str | None:
    """The JSON type a schema describes, when it says (properties imply an object)."""
    kind = schema.get("type")
    if isinstance(kind, str):
        return kind
    if _OBJECT_KEYWORDS & schema.keys():
        return "object"
    return None


def is_object_like(schema: dict[str, Any]) -> bool:
    return value_type(schema) == "object"


def choice_key(schema: dict[str, Any]) -> str | None:
    """`oneOf` or `anyOf` when the schema offers a choice of shapes (not only of constraints)."""
    for key in ("oneOf", "anyOf"):
        variants = schema.get(key)
        if isinstance(variants, list) and any(
            not isinstance(v, dict) or _SHAPE_KEYWORDS & v.keys() for v in variants
        ):
            return key
    return None


def merge_object(parts: list[dict[str, Any]], description: Any = None) -> dict[str, Any]:
    """One object schema from object parts: properties and required united, the last
    `additionalProperties` schema kept."""
    properties: dict[str, Any] = {}
    required: list[str] = []
    extra: Any = None
    for part in parts:
        properties.update(part.get("properties") or {})
        required.extend(r for r in part.get("required") or [] if r not in required)
        if isinstance(part.get("additionalProperties"), dict):
            extra = part["additionalProperties"]
    merged: dict[str, Any] = {"type": "object", "properties": properties, "required": required}
    if extra is not None:
        merged["additionalProperties"] = extra
    if description:
        merged["description"] = description
    return merged


def merge_scalar(parts: list[dict[str, Any]]) -> dict[str, Any] | None:
    """One schema from non-object parts (`[{type: string}, {format: date}]`); None when they
    disagree on the type, which no value could satisfy."""
    merged: dict[str, Any] = {}
    for part in parts:
        for key, value in part.items():
            if key in _NOT_MERGED:
                continue
            if key == "type" and "type" in merged and merged["type"] != value:
                return None
            if key == "enum" and isinstance(merged.get("enum"), list) and isinstance(value, list):
                value = [item for item in merged["enum"] if item in value]
            merged[key] = value
    return merged


class Composer:
    """allOf, oneOf and anyOf typing, for SchemaTyper (which provides what is declared below)."""

    if TYPE_CHECKING:
        doc: dict[str, Any]
        registry: Registry
        warn: Callable[[str, str], None]

        def type_of(self, schema: Any, pointer: str, name_hint: str) -> TypeRef: ...
        def resolve_schema(self, schema: Any) -> dict[str, Any]: ...
        def allows_null(self, schema: Any) -> bool: ...
        def _split_nullable(self, schema: dict[str, Any], pointer: str) -> tuple[bool, Any]: ...
        def _object_type(self, schema: dict[str, Any], pointer: str, name_hint: str) -> TypeRef: ...

    # -- allOf ------------------------------------------------------------------------------

    def _all_of_type(self, schema: dict[str, Any], pointer: str, name_hint: str) -> TypeRef:
        """An annotated reference is the referenced type itself; otherwise the parts merge
        (objects into a new class, scalars into one scalar, a oneOf into merged variants)."""
        parts = self._parts(schema, pointer)
        sole = sole_typed_part(parts)
        if sole is not None:
            if sole.is_ref:
                return self.type_of(sole.raw, sole.pointer, name_hint)
            # Inline: typed where the allOf is, so a component keeps its own class name.
            annotations = {k: v for k, v in schema.items() if k in ("description", "title")}
            return self.type_of({**annotations, **sole.resolved}, pointer, name_hint)
        flat = self._flat_parts(schema, pointer)
        choices = [(part, key) for part in flat if (key := choice_key(part.resolved))]
        if choices:
            return self._merged_union(schema, flat, choices, pointer, name_hint)
        resolved = [part.resolved for part in flat]
        if any(is_object_like(part) for part in resolved):
            merged = merge_object(resolved, schema.get("description"))
            return self._object_type(merged, pointer, name_hint)
        scalar = merge_scalar(resolved)
        if scalar is None:
            self.warn(f"{pointer}/allOf", "allOf of parts with different types is typed as Any")
            return TypeRef("any")
        return self.type_of(scalar, pointer, name_hint)

    def merged_object(self, schema: dict[str, Any]) -> dict[str, Any]:
        """Flatten allOf parts into one object schema (properties and required united)."""
        parts = [part.resolved for part in self._flat_parts(schema, "")]
        return merge_object(parts, schema.get("description"))

    def all_of_is_object(self, schema: dict[str, Any], depth: int = 0) -> bool:
        """Does this allOf merge into one object (rather than a union, a scalar or a ref)?"""
        sole = sole_typed_part(self._parts(schema, ""))
        if sole is not None:  # an annotated reference: an object when what it names is one
            if "allOf" in sole.resolved:  # an alias of an alias (a loop of them ends here)
                return depth < 20 and self.all_of_is_object(sole.resolved, depth + 1)
            return is_object_like(sole.resolved) and not choice_key(sole.resolved)
        flat = [part.resolved for part in self._flat_parts(schema, "")]
        return not any(choice_key(part) for part in flat) and any(
            is_object_like(part) for part in flat
        )

    def _parts(self, schema: dict[str, Any], pointer: str) -> list[Part]:
        """The allOf's parts and, last, the keywords written beside it."""
        raw_parts = schema.get("allOf")
        parts = [
            Part(raw, self.resolve_schema(raw), f"{pointer}/allOf/{index}")
            for index, raw in enumerate(raw_parts if isinstance(raw_parts, list) else [])
        ]
        own = own_keywords(schema)
        parts.append(Part(own, own, pointer))
        return parts

    def _flat_parts(
        self, schema: dict[str, Any], pointer: str, seen: set[int] | None = None
    ) -> list[Part]:
        """Every part, with parts that are allOfs themselves expanded, each schema once: parts
        that include each other end the recursion, and a diamond (S0 = allOf [S1, S1], S1 =
        allOf [S2, S2]...) is not expanded once per path (2**depth parts)."""
        seen = {id(schema)} if seen is None else seen
        parts = self._parts(schema, pointer)
        flat: list[Part] = []
        for index, part in enumerate(parts):
            if id(part.resolved) in seen:
                continue
            is_own = index == len(parts) - 1  # the keywords beside allOf: already flat
            if not is_own:  # (the own keywords are a new mapping every time)
                seen.add(id(part.resolved))
            if not is_own and isinstance(part.resolved.get("allOf"), list):
                flat.extend(self._flat_parts(part.resolved, part.pointer, seen))
            else:
                flat.append(part)
        return flat

    def _merged_union(
        self,
        schema: dict[str, Any],
        parts: list[Part],
        choices: list[tuple[Part, str]],
        pointer: str,
        name_hint: str,
    ) -> TypeRef:
        """`allOf: [Base, {oneOf: [A, B]}]` is `Base+A | Base+B`: one merged class per variant,
        picked by the discriminator when there is one."""
        choice, key = choices[0]
        where = f"{choice.pointer}/{key}"
        if len(choices) > 1:
            self.warn(where, f"only the first of {len(choices)} {key}s in an allOf is modelled")
        rest = [p.resolved for p in parts if p is not choice]
        rest.append({k: v for k, v in choice.resolved.items() if k not in (key, "discriminator")})
        raw_variants = choice.resolved[key]
        variants: list[TypeRef | None] = []
        for index, raw_variant in enumerate(raw_variants):
            variant = self.resolve_schema(raw_variant)
            if not is_object_like(variant) or choice_key(variant):
                # No value is both a non-object and the object the other parts describe.
                what = "a nested choice" if is_object_like(variant) else "not an object"
                self.warn(
                    f"{where}/{index}",
                    f"a {key} variant that is {what} cannot merge with the object parts"
                    " beside it: left out",
                )
                variants.append(None)
                continue
            merged = merge_object([*rest, *self._variant_parts(variant)])
            hint = _ref_hint(raw_variant, name_hint) or variant_hint(variant, index, name_hint)
            variants.append(self._object_type(merged, f"{pointer}/{key}/{index}", hint))
        kept = [variant for variant in variants if variant is not None]
        if not kept:
            return self._object_type(
                merge_object(rest, schema.get("description")), pointer, name_hint
            )
        if len(kept) < len(variants):
            return union_of(kept)  # the discriminator's mapping no longer fits
        tagged = choice.resolved if "discriminator" in choice.resolved else schema
        discriminator = self._discriminator(tagged, key, pointer, raw_variants, kept)
        if discriminator is not None:
            return TypeRef("union", variants=tuple(kept), discriminator=discriminator)
        return union_of(kept)

    def _variant_parts(self, variant: dict[str, Any]) -> list[dict[str, Any]]:
        if isinstance(variant.get("allOf"), list):
            return [part.resolved for part in self._flat_parts(variant, "")]
        return [variant]

    # -- oneOf / anyOf ----------------------------------------------------------------------

    def _union_type(
        self, schema: dict[str, Any], key: str, pointer: str, name_hint: str
    ) -> TypeRef:
        raw_variants = schema[key]
        if schema.get("properties"):  # the object's properties belong to every variant
            own = Part(schema, schema, pointer)
            return self._merged_union(schema, [own], [(own, key)], pointer, name_hint)
        variants = [
            self.type_of(
                variant, f"{pointer}/{key}/{index}", variant_hint(variant, index, name_hint)
            )
            for index, variant in enumerate(raw_variants)
        ]
        discriminator = self._discriminator(schema, key, pointer, raw_variants, variants)
        if discriminator is not None:
            return TypeRef("union", variants=tuple(variants), discriminator=discriminator)
        return union_of(variants)

    def _discriminator(
        self,
        schema: dict[str, Any],
        key: str,
        pointer: str,
        raw_variants: list[Any],
        variants: list[TypeRef],
    ) -> Discriminator | None:
        """The discriminator's (value -> variant) table, or None to try the variants in order."""
        spec = schema.get("discriminator")
        if not isinstance(spec, dict) or not isinstance(spec.get("propertyName"), str):
            return None
        where = f"{pointer}/discriminator"
        if not all(_is_object_type(v) for v in variants):
            self.warn(where, "a discriminator over non-object variants is ignored")
            return None
        refs = [v.get("$ref") if isinstance(v, dict) else None for v in raw_variants]
        mapping: list[tuple[str, int]] = []
        for value, target in (spec.get("mapping") or {}).items():
            index = _variant_index(str(target), refs)
            if index is None:
                self.warn(f"{where}/mapping", f"{target!r} is not one of the {key} variants")
                continue
            mapping.append((str(value), index))
        mapped = {index for _, index in mapping}
        for index, ref in enumerate(refs):
            if index not in mapped and isinstance(ref, str):
                mapping.append((ref_name(ref), index))
        if {index for _, index in mapping} != set(range(len(variants))):
            self.warn(
                where, "not every variant has a discriminator value: variants are tried in order"
            )
            return None
        return Discriminator(property=spec["propertyName"], mapping=tuple(mapping))

    def _union_of_classes(
        self, schema: dict[str, Any], pointer: str, hops: int = 0
    ) -> TypeRef | None:
        """A oneOf/anyOf of component classes, typed without building the classes: how a union
        that contains itself (a node whose children are nodes) is spelled. None otherwise."""
        nullable, rest = self._split_nullable(schema, pointer)
        key = choice_key(rest) if isinstance(rest, dict) else None
        if key is None or rest.get("properties") or "allOf" in rest:
            return None
        raw_variants = rest[key]
        variants = [
            self._class_of(variant, hops)
            or self._inline_class_of(variant, f"{pointer}/{key}/{index}")
            for index, variant in enumerate(raw_variants)
        ]
        known = [variant for variant in variants if variant is not None]
        if len(known) < len(variants):
            return None
        discriminator = self._discriminator(rest, key, pointer, raw_variants, known)
        if discriminator is not None:
            union = TypeRef("union", variants=tuple(known), discriminator=discriminator)
            return union.with_nullable(nullable)
        union = union_of(known)
        return union.with_nullable(nullable or union.nullable)

    def _inline_class_of(self, variant: Any, pointer: str) -> TypeRef | None:
        """The class an inline object variant of a component's union becomes; its name is
        claimed by its pointer, so every use of the union agrees on it."""
        parts = pointer.split("/")
        if not (
            isinstance(variant, dict)
            and len(parts) == 6
            and parts[1:3] == ["components", "schemas"]
        ):
            return None
        if not variant.get("properties") or choice_key(variant) or "allOf" in variant:
            return None
        if self.allows_null(variant):
            return None
        owner = self.registry.names_by_pointer.get("/".join(parts[:4]))
        if owner is None:
            return None
        index = int(parts[5])
        return TypeRef(
            "model", name=self.registry.claim(pointer, variant_hint(variant, index, owner))
        )

    def _class_of(self, schema: Any, hops: int = 0) -> TypeRef | None:
        """The class a `$ref` to a component names (following annotated aliases), when the
        component is one class; its name is claimed, the class is built when its turn comes."""
        ref = schema.get("$ref") if isinstance(schema, dict) else None
        if not isinstance(ref, str) or not ref.startswith(SCHEMA_PREFIX) or hops > 5:
            return None
        pointer = ref_pointer(ref)
        target = resolve_pointer(self.doc, pointer)
        if not isinstance(target, dict) or "$ref" in target:
            return None
        nullable, rest = self._split_nullable(target, pointer)
        if not isinstance(rest, dict):
            return None
        kind: Literal["model", "enum"]
        if "allOf" in rest:
            sole = sole_typed_part(self._parts(rest, ""))
            if sole is not None and sole.is_ref:
                found = self._class_of(sole.raw, hops + 1)
                return found.with_nullable(nullable or found.nullable) if found else None
            if not self.all_of_is_object(rest):
                return None
            kind = "model"
        elif rest.get("properties") and not choice_key(rest):
            kind = "model"
        elif _enum_value_kind(rest.get("enum")) is not None:
            kind = "enum"
        elif choice_key(rest) and hops < 5:  # a union of classes itself
            return self._union_of_classes(target, pointer, hops + 1)
        else:
            return None
        name = self.registry.claim(pointer, naming.pascal_case(pointer.rsplit("/", 1)[-1]))
        return TypeRef(kind, name=name, nullable=nullable)


# -- helpers --------------------------------------------------------------------------------


def _is_object_type(type_ref: TypeRef) -> bool:
    """Always a JSON object: a model, a mapping, or a union of those (a variant of a
    discriminated union may itself be a union, tried in order once its tag picked it)."""
    if type_ref.nullable:
        return False
    if type_ref.kind == "union":
        return all(_is_object_type(variant) for variant in type_ref.variants)
    return type_ref.kind in ("model", "dict")


def _enum_value_kind(values: Any) -> str | None:
    """ "str" or "int" for an enum that becomes an enum class, else None."""
    if not isinstance(values, list) or not values:
        return None
    if all(isinstance(v, str) for v in values):
        return "str"
    if all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        return "int"
    return None


def variant_hint(variant: Any, index: int, name_hint: str) -> str:
    """Class-name hint for an inline union variant: its title, else its position."""
    title = variant.get("title") if isinstance(variant, dict) else None
    if isinstance(title, str) and title.strip():
        return f"{name_hint}{naming.pascal_case(title)}"
    return f"{name_hint}Variant{index + 1}"


def _ref_hint(variant: Any, name_hint: str) -> str | None:
    """Class-name hint for a merged variant that was a `$ref`: the owner plus its name."""
    ref = variant.get("$ref") if isinstance(variant, dict) else None
    if not isinstance(ref, str):
        return None
    return f"{name_hint}{naming.pascal_case(ref_name(ref))}"


def _variant_index(target: str, refs: list[Any]) -> int | None:
    """Which variant a discriminator mapping names: a full `$ref` or a bare schema name."""
    for index, ref in enumerate(refs):
        if isinstance(ref, str) and (ref == target or ref == f"{SCHEMA_PREFIX}{target}"):
            return index
    return None


def union_of(variants: list[TypeRef]) -> TypeRef:
    """`A | B` from the variants' types: nested unions flattened, constants merged into one
    Literal, duplicates dropped; Any absorbs everything; one variant left is just that type."""
    nullable = any(v.nullable for v in variants)
    flat: list[TypeRef] = []
    for variant in variants:
        inner = variant.with_nullable(False)
        flat.extend(
            inner.variants if inner.kind == "union" and not inner.discriminator else [inner]
        )
    if any(v.kind == "any" for v in flat):
        return TypeRef("any", nullable=nullable)
    # Keyed by type too: `const: true` and `const: 1` are two values though `True == 1`.
    typed = dict.fromkeys(
        (type(value), value) for v in flat if v.kind == "literal" for value in v.literals
    )
    literals = tuple(value for _, value in typed)
    merged: list[TypeRef] = []
    seen: set[str] = set()
    for variant in flat:
        if variant.kind == "literal":
            variant = TypeRef("literal", literals=literals)
        if variant.annotation not in seen:
            seen.add(variant.annotation)
            merged.append(variant)
    if not merged:
        return TypeRef("any", nullable=nullable)
    if len(merged) == 1:
        return merged[0].with_nullable(nullable)
    return TypeRef("union", variants=tuple(merged), nullable=nullable)
