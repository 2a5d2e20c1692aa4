"""How a schema is written in Python: `TypeRef`, the type of a field, argument or response.

A TypeRef knows its annotation in each place it is written (a model field, a method argument,
a docstring); the parser builds them, the templates only print them.
"""

from __future__ import annotations

import re
import weakref
from dataclasses import dataclass, field, replace
from typing import Any, Literal, TypeVar

from generator.ir.literals import python_literal, python_string

TypeKind = Literal[
    "str",
    "int",
    "float",
    "bool",
    "datetime",
    "date",
    "uuid",
    "any",
    "model",
    "enum",
    "list",
    "dict",
    "union",  # one of `variants`; decoded by trying them, or by a discriminator property
    "literal",  # one of `literals` exactly (a `const`, or an enum of mixed or boolean values)
    "file",  # an upload: bytes or a binary file object (multipart and raw request bodies)
    "bytes",  # a binary response body
]

# Kinds that need no conversion between JSON and Python.
PLAIN_KINDS: frozenset[str] = frozenset(
    {"str", "int", "float", "bool", "any", "literal", "file", "bytes"}
)


@dataclass(frozen=True)
class Discriminator:
    """How a union names its variant: the value of `property` picks `variants[index]`."""

    property: str  # the wire name, e.g. "petType"
    mapping: tuple[tuple[str, int], ...]  # (property value, index into the union's variants)


_T = TypeVar("_T")


class _Interned(type):
    """Equal instances are one object: a spec uses a few thousand distinct types in tens of
    thousands of places (GitHub's: 2,700 in 24,000), and the record a run saves for the next
    (generator.last_run) pickles and unpickles each object once (GitHub's unpickles in a
    third less time). Weakly held: a type no output uses any more is freed."""

    def __init__(cls, *args: Any) -> None:
        super().__init__(*args)
        cls._instances: weakref.WeakKeyDictionary[Any, weakref.ref[Any]] = (
            weakref.WeakKeyDictionary()
        )

    def __call__(cls: type[_T], *args: Any, **kwargs: Any) -> _T:
        made: _T = super().__call__(*args, **kwargs)  # type: ignore[misc]
        instances = cls._instances  # type: ignore[attr-defined]
        known = instances.get(made)
        first: _T | None = known() if known is not None else None
        if first is not None:
            return first
        instances[made] = weakref.ref(made)
        return made


@dataclass(frozen=True)
class TypeRef(metaclass=_Interned):
    """A field's Python type and how it maps to JSON; `item` is the element of a list/dict.
    Made equal, it is the same object (_Interned)."""

    kind: TypeKind
    name: str | None = None  # class name, for "model" and "enum"
    item: TypeRef | None = None  # element type, for "list" and "dict"
    nullable: bool = False
    variants: tuple[TypeRef, ...] = ()  # for "union", in the order decoding tries them
    discriminator: Discriminator | None = None  # for "union", when the spec names one
    # For "literal": the values. For "enum" (method arguments only): the member values a
    # caller may pass instead of the enum, annotated `Enum | Literal[...]`.
    literals: tuple[str | int | bool, ...] = ()
    # The literals' types, compared too: `True == 1` in Python, but `Literal[True]` and
    # `Literal[1]` are different types (a shared class or a file kept after an edit must not
    # mix them up).
    literal_types: tuple[type, ...] = field(default=(), init=False, repr=False)

    def __post_init__(self) -> None:
        if self.literals:
            object.__setattr__(self, "literal_types", tuple(map(type, self.literals)))

    def __hash__(self) -> int:
        """The fields' hash, kept once computed: inline objects share a class by the shape of
        their fields (generator.ir.schemas), which hashes nested types over and over (a
        replayed parse of GitHub's spec: 2,500 shapes)."""
        cached: int | None = self.__dict__.get("_hash")
        if cached is None:
            cached = hash(
                (
                    self.kind,
                    self.name,
                    self.item,
                    self.nullable,
                    self.variants,
                    self.discriminator,
                    self.literals,
                    self.literal_types,
                )
            )
            object.__setattr__(self, "_hash", cached)
        return cached

    def __getstate__(self) -> dict[str, Any]:
        """Without the kept hash: a string's hash differs from process to process."""
        return {key: value for key, value in self.__dict__.items() if key != "_hash"}

    @property
    def annotation(self) -> str:
        """The Python annotation, e.g. `list[Annotation] | None` (used by templates and diffs)."""
        return self.annotation_in("")

    @property
    def unset_annotation(self) -> str:
        return self.unset_annotation_in("")

    @property
    def field_annotation(self) -> str:
        """A model field's annotation: the runtime decoder reads it, so a discriminated union
        carries its tag as `Annotated[A | B, _models.Discriminator(...)]`."""
        return self._annotation("", tagged=True)

    @property
    def field_unset_annotation(self) -> str:
        return self._annotation("", tagged=True, unset=True)

    def annotation_in(self, builtins_prefix: str) -> str:
        """The annotation where `list`/`dict` may be shadowed (a method named `list`):
        there the templates pass `builtins.` as the prefix."""
        return self._annotation(builtins_prefix)

    def unset_annotation_in(self, builtins_prefix: str) -> str:
        """For optional arguments and fields: `X | Unset`, with `| None` last when nullable."""
        return self._annotation(builtins_prefix, unset=True)

    def _annotation(self, prefix: str, *, tagged: bool = False, unset: bool = False) -> str:
        base = self._base_annotation(prefix, tagged)
        if unset:
            base = f"{base} | Unset"
        if self.nullable:
            base = f"{base} | None"
        if tagged and self.discriminator is not None:
            cases = ", ".join(
                f"{python_string(value)}: {self.variants[index]._annotation(prefix, tagged=True)}"
                for value, index in self.discriminator.mapping
            )
            tag = python_string(self.discriminator.property)
            base = f"Annotated[{base}, _models.Discriminator({tag}, {{{cases}}})]"
        return base

    def _base_annotation(self, prefix: str, tagged: bool = False) -> str:
        if self.kind in ("model", "enum"):
            assert self.name is not None
            if self.literals:  # an enum argument also takes its values as plain literals
                return f"{self.name} | {self._literal_annotation()}"
            return self.name
        if self.kind == "list":
            assert self.item is not None
            return f"{prefix}list[{self.item._annotation(prefix, tagged=tagged)}]"
        if self.kind == "dict":
            value = self.item._annotation(prefix, tagged=tagged) if self.item else "Any"
            return f"{prefix}dict[str, {value}]"
        if self.kind == "union":
            return " | ".join(
                variant._annotation(prefix, tagged=tagged) for variant in self.variants
            )
        if self.kind == "literal":
            return self._literal_annotation()
        return _SCALAR_ANNOTATIONS[self.kind]

    def _literal_annotation(self) -> str:
        return f"Literal[{', '.join(python_literal(value) for value in self.literals)}]"

    @property
    def doc_annotation(self) -> str:
        """The annotation as a docstring shows it: `datetime`, not `_dt.datetime`."""
        return _MODULE_ALIAS.sub("", self.annotation)

    @property
    def has_discriminator(self) -> bool:
        """A discriminated union anywhere inside (its field annotation needs `Annotated`)."""
        if self.discriminator is not None:
            return True
        inner = (self.item,) if self.item is not None else ()
        return any(t.has_discriminator for t in (*inner, *self.variants))

    @property
    def is_plain(self) -> bool:
        """True when JSON data of this type is already the Python value (no conversion)."""
        if self.kind in ("list", "dict"):
            return self.item is None or self.item.is_plain
        if self.kind == "union":
            return all(variant.is_plain for variant in self.variants)
        return self.kind in PLAIN_KINDS

    def kinds(self) -> set[str]:
        """Every kind inside this type (decides which imports a module needs)."""
        kinds = {self.kind} | (self.item.kinds() if self.item is not None else set())
        if self.kind == "enum" and self.literals:
            kinds.add("literal")  # the annotation spells `Literal[...]`
        for variant in self.variants:
            kinds |= variant.kinds()
        return kinds

    def referenced(self, kind: Literal["model", "enum"]) -> set[str]:
        """Model (or enum) class names this type mentions (for imports)."""
        names = {self.name} if self.name and self.kind == kind else set()
        if self.item is not None:
            names |= self.item.referenced(kind)
        for variant in self.variants:
            names |= variant.referenced(kind)
        return names

    def without_enum_values(self) -> TypeRef:
        """This type with enums alone, not `Enum | Literal[...]`: the values an enum argument
        also takes follow its enum, whose changes `review` reports on their own."""
        if self.kind == "enum":
            return replace(self, literals=())
        if self.item is None and not self.variants:
            return self
        return replace(
            self,
            item=self.item.without_enum_values() if self.item is not None else None,
            variants=tuple(variant.without_enum_values() for variant in self.variants),
        )

    def with_nullable(self, nullable: bool = True) -> TypeRef:
        return replace(self, nullable=nullable)

    @property
    def discriminator_cases(self) -> tuple[tuple[str, TypeRef], ...]:
        """(property value, variant) pairs of a discriminated union, for the decode template."""
        if self.discriminator is None:
            return ()
        return tuple((value, self.variants[index]) for value, index in self.discriminator.mapping)


# Generated modules import `datetime as _dt` and `from uuid import UUID`: no field, argument
# or method (snake_case, never a leading underscore) and no class (`UUID` is reserved) can take
# those names, so a property called `datetime`, `date` or `uuid` keeps its name.
_SCALAR_ANNOTATIONS = {
    "str": "str",
    "int": "int",
    "float": "float",
    "bool": "bool",
    "datetime": "_dt.datetime",
    "date": "_dt.date",
    "uuid": "UUID",
    "any": "Any",
    "file": "FileContent",
    "bytes": "bytes",
}
_MODULE_ALIAS = re.compile(r"\b_dt\.")  # docstrings show `datetime`, not `_dt.datetime`
