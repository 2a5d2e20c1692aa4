"""Load a spec file (YAML or JSON) into plain data, refusing what cannot be trusted.

A spec is untrusted input: it is read with a safe loader, bounded in depth and size, and its
relative-file `$ref`s are inlined so later stages see one self-contained document.
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from generator.errors import SpecError
from generator.spec.locate import Locator
from generator.spec.locate import escape_pointer_token as escape_pointer_token
from generator.spec.strict_yaml import DuplicateKeyError, load_yaml
from generator.spec.yaml_chunks import ChunkCache

# The operation keys of an OpenAPI path item, in the order the generator walks them.
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
MAX_DEPTH = 200  # deeper than any real spec; bounds recursion in every later stage
MAX_NODES = 5_000_000  # bounds the work a YAML alias bomb can cause


@dataclass(frozen=True)
class LoadedSpec:
    """The parsed document plus what the generated header and error messages need."""

    path: Path
    display_name: str
    data: dict[str, Any]
    sha256: str
    # How the YAML was parsed, and which of its pieces a past run validated already.
    pieces: ChunkCache | None = None


def load_spec(
    path: Path, *, display_name: str | None = None, cache_dir: Path | None = None
) -> LoadedSpec:
    """Read, parse and bundle a spec file; every failure is a one-line SpecError.

    With a `cache_dir`, the YAML pieces parsed last time are reused (generator.spec.yaml_chunks);
    the caller saves them (`spec.pieces.save()`) once it knows whether the spec is valid.
    """
    name = display_name or str(path)
    raw = _read_bytes(path, name)
    pieces = ChunkCache(cache_dir, path)
    data = parse_document(raw, name, json_first=path.suffix.lower() == ".json", pieces=pieces)
    _check_bounds(data, name)
    refs = collect_refs(data)
    locator = Locator(path)
    if any(not ref.startswith("#") for ref in refs):
        data = _Bundler(path.resolve().parent, name, locator).bundle(data)
        pieces.trusted = False  # another file may have changed under an unchanged piece
        refs = collect_refs(data)
    _check_local_refs(data, refs, name, locator)
    return LoadedSpec(
        path=path,
        display_name=name,
        data=data,
        sha256=hashlib.sha256(raw).hexdigest(),
        pieces=pieces,
    )


def _read_bytes(path: Path, name: str) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise SpecError(name, "no such file") from None
    except IsADirectoryError:
        raise SpecError(name, "is a directory, not a spec file") from None
    except OSError as exc:
        raise SpecError(name, f"cannot read: {exc.strerror}") from None


def parse_document(
    raw: bytes, name: str, *, json_first: bool = False, pieces: ChunkCache | None = None
) -> dict[str, Any]:
    """Decode and parse one document; it must be a UTF-8 YAML/JSON mapping.

    YAML is parsed piece by piece through `pieces` when given (faster, and cached); any piece
    it cannot handle makes it parse the whole text as usual, which also reports the error.
    """
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SpecError(name, f"not UTF-8 (byte {exc.start}: {raw[exc.start]:#x})") from None
    if not text.strip():
        raise SpecError(name, "the file is empty")
    if json_first:
        data = _parse_json(text, name)
    else:
        data = (pieces.load(text) if pieces else None) or _parse_yaml(text, name)
    if not isinstance(data, dict):
        raise SpecError(name, f"the document is a {_kind(data)}, not a mapping")
    return data


def _parse_json(text: str, name: str) -> Any:
    try:
        return json.loads(text, object_pairs_hook=_unique_keys)
    except json.JSONDecodeError as exc:
        raise SpecError(name, f"invalid JSON: {exc.msg}", f"{exc.lineno}:{exc.colno}") from None
    except _DuplicateJsonKey as exc:
        _parse_yaml(text, name)  # JSON is YAML: its parser reports both lines
        raise SpecError(name, f"duplicate key {exc.key!r}") from None
    except RecursionError:
        raise SpecError(name, f"nested deeper than {MAX_DEPTH} levels") from None


class _DuplicateJsonKey(Exception):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    mapping = dict(pairs)
    if len(mapping) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _DuplicateJsonKey(key)
            seen.add(key)
    return mapping


def _parse_yaml(text: str, name: str) -> Any:
    try:
        return load_yaml(text)
    except DuplicateKeyError as exc:
        mark = exc.problem_mark
        pointer = Locator(text=text).pointer_of_key(mark.line, mark.column) if mark else None
        where = f"{mark.line + 1}:{mark.column + 1}" if mark else ""
        if pointer is not None:
            where += f": #{pointer}"
        raise SpecError(name, str(exc.problem), where) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"{mark.line + 1}:{mark.column + 1}" if mark else ""
        problem = exc.problem or exc.context or "malformed YAML"
        raise SpecError(name, f"invalid YAML: {problem}", where) from None
    except yaml.YAMLError as exc:
        raise SpecError(name, f"invalid YAML: {exc}") from None
    except RecursionError:
        raise SpecError(name, f"nested deeper than {MAX_DEPTH} levels") from None


def _kind(value: object) -> str:
    return {list: "list", str: "string", int: "number", float: "number"}.get(
        type(value), type(value).__name__
    )


def _check_bounds(data: Any, name: str) -> None:
    """Refuse alias bombs, recursive aliases and absurd nesting before anything walks the data.

    YAML aliases share one object, so a billion-laughs file loads small; but every later stage
    walks it expanded. The expanded size and depth of each shared node are computed once
    (memoised by identity), so even a 10^9-node bomb is refused after a few hundred steps.
    """
    measured: dict[int, tuple[int, int]] = {}  # id -> (expanded node count, depth below)
    open_nodes: set[int] = set()  # ancestors of the node being walked
    stack: list[tuple[Any, bool]] = [(data, False)]
    while stack:
        node, children_done = stack.pop()
        key = id(node)
        if children_done:
            measured[key] = _measure(node, measured, name)
            open_nodes.discard(key)
            continue
        if key in measured:
            continue
        if key in open_nodes:
            raise SpecError(name, "a YAML alias contains itself (a recursive document)")
        open_nodes.add(key)
        stack.append((node, True))
        stack.extend(
            (child, False)
            for child in _children(node)
            if isinstance(child, dict | list) and id(child) not in measured
        )


def _children(node: dict[Any, Any] | list[Any]) -> Any:
    return node.values() if isinstance(node, dict) else node


def _measure(
    node: dict[Any, Any] | list[Any], measured: dict[int, tuple[int, int]], name: str
) -> tuple[int, int]:
    """(expanded node count, depth) of a container whose children are measured already."""
    total, depth = 1, 0
    for child in _children(node):
        size, below = measured[id(child)] if isinstance(child, dict | list) else (1, 0)
        total += size
        depth = max(depth, below + 1)
    if total > MAX_NODES:
        raise SpecError(name, f"more than {MAX_NODES:,} nodes (a YAML alias bomb?)")
    if depth > MAX_DEPTH:
        raise SpecError(name, f"nested deeper than {MAX_DEPTH} levels")
    return total, depth


def resolve_pointer(document: Any, pointer: str) -> Any:
    """Follow a JSON pointer (`/components/schemas/X`); KeyError when it leads nowhere."""
    node = document
    for raw_token in pointer.lstrip("/").split("/") if pointer not in ("", "/") else []:
        token = raw_token.replace("~1", "/").replace("~0", "~")
        if isinstance(node, list):
            node = node[int(token)]
        elif isinstance(node, dict):
            node = node[token]
        else:
            raise KeyError(token)
    return node


class _Bundler:
    """Inlines relative-file `$ref`s into one document, never reading outside `root`.

    A schema from another file is hoisted into `components/schemas` (named after its pointer's
    last token) and referenced locally: it becomes one class however often it is used, and a
    schema that reaches itself through files (`Tag.parent: {$ref: "#/Tag"}`) still resolves.
    """

    def __init__(self, root: Path, name: str, locator: Locator) -> None:
        self.root = root
        self.name = name
        self.locator = locator  # positions in the main file (refs in other files get none)
        self.hoisted: dict[str, str] = {}  # "file#fragment" -> component name
        self.hoisted_schemas: dict[str, Any] = {}
        self.taken: set[str] = set()  # component names the document already has

    def bundle(self, data: dict[str, Any]) -> dict[str, Any]:
        schemas = (data.get("components") or {}).get("schemas")
        self.taken = set(schemas) if isinstance(schemas, dict) else set()
        bundled: dict[str, Any] = self.inline(data, self.root, stack=())
        if self.hoisted_schemas:
            components = bundled.setdefault("components", {})
            components.setdefault("schemas", {}).update(self.hoisted_schemas)
        return bundled

    def inline(
        self, node: Any, base_dir: Path, *, stack: tuple[str, ...], pointer: str = ""
    ) -> Any:
        """Replace `other.yaml#/X` refs by the target's content; local `#/...` refs stay."""
        if isinstance(node, list):
            return [
                self.inline(v, base_dir, stack=stack, pointer=f"{pointer}/{i}")
                for i, v in enumerate(node)
            ]
        if not isinstance(node, dict):
            return node
        ref = node.get("$ref")
        if isinstance(ref, str) and not ref.startswith("#"):
            return self.load(ref, base_dir, stack=stack, pointer=pointer)
        return {
            key: self.inline(
                value, base_dir, stack=stack, pointer=f"{pointer}/{escape_pointer_token(key)}"
            )
            for key, value in node.items()
        }

    def load(self, ref: str, base_dir: Path, *, stack: tuple[str, ...], pointer: str) -> Any:
        name = self.name
        where = self.locator.where(f"{pointer}/$ref") if not stack else f"#{pointer}/$ref"
        if "://" in ref or ref.startswith("//"):
            raise SpecError(name, f"remote $ref {ref!r} is not supported (use a local file)", where)
        file_part, _, fragment = ref.partition("#")
        target = (base_dir / file_part).resolve()
        if not target.is_relative_to(self.root):
            # A spec must not read files beyond its own folder into the generated client.
            raise SpecError(name, f"$ref {ref!r} points outside the spec's folder", where)
        key = f"{target}#{fragment}"
        if key in stack:
            if not pointer:  # a ref whose target is only a ref back: nothing to hoist
                raise SpecError(name, f"circular file $ref {ref!r}", where)
            return {"$ref": f"#/components/schemas/{escape_pointer_token(self._hoist(key))}"}
        if not target.is_file():
            raise SpecError(name, f"$ref {ref!r}: no such file {file_part!r}", where)
        document = parse_document(
            target.read_bytes(), str(target), json_first=target.suffix == ".json"
        )
        _check_bounds(document, str(target))
        try:
            content = resolve_pointer(document, fragment)
        except (KeyError, IndexError, ValueError):
            raise SpecError(name, f"unresolved $ref {ref!r}", where) from None
        # Local refs inside the other file point into that file: inline those too.
        content = _rebase_local_refs(copy.deepcopy(content), file_part)
        if not _looks_like_schema(content):
            return self.inline(content, target.parent, stack=(*stack, key))
        # A schema becomes a component of its own: one class however often it is used.
        component = self._hoist(key)
        if component not in self.hoisted_schemas:
            self.hoisted_schemas[component] = {}  # claimed before recursing into it
            self.hoisted_schemas[component] = self.inline(
                content, target.parent, stack=(*stack, key)
            )
        return {"$ref": f"#/components/schemas/{escape_pointer_token(component)}"}

    def _hoist(self, key: str) -> str:
        if key not in self.hoisted:
            # Component names may only use these characters (OpenAPI's own rule).
            wanted = re.sub(r"[^a-zA-Z0-9._-]", "_", key.rsplit("/", 1)[-1]) or "Schema"
            name, counter = wanted, 2
            while name in self.hoisted.values() or name in self.taken:
                name, counter = f"{wanted}{counter}", counter + 1
            self.hoisted[key] = name
        return self.hoisted[key]


_SCHEMA_KEYWORDS = frozenset(
    {
        "type",
        "properties",
        "items",
        "enum",
        "const",
        "allOf",
        "oneOf",
        "anyOf",
        "additionalProperties",
    }
)
_NOT_SCHEMA_KEYWORDS = frozenset(
    {"in", "content", "schema", "responses", "requestBody", "get", "put", "post", "delete", "patch"}
)


def _looks_like_schema(node: Any) -> bool:
    """A JSON Schema rather than a path item, parameter, response or request body."""
    return (
        isinstance(node, dict)
        and bool(_SCHEMA_KEYWORDS & node.keys())
        and not _NOT_SCHEMA_KEYWORDS & node.keys()
    )


def _rebase_local_refs(node: Any, file_part: str) -> Any:
    if isinstance(node, list):
        return [_rebase_local_refs(v, file_part) for v in node]
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#"):
            return {**node, "$ref": f"{Path(file_part).name}{ref}"}
        return {k: _rebase_local_refs(v, file_part) for k, v in node.items()}
    return node


def collect_refs(data: Any) -> set[str]:
    """Every distinct `$ref` string under `data` (iterative: documents can nest deeply)."""
    refs: set[str] = set()
    stack: list[Any] = [data]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str):
                refs.add(ref)
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return refs


def _check_local_refs(data: dict[str, Any], refs: set[str], name: str, locator: Locator) -> None:
    """Every `#/...` ref must lead somewhere; say which ref and where it was used.

    Each distinct ref is resolved once; where a bad one sits is only worked out when there is
    one (building every node's pointer would cost more than the check).
    """
    for ref in sorted(refs):
        try:
            resolve_pointer(data, ref[1:])
        except (KeyError, IndexError, ValueError):
            where = locator.where(f"{_pointer_of_ref(data, ref)}/$ref")
            raise SpecError(name, f"unresolved $ref {ref!r}", where) from None


def _pointer_of_ref(data: dict[str, Any], wanted: str) -> str:
    """Where the first use of the ref `wanted` sits (for the error message)."""
    stack: list[tuple[Any, str]] = [(data, "")]
    while stack:
        node, pointer = stack.pop()
        if isinstance(node, dict):
            if node.get("$ref") == wanted:
                return pointer
            stack.extend(
                (value, f"{pointer}/{escape_pointer_token(str(key))}")
                for key, value in reversed(node.items())
            )
        elif isinstance(node, list):
            stack.extend(
                (value, f"{pointer}/{index}") for index, value in reversed(list(enumerate(node)))
            )
    return ""
