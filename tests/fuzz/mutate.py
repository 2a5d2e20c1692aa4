"""Hypothesis strategies that turn the corpus and feature specs into hostile variants.

A case is one base spec (every valid spec of tests/corpus/ and tests/features/, relative-file
refs bundled) changed one to three times: a node deleted, replaced (by random JSON, a schema
fragment or a value no JSON can hold), retyped, renamed, pointed elsewhere with a `$ref`,
duplicated, grown (long strings and names, long lists, deep nesting) or swapped with another;
then written as YAML or JSON, and sometimes damaged as text (truncated, a line repeated, bytes
inserted).
"""

from __future__ import annotations

import contextlib
import copy
import functools
import json
import re
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from hypothesis import strategies as st

from generator.spec.load import load_spec
from generator.spec.locate import escape_pointer_token

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "tests" / "corpus"
FEATURES = ROOT / "tests" / "features"

Draw = Callable[..., Any]
Path_ = tuple[Any, ...]  # keys and indexes from the document's root


@functools.cache
def base_specs() -> dict[str, dict[str, Any]]:
    """Every valid small spec, loaded (and bundled) once per session."""
    paths = sorted(p for p in CORPUS.iterdir() if p.suffix in (".yaml", ".json") and p.is_file())
    paths += sorted(FEATURES.glob("*/spec.yaml"))
    specs = {}
    for path in paths:
        name = path.parent.name if path.name == "spec.yaml" else path.stem
        specs[name] = load_spec(path).data
    return specs


# --- values ----------------------------------------------------------------------------------

HOSTILE_NAMES = [
    "",
    " ",
    "class",
    "def",
    "None",
    "self",
    "import",
    "httpx",
    "typing",
    "builtins",
    "json",
    "datetime",
    "field",
    "to_dict",
    "additional_properties",
    "UNSET",
    "_private",
    "__init__",
    "..",
    "../../x",
    "/",
    "a/b",
    "C:\\x",
    "x-ext",
    "$ref",
    "example",
    "default",
    "enum",
    "properties",
    "type",
    "1st",
    "a-b.c d",
    "é",
    "\U0001f389",
    '"""',
    "'''",
    "\\",
    "{{ 7*7 }}",
    "{% raw %}",
    "a\nb",
    "\x00",
    "\u2028",
    "a" * 300,
    "Ab" * 150,
    "a_" * 100,
]
_ALPHABET = st.characters(
    codec="utf-8",
    categories=("L", "N", "P", "S", "Z", "Cc"),
    include_characters="\"'\\{}%$#/:\n\t\u2028\U0001f389",
)
texts = st.text(_ALPHABET, max_size=24) | st.sampled_from(HOSTILE_NAMES)
names = st.sampled_from(HOSTILE_NAMES) | st.text(_ALPHABET, min_size=1, max_size=12)
# Keys YAML can write that are not strings (JSON turns them into strings).
keys = names | st.integers(-3, 600) | st.none() | st.booleans()


@dataclass(frozen=True)
class Raw:
    """A value written as raw text: what Python or JSON cannot round-trip as a value."""

    yaml: str
    json: str


RAW_VALUES = [
    Raw("9" * 5000, "9" * 5000),  # over Python's 4300-digit limit
    Raw("1.0e+400", "1e999"),  # overflows to infinity
    Raw("-.inf", "-Infinity"),
    Raw(".nan", "NaN"),
    Raw("0x" + "f" * 4000, "-" + "9" * 4400),  # YAML hex has no digit limit
    Raw("2024-01-01", '"2024-01-01"'),  # a YAML date
    Raw("2024-13-45", '"2024-13-45"'),  # not a date, but YAML reads it as one
    Raw("!!binary aGVsbG8=", '"aGVsbG8="'),
    Raw("!!set {a: null}", "{}"),
    Raw("12345678901234567890123", "12345678901234567890123"),  # beyond 64 bits
    Raw("1e5", "1e5"),  # a string in YAML 1.1, a number in JSON
    Raw("0o17", "17"),
    Raw('"\\ud800"', '"\\ud800"'),  # a lone surrogate
    Raw('"\\ud83d\\ude00"', '"\\ud83d\\ude00"'),  # YAML keeps the pair as two surrogates
]
raw_values = st.sampled_from(RAW_VALUES)

scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=2**62, max_value=2**80)
    | st.floats(allow_nan=False, allow_infinity=False)
    | texts
    | raw_values
)
json_values = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(keys, children, max_size=4),
    max_leaves=12,
)

TYPES = ["string", "integer", "number", "boolean", "object", "array", "null", "file", "nope"]
FORMATS = ["date-time", "date", "uuid", "binary", "byte", "uri", "email", "int64", "weird"]
PATTERNS = ["^[a-z]+$", "^(a+)+$", "[", "(?P<x>a)", "\\d{2,}", ""]


@dataclass(frozen=True)
class RefSlot:
    """A `$ref` in a drawn schema fragment, filled with one of the document's refs (`with_refs`):
    the strategy stays one module-level object instead of one per document."""

    index: int


def with_refs(value: Any, refs: list[str]) -> Any:
    if isinstance(value, RefSlot):
        return refs[value.index % len(refs)]
    if isinstance(value, dict):
        return {key: with_refs(item, refs) for key, item in value.items()}
    if isinstance(value, list):
        return [with_refs(item, refs) for item in value]
    return value


def schema_fragments() -> st.SearchStrategy[Any]:
    """Schema-shaped values, so mutations reach the parser and not only the validator."""
    leaf = st.fixed_dictionaries(
        {},
        optional={
            "type": st.sampled_from(TYPES) | st.lists(st.sampled_from(TYPES), max_size=3),
            "format": st.sampled_from(FORMATS),
            "nullable": st.booleans(),
            "enum": st.lists(scalars, max_size=4),
            "const": scalars,
            "default": json_values,
            "example": json_values,
            "pattern": st.sampled_from(PATTERNS),
            "minimum": scalars,
            "maxLength": st.integers(-1, 5),
            "readOnly": st.booleans(),
            "description": texts,
            "title": texts,
        },
    )
    ref = st.builds(lambda index: {"$ref": RefSlot(index)}, st.integers(0, 20))

    def extend(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
        objects = st.fixed_dictionaries(
            {"type": st.just("object")},
            optional={
                "properties": st.dictionaries(names, children, max_size=3),
                "required": st.lists(names, max_size=3),
                "additionalProperties": st.booleans() | children,
            },
        )
        arrays = st.fixed_dictionaries({"type": st.just("array"), "items": children})
        variants = st.lists(children, min_size=1, max_size=3)
        unions = (
            st.fixed_dictionaries({"oneOf": variants})
            | st.fixed_dictionaries({"anyOf": variants})
            | st.fixed_dictionaries({"allOf": variants})
        )
        discriminated = st.fixed_dictionaries(
            {
                "oneOf": st.lists(children, min_size=1, max_size=3),
                "discriminator": st.fixed_dictionaries(
                    {"propertyName": names}, optional={"mapping": st.dictionaries(names, texts)}
                ),
            }
        )
        return objects | arrays | unions | discriminated | ref

    return st.recursive(leaf | ref, extend, max_leaves=6)


NEW_VALUES = json_values | schema_fragments()


def new_value(draw: Draw, document: Any) -> Any:
    """Random JSON, or a schema fragment whose refs point into `document` (or nowhere)."""
    return with_refs(draw(NEW_VALUES), schema_refs(document))


# --- finding and changing nodes ----------------------------------------------------------------


def all_paths(document: Any, limit: int = 5000) -> list[Path_]:
    """Paths of every node (containers and scalars), breadth first, at most `limit`."""
    found: list[Path_] = [()]
    queue: list[tuple[Path_, Any]] = [((), document)]
    while queue and len(found) < limit:
        path, node = queue.pop(0)
        items = (
            node.items()
            if isinstance(node, dict)
            else enumerate(node)
            if isinstance(node, list)
            else ()
        )
        for key, value in items:
            found.append((*path, key))
            queue.append(((*path, key), value))
    return found[:limit]


def pick(draw: Draw, items: list[Any]) -> Any:
    """One of `items` by index (sampled_from would print a repr of the whole list)."""
    return items[draw(st.integers(0, len(items) - 1))]


def get(document: Any, path: Path_) -> Any:
    for key in path:
        document = document[key]
    return document


def pointer(path: Path_) -> str:
    return "".join(f"/{escape_pointer_token(str(key))}" for key in path)


def schema_refs(document: Any) -> list[str]:
    components = document.get("components") if isinstance(document, dict) else None
    schemas = components.get("schemas") if isinstance(components, dict) else None
    names = schemas if isinstance(schemas, dict) else {}
    good = [f"#/components/schemas/{escape_pointer_token(str(n))}" for n in names]
    return [*good, "#/components/schemas/Missing", "#/", "#", "#/paths", "other.yaml#/X"]


def _set(document: Any, path: Path_, value: Any) -> Any:
    """`document` with the node at `path` replaced (the root itself when `path` is empty)."""
    if not path:
        return value
    parent = get(document, path[:-1])
    parent[path[-1]] = value
    return document


def mutate(draw: Draw, document: Any) -> Any:
    """One random change somewhere in `document` (changed in place where it can be)."""
    paths = all_paths(document)
    path = paths[draw(st.integers(0, len(paths) - 1))]
    node = get(document, path)
    operation = draw(st.sampled_from(OPERATIONS))
    return operation(draw, document, path, node)


def _delete(draw: Draw, document: Any, path: Path_, node: Any) -> Any:
    if not path:
        return {}
    parent = get(document, path[:-1])
    del parent[path[-1]]
    return document


def _replace(draw: Draw, document: Any, path: Path_, node: Any) -> Any:
    return _set(document, path, new_value(draw, document))


def _retype(draw: Draw, document: Any, path: Path_, node: Any) -> Any:
    changes = [
        lambda v: str(v),
        lambda v: [v],
        lambda v: {"value": v},
        lambda v: None,
        lambda v: 0,
        lambda v: True,
        lambda v: list(v) if isinstance(v, dict) else v,
        lambda v: -1.5,
    ]
    return _set(document, path, draw(st.sampled_from(changes))(node))


def _rename(draw: Draw, document: Any, path: Path_, node: Any) -> Any:
    if not path or not isinstance(get(document, path[:-1]), dict):
        return _add(draw, document, path, node)
    parent = get(document, path[:-1])
    new_key = draw(keys)
    items = [(new_key if key == path[-1] else key, value) for key, value in parent.items()]
    parent.clear()
    parent.update(items)
    return document


def _add(draw: Draw, document: Any, path: Path_, node: Any) -> Any:
    value = new_value(draw, document)
    if isinstance(node, dict):
        key = draw(keys | st.sampled_from(SCHEMA_KEYWORDS))
        node[key] = value
    elif isinstance(node, list):
        node.insert(draw(st.integers(0, len(node))), value)
    else:
        return _set(document, path, value)
    return document


SCHEMA_KEYWORDS = [
    "type", "nullable", "allOf", "oneOf", "anyOf", "discriminator", "example", "examples",
    "default", "enum", "const", "additionalProperties", "format", "pattern", "items", "required",
    "readOnly", "writeOnly", "$ref", "x-ext", "properties", "title", "description", "tags",
    "operationId", "parameters", "requestBody", "responses", "content", "schema", "in", "name",
]  # fmt: skip


def _ref(draw: Draw, document: Any, path: Path_, node: Any) -> Any:
    others = all_paths(document, limit=500)
    target = "#" + pointer(pick(draw, others))
    choice = draw(st.sampled_from([target, *schema_refs(document), "#" + pointer(path[:-1])]))
    if draw(st.booleans()) or not isinstance(node, dict):
        return _set(document, path, {"$ref": choice})
    node["$ref"] = choice  # a ref beside other keys
    return document


def _duplicate(draw: Draw, document: Any, path: Path_, node: Any) -> Any:
    others = all_paths(document, limit=500)
    where = pick(draw, others)
    target = get(document, where)
    if isinstance(target, dict):
        target[draw(keys)] = copy.deepcopy(node)
    elif isinstance(target, list):
        target.append(copy.deepcopy(node))
    return document


def _grow(draw: Draw, document: Any, path: Path_, node: Any) -> Any:
    kind = draw(st.sampled_from(["long", "many", "deep", "wide-name"]))
    if kind == "long":
        return _set(
            document,
            path,
            draw(st.sampled_from(["x", '"', "\\", "é"]))
            * draw(st.sampled_from([300, 3000, 70_000])),
        )
    if kind == "many" and isinstance(node, list) and node:
        node.extend(copy.deepcopy(node[0]) for _ in range(draw(st.integers(1, 40))))
        return document
    if kind == "deep":
        depth = draw(st.sampled_from([30, 90, 150, 260]))
        wrapped: Any = node
        for _ in range(depth):
            wrapped = {"type": "object", "properties": {"a": wrapped}}
        return _set(document, path, wrapped)
    if isinstance(node, dict) and node:
        key = next(iter(node))
        node[str(key) * 40 if str(key) else "x" * 300] = node.pop(key)
    return document


def _swap(draw: Draw, document: Any, path: Path_, node: Any) -> Any:
    others = [p for p in all_paths(document, limit=500) if p and p[: len(path)] != path]
    if not path or not others:
        return document
    other = pick(draw, others)
    if path[: len(other)] == other:
        return document  # an ancestor: cannot swap with it
    first, second = copy.deepcopy(node), copy.deepcopy(get(document, other))
    _set(document, path, second)
    _set(document, other, first)
    return document


OPERATIONS = [_delete, _replace, _retype, _rename, _add, _ref, _duplicate, _grow, _swap]


# --- writing -------------------------------------------------------------------------------


def serialise(document: Any, form: str) -> str:
    """The document as YAML or JSON text; Raw values spliced in as written."""
    raws: list[Raw] = []

    def swap_raw(node: Any) -> Any:
        if isinstance(node, Raw):
            raws.append(node)
            return f"RAWVALUE{len(raws) - 1}X"
        if isinstance(node, dict):
            return {key: swap_raw(value) for key, value in node.items()}
        if isinstance(node, list):
            return [swap_raw(value) for value in node]
        return node

    plain = swap_raw(document)
    if form == "json":
        text = json.dumps(plain, ensure_ascii=False, indent=1, default=str)
    else:
        text = yaml.safe_dump(plain, allow_unicode=True, sort_keys=False, width=10_000)

    def raw_text(match: re.Match[str]) -> str:
        raw = raws[int(match.group(1))]
        return raw.json if form == "json" else raw.yaml

    return re.sub(r"""["']?RAWVALUE(\d+)X["']?""", raw_text, text)


def damage(draw: Draw, data: bytes) -> bytes:
    """Text-level damage: truncation, a repeated line, inserted bytes, a BOM."""
    kind = draw(st.sampled_from(["truncate", "repeat-line", "insert", "bom", "tabs"]))
    if not data:
        return data
    at = draw(st.integers(0, len(data) - 1))
    if kind == "truncate":
        return data[:at]
    if kind == "repeat-line":
        lines = data.splitlines(keepends=True)
        index = draw(st.integers(0, len(lines) - 1))
        return b"".join([*lines[: index + 1], lines[index], *lines[index + 1 :]])
    if kind == "insert":
        junk: bytes = draw(
            st.sampled_from(
                [b"\xff", b"\x00", b"&a", b"*a", b"!!python/object:os.system", b"{", b"- ", b"\t"]
            )
        )
        return data[:at] + junk + data[at:]
    if kind == "bom":
        return b"\xef\xbb\xbf" + data
    return data.replace(b"  ", b"\t", 1)


@dataclass(frozen=True)
class Case:
    base: str
    form: str  # "yaml" or "json"
    text: bytes
    lenient: bool
    use_cache: bool

    @property
    def file_name(self) -> str:
        return f"spec.{self.form}"

    def __repr__(self) -> str:  # the whole text can be megabytes: show its start
        shown = self.text[:3000].decode("utf-8", "replace")
        return (
            f"Case(base={self.base!r}, form={self.form!r}, lenient={self.lenient},"
            f" use_cache={self.use_cache}, {len(self.text)} bytes:\n{shown}\n)"
        )

    def _repr_pretty_(self, printer: Any, _cycle: bool) -> None:
        """Hypothesis prints a dataclass field by field (all of `text`), not with its __repr__."""
        printer.text(repr(self))


@st.composite
def cases(draw: Draw) -> Case:
    base = draw(st.sampled_from(sorted(base_specs())))
    # Grown documents nest several hundred levels: copying and dumping them recurses deeper
    # than Python's default limit (the CLI raises it the same way, generator.cli).
    with deep_recursion():
        document: Any = copy.deepcopy(base_specs()[base])
        for _ in range(draw(st.integers(1, 3))):
            document = mutate(draw, document)
        form = draw(st.sampled_from(["yaml", "json"]))
        text = serialise(document, form).encode("utf-8", "surrogatepass")
    if draw(st.integers(0, 9)) == 0:
        text = damage(draw, text)
    return Case(base, form, text, lenient=draw(st.booleans()), use_cache=draw(st.booleans()))


@contextlib.contextmanager
def deep_recursion(limit: int = 10_000) -> Iterator[None]:
    previous = sys.getrecursionlimit()
    sys.setrecursionlimit(max(previous, limit))
    try:
        yield
    finally:
        sys.setrecursionlimit(previous)
