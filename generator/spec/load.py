"""Load a spec file (YAML or JSON) into plain data, refusing what cannot be trusted.

A spec is untrusted input: it is read with a safe loader, bounded in depth and size, and its
relative-file `$ref`s are inlined so later stages see one self-contained document.
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from generator.errors import SpecError
from generator.spec.edits import (
    DocumentSummary,
    colons_by_part,
    digests_after_splice,
    digests_of,
    edited_part,
    edited_paths,
    refers_into_paths,
)
from generator.spec.json_keys import colons_in, may_have_duplicate_keys
from generator.spec.json_splice import JsonBase, spliced
from generator.spec.json_text import FileStamp, file_stamp, known_json_text
from generator.spec.limits import (
    MAX_DEPTH,
    MAX_NODES,
    check_bounds,
    check_text,
    max_spec_bytes,
    read_limited,
    unreadable_value,
)
from generator.spec.locate import Locator, ref_pointer, resolve_pointer
from generator.spec.locate import escape_pointer_token as escape_pointer_token
from generator.spec.refs import Mode, child_mode, iter_refs, own_ref
from generator.spec.refs import collect_refs as collect_refs
from generator.spec.strict_yaml import DuplicateKeyError, load_yaml
from generator.spec.yaml_chunks import ChunkCache

# The operation keys of an OpenAPI path item, in the order the generator walks them.
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


@dataclass(frozen=True)
class LoadedSpec:
    """The parsed document plus what the generated header and error messages need."""

    path: Path
    display_name: str
    data: dict[str, Any]
    sha256: str
    # How the YAML was parsed, and which of its pieces a past run validated already.
    pieces: ChunkCache | None = None
    raw: bytes = field(default=b"", repr=False)
    # For the next run to compare with (None: it cannot, e.g. a `$ref` points into `paths`);
    # and the path items edited since the `before` load_spec was given (None: not only those).
    summary: DocumentSummary | None = None
    edited: frozenset[str] | None = None


def load_spec(
    path: Path,
    *,
    display_name: str | None = None,
    cache_dir: Path | None = None,
    before: DocumentSummary | None = None,
    base: JsonBase | None = None,
) -> LoadedSpec:
    """Read, parse and bundle a spec file; every failure is a one-line SpecError.

    With a `cache_dir`, the YAML pieces parsed last time are reused (generator.spec.yaml_chunks);
    the caller saves them (`spec.pieces.save()`) once it knows whether the spec is valid.
    With `before` (the `summary` of an earlier load of a valid spec), a document that differs
    only in some path items has only those checked (`edited` names them); with that load's
    `base` too, a JSON document has only those parsed (generator.spec.json_splice).
    """
    name = display_name or str(path)
    _check_file_name(path, name)
    read_at = _stamp(path)
    raw = read_limited(path, name)
    pieces = ChunkCache(cache_dir, path)
    is_json = path.suffix.lower() == ".json"
    found = spliced(raw, base) if is_json and base is not None and before is not None else None
    text: str | None = None
    if found is not None and before is not None:
        data, parsed_again = found
        digests = digests_after_splice(before, data, parsed_again)
    else:
        text = decode_document(raw, name)
        # JSON's duplicate keys are checked below, counting only what an edit changed
        data = parse_document(
            raw, name, json_first=is_json, pieces=pieces, duplicates=not is_json, text=text
        )
        if is_json and read_at is not None:
            known_json_text(path, raw, text, read_at)  # positions are found in it, not again
        digests = digests_of(data)
    locator = Locator(path)
    colons = colons_by_part(data, digests, before) if is_json else None
    if colons is not None:
        _refuse_duplicate_keys(raw, text, name, sum(colons.values()))
    edited = edited_paths(before, digests) if before and digests else None
    if edited is not None and before is not None:
        part = edited_part(data, edited)
        nodes = before.nodes + check_values(part, None, name, locator)
        refs = collect_refs(part)
        if nodes > MAX_NODES or refers_into_paths(refs) or any(r[:1] != "#" for r in refs):
            edited = None  # checked as a whole below
    if edited is None:
        nodes = check_values(data, raw, name, locator)
        refs = collect_refs(data)
    if any(not ref.startswith("#") for ref in refs):
        data = _Bundler(path.resolve().parent, name, locator, len(raw)).bundle(data)
        pieces.trusted = False  # another file may have changed under an unchanged piece
        refs = collect_refs(data)
        digests = None
    _check_local_refs(data, refs, name, locator)
    _check_ref_loops(data, refs, name, locator)
    comparable = digests is not None and not refers_into_paths(refs)
    return LoadedSpec(
        path=path,
        display_name=name,
        data=data,
        sha256=hashlib.sha256(raw).hexdigest(),
        pieces=pieces,
        raw=raw,
        summary=DocumentSummary(digests, nodes, colons) if comparable and digests else None,
        edited=edited,
    )


def _stamp(path: Path) -> FileStamp | None:
    try:
        return file_stamp(path)
    except OSError:
        return None  # read_limited says why


def load_json_unchecked(
    path: Path, before: DocumentSummary, base: JsonBase | None = None
) -> LoadedSpec | None:
    """A JSON spec parsed with none of load_spec's checks (duplicate keys, limits, refs), and
    the path items edited since `before` (with that load's `base`, only those parsed, as
    load_spec does); None for anything else. For a helper racing the checked load, whose
    answer counts only if that load read the same bytes (`sha256`) and found the same items
    edited: then the checks passed for these very bytes."""
    if path.suffix.lower() != ".json":
        return None
    try:
        raw = read_limited(path, str(path))
        found = spliced(raw, base) if base is not None else None
        data = found[0] if found is not None else json.loads(raw.decode("utf-8-sig"))
    except (SpecError, ValueError, RecursionError):
        return None
    if found is not None:
        digests = digests_after_splice(before, data, found[1])
    else:
        digests = digests_of(data) if isinstance(data, dict) else None
    edited = edited_paths(before, digests) if digests else None
    if edited is None:
        return None
    sha256 = hashlib.sha256(raw).hexdigest()
    return LoadedSpec(
        path=path, display_name=str(path), data=data, sha256=sha256, raw=raw, edited=edited
    )


def _check_file_name(path: Path, name: str) -> None:
    """The name is copied into generated headers and messages: it must be valid UTF-8."""
    try:
        str(path).encode("utf-8")
    except UnicodeEncodeError:
        shown = os.fsencode(path).decode("utf-8", "backslashreplace")
        raise SpecError(shown, "the file name is not valid UTF-8: rename the file") from None


def check_values(data: Any, raw: bytes | None, name: str, locator: Locator | None = None) -> int:
    """Size, nesting and value limits (generator.spec.limits), before anything walks `data`;
    the node count. `raw`: the text `data` was parsed from, if all of it was (only an escape
    can make a lone surrogate: without one in `raw`, the strings are not walked for them)."""
    nodes = check_bounds(data, name, locator)
    if raw is None or b"\\u" in raw or b"\\U" in raw:
        check_text(data, name, locator)
    return nodes


def parse_document(
    raw: bytes,
    name: str,
    *,
    json_first: bool = False,
    pieces: ChunkCache | None = None,
    duplicates: bool = True,
    text: str | None = None,
) -> dict[str, Any]:
    """Decode and parse one document; it must be a UTF-8 YAML/JSON mapping.

    YAML is parsed piece by piece through `pieces` when given (faster, and cached); any piece
    it cannot handle makes it parse the whole text as usual, which also reports the error.
    `duplicates=False`: the caller checks JSON for duplicate keys (_refuse_duplicate_keys).
    `text`: `raw` decoded (decode_document), if the caller has it.
    """
    if text is None:
        text = decode_document(raw, name)
    if json_first:
        data = _parse_json(text, name)
        if duplicates and isinstance(data, dict):
            _refuse_duplicate_keys(raw, text, name, colons_in(data))
    else:
        try:
            data = pieces.load(text) if pieces else None
        except ValueError:  # e.g. an integer of more than 4300 digits: reported below
            data = None
        data = data or _parse_yaml(text, name)
    if not isinstance(data, dict):
        raise SpecError(name, f"the document is a {_kind(data)}, not a mapping")
    return data


def decode_document(raw: bytes, name: str) -> str:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SpecError(name, f"not UTF-8 (byte {exc.start}: {raw[exc.start]:#x})") from None
    if not text.strip():
        raise SpecError(name, "the file is empty")
    return text


def _parse_json(text: str, name: str, *, hook: bool = False) -> Any:
    try:
        return json.loads(text, object_pairs_hook=_unique_keys if hook else None)
    except json.JSONDecodeError as exc:
        raise SpecError(name, f"invalid JSON: {exc.msg}", f"{exc.lineno}:{exc.colno}") from None
    except _DuplicateJsonKey as exc:
        _parse_yaml(text, name)  # JSON is YAML: its parser reports both lines
        raise SpecError(name, f"duplicate key {exc.key!r}") from None
    except RecursionError:
        raise SpecError(name, f"nested deeper than {MAX_DEPTH} levels") from None
    except ValueError as exc:  # an integer of more than 4300 digits, a date like 2024-13-45
        raise unreadable_value(text, name, exc) from None


def _refuse_duplicate_keys(raw: bytes, text: str | None, name: str, colons: int) -> None:
    """Raise the one-line error for a duplicate key in the JSON text `raw` (decoded: `text`, if
    the caller has it), whose parsed document has json_keys.colons_in == `colons` (the count
    tells when to look)."""
    if may_have_duplicate_keys(raw, colons):
        _parse_json(text if text is not None else decode_document(raw, name), name, hook=True)


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
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow (NUL, ...)
        line = text.count("\n", 0, exc.position) + 1
        column = exc.position - text.rfind("\n", 0, exc.position)
        code = exc.character if isinstance(exc.character, int) else ord(exc.character)
        message = f"invalid YAML: the character U+{code:04X} is not allowed"
        raise SpecError(name, message, f"{line}:{column}") from None
    except yaml.YAMLError as exc:
        raise SpecError(name, f"invalid YAML: {' '.join(str(exc).split())}") from None
    except RecursionError:
        raise SpecError(name, f"nested deeper than {MAX_DEPTH} levels") from None
    except ValueError as exc:  # an integer of more than 4300 digits, a date like 2024-13-45
        raise unreadable_value(text, name, exc) from None


def _kind(value: object) -> str:
    return {list: "list", str: "string", int: "number", float: "number"}.get(
        type(value), type(value).__name__
    )


class _Bundler:
    """Inlines relative-file `$ref`s into one document, never reading outside `root`.

    A schema from another file is hoisted into `components/schemas` (named after its pointer's
    last token) and referenced locally: it becomes one class however often it is used, and a
    schema that reaches itself through files (`Tag.parent: {$ref: "#/Tag"}`) still resolves.
    """

    def __init__(self, root: Path, name: str, locator: Locator, size: int) -> None:
        self.root = root
        self.name = name
        self.locator = locator  # positions in the main file (refs in other files get none)
        self.hoisted: dict[str, str] = {}  # "file#fragment" -> component name
        self.hoisted_schemas: dict[str, Any] = {}
        self.taken: set[str] = set()  # component names the document already has
        self.documents: dict[Path, Any] = {}  # each other file, parsed once
        self.budget = max_spec_bytes() - size  # all files together stay within the size limit

    def bundle(self, data: dict[str, Any]) -> dict[str, Any]:
        components = data.get("components")
        schemas = components.get("schemas") if isinstance(components, dict) else None
        self.taken = set(schemas) if isinstance(schemas, dict) else set()
        bundled: dict[str, Any] = self.inline(data, self.root, stack=())
        if self.hoisted_schemas:
            # The schemas of other files join `components/schemas`, which must be a mapping.
            for pointer, node in (("/components", components), ("/components/schemas", schemas)):
                if node is not None and not isinstance(node, dict):
                    message = f"is a {_kind(node)}, not a mapping (other files' schemas go here)"
                    raise SpecError(self.name, message, self.locator.where(pointer))
            bundled.setdefault("components", {}).setdefault("schemas", {})
            bundled["components"]["schemas"].update(self.hoisted_schemas)
        return bundled

    def inline(
        self,
        node: Any,
        base_dir: Path,
        *,
        stack: tuple[str, ...],
        pointer: str = "",
        mode: Mode = Mode.KEYWORDS,
    ) -> Any:
        """Replace `other.yaml#/X` refs by the target's content; local `#/...` refs stay.

        Data (examples, defaults, `x-` extensions) is copied as it is, `$ref` keys included.
        """
        if isinstance(node, list):
            return [
                self.inline(v, base_dir, stack=stack, pointer=f"{pointer}/{i}")
                for i, v in enumerate(node)
            ]
        if not isinstance(node, dict):
            return node
        ref = own_ref(node, mode)
        if ref is not None and not ref.startswith("#"):
            return self.load(ref, base_dir, stack=stack, pointer=pointer, mode=mode)
        inlined: dict[str, Any] = {}
        for key, value in node.items():
            value_mode = child_mode(mode, key, value)
            if value_mode is None:
                inlined[key] = value
                continue
            child_pointer = f"{pointer}/{escape_pointer_token(key)}"
            inlined[key] = self.inline(
                value, base_dir, stack=stack, pointer=child_pointer, mode=value_mode
            )
        return inlined

    def load(
        self, ref: str, base_dir: Path, *, stack: tuple[str, ...], pointer: str, mode: Mode
    ) -> Any:
        name = self.name
        where = self.locator.where(f"{pointer}/$ref") if not stack else f"#{pointer}/$ref"
        if "://" in ref or ref.startswith("//"):
            raise SpecError(name, f"remote $ref {ref!r} is not supported (use a local file)", where)
        file_part, _, fragment = ref.partition("#")
        try:
            target = (base_dir / file_part).resolve()
            is_file = target.is_file()
        except (OSError, ValueError) as exc:  # a name too long, a NUL byte
            reason = getattr(exc, "strerror", None) or str(exc)
            raise SpecError(name, f"$ref {ref!r}: cannot read the file ({reason})", where) from None
        if not target.is_relative_to(self.root):
            # A spec must not read files beyond its own folder into the generated client.
            raise SpecError(name, f"$ref {ref!r} points outside the spec's folder", where)
        key = f"{target}#{fragment}"
        if key in stack:
            if not pointer:  # a ref whose target is only a ref back: nothing to hoist
                raise SpecError(name, f"circular file $ref {ref!r}", where)
            return {"$ref": f"#/components/schemas/{escape_pointer_token(self._hoist(key))}"}
        if not is_file:
            raise SpecError(name, f"$ref {ref!r}: no such file {file_part!r}", where)
        document = self._document(target)
        try:
            content = resolve_pointer(document, ref_pointer(fragment))
        except (KeyError, IndexError, ValueError):
            raise SpecError(name, f"unresolved $ref {ref!r}", where) from None
        # Local refs inside the other file point into that file: inline those too.
        content = _rebase_local_refs(copy.deepcopy(content), file_part, mode)
        if not _looks_like_schema(content):
            return self.inline(content, target.parent, stack=(*stack, key), mode=mode)
        # A schema becomes a component of its own: one class however often it is used.
        component = self._hoist(key)
        if component not in self.hoisted_schemas:
            self.hoisted_schemas[component] = {}  # claimed before recursing into it
            self.hoisted_schemas[component] = self.inline(
                content, target.parent, stack=(*stack, key)
            )
        return {"$ref": f"#/components/schemas/{escape_pointer_token(component)}"}

    def _document(self, target: Path) -> Any:
        """Another file of the spec, read within what is left of the size limit."""
        if target not in self.documents:
            raw = read_limited(target, str(target), budget=max(self.budget, 0))
            self.budget -= len(raw)
            document = parse_document(raw, str(target), json_first=target.suffix == ".json")
            check_values(document, raw, str(target))
            self.documents[target] = document
        return self.documents[target]

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


def _rebase_local_refs(node: Any, file_part: str, mode: Mode = Mode.KEYWORDS) -> Any:
    if isinstance(node, list):
        return [_rebase_local_refs(v, file_part) for v in node]
    if isinstance(node, dict):
        ref = own_ref(node, mode)
        if ref is not None and ref.startswith("#"):
            return {**node, "$ref": f"{Path(file_part).name}{ref}"}
        rebased: dict[str, Any] = {}
        for key, value in node.items():
            value_mode = child_mode(mode, key, value)
            rebased[key] = (
                value if value_mode is None else _rebase_local_refs(value, file_part, value_mode)
            )
        return rebased
    return node


def _check_local_refs(data: dict[str, Any], refs: set[str], name: str, locator: Locator) -> None:
    """Every `#/...` ref must lead somewhere; say which ref and where it was used.

    Each distinct ref is resolved once; where a bad one sits is only worked out when there is
    one (building every node's pointer would cost more than the check).
    """
    for ref in sorted(refs):
        try:
            target = resolve_pointer(data, ref_pointer(ref))
        except (KeyError, IndexError, ValueError):
            where = locator.where(f"{_pointer_of_ref(data, ref)}/$ref")
            raise SpecError(name, f"unresolved $ref {ref!r}", where) from None
        if not isinstance(target, dict | bool):  # every OpenAPI $ref names an object
            where = locator.where(f"{_pointer_of_ref(data, ref)}/$ref")
            kind = "null" if target is None else _kind(target)
            message = f"$ref {ref!r} leads to a {kind} value, not an object"
            raise SpecError(name, message, where)


def _pointer_of_ref(data: dict[str, Any], wanted: str) -> str:
    """Where the first use of the ref `wanted` sits (for the error message)."""
    return next((pointer for pointer, ref in iter_refs(data) if ref == wanted), "")


def _check_ref_loops(data: dict[str, Any], refs: set[str], name: str, locator: Locator) -> None:
    """A `$ref` whose target is only a `$ref` back to it describes nothing: every later stage
    would follow it forever. (A schema that contains itself, `Node.children: [Node]`, is fine.)
    """
    settled: set[str] = set()  # refs known to end at something other than a ref
    for start in sorted(ref for ref in refs if ref.startswith("#")):
        chain: list[str] = []
        ref: str | None = start
        while ref is not None and ref not in settled:
            if ref in chain:
                loop = " -> ".join([*chain[chain.index(ref) :], ref])
                where = locator.where(f"{_pointer_of_ref(data, start)}/$ref")
                raise SpecError(name, f"$ref loop with nothing in between: {loop}", where)
            chain.append(ref)
            try:
                target = resolve_pointer(data, ref_pointer(ref))
            except (KeyError, IndexError, ValueError):
                break
            next_ref = target.get("$ref") if isinstance(target, dict) else None
            ref = next_ref if isinstance(next_ref, str) and next_ref.startswith("#") else None
        settled.update(chain)
