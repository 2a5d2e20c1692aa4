"""Load a spec file (YAML or JSON) into plain data, refusing what cannot be trusted.

A spec is untrusted input: it is read with a safe loader, bounded in depth and size, and its
relative-file `$ref`s are inlined so later stages see one self-contained document.
"""

from __future__ import annotations

import copy
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from generator.errors import SpecError

# The C loader is ~10x faster on large specs; fall back when libyaml is missing.
_SafeLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

MAX_DEPTH = 200  # deeper than any real spec; bounds recursion in every later stage
MAX_NODES = 5_000_000  # bounds the work a YAML alias bomb can cause


@dataclass(frozen=True)
class LoadedSpec:
    """The parsed document plus what the generated header and error messages need."""

    path: Path
    display_name: str
    data: dict[str, Any]
    sha256: str


def load_spec(path: Path, *, display_name: str | None = None) -> LoadedSpec:
    """Read, parse and bundle a spec file; every failure is a one-line SpecError."""
    name = display_name or str(path)
    raw = _read_bytes(path, name)
    data = parse_document(raw, name, json_first=path.suffix.lower() == ".json")
    _check_bounds(data, name)
    data = _inline_external_refs(data, path.resolve().parent, name, stack=())
    _check_local_refs(data, name)
    return LoadedSpec(
        path=path, display_name=name, data=data, sha256=hashlib.sha256(raw).hexdigest()
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


def parse_document(raw: bytes, name: str, *, json_first: bool = False) -> dict[str, Any]:
    """Decode and parse one document; it must be a UTF-8 YAML/JSON mapping."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SpecError(name, f"not UTF-8 (byte {exc.start}: {raw[exc.start]:#x})") from None
    if not text.strip():
        raise SpecError(name, "the file is empty")
    data = _parse_json(text, name) if json_first else _parse_yaml(text, name)
    if not isinstance(data, dict):
        raise SpecError(name, f"the document is a {_kind(data)}, not a mapping")
    return data


def _parse_json(text: str, name: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise SpecError(name, f"invalid JSON: {exc.msg}", f"{exc.lineno}:{exc.colno}") from None
    except RecursionError:
        raise SpecError(name, f"nested deeper than {MAX_DEPTH} levels") from None


def _parse_yaml(text: str, name: str) -> Any:
    try:
        return yaml.load(text, Loader=_SafeLoader)  # a safe loader: plain data only
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
    """Refuse alias bombs and absurd nesting before anything recursive walks the document."""
    nodes = 0
    stack: list[tuple[Any, int]] = [(data, 0)]
    while stack:
        node, depth = stack.pop()
        nodes += 1
        if nodes > MAX_NODES:
            raise SpecError(name, f"more than {MAX_NODES:,} nodes (a YAML alias bomb?)")
        if depth > MAX_DEPTH:
            raise SpecError(name, f"nested deeper than {MAX_DEPTH} levels")
        if isinstance(node, dict):
            stack.extend((value, depth + 1) for value in node.values())
        elif isinstance(node, list):
            stack.extend((value, depth + 1) for value in node)


def escape_pointer_token(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


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


def _inline_external_refs(
    node: Any, base_dir: Path, name: str, *, stack: tuple[str, ...], pointer: str = ""
) -> Any:
    """Replace `other.yaml#/X` refs by the target's content; local `#/...` refs stay."""
    if isinstance(node, list):
        return [
            _inline_external_refs(v, base_dir, name, stack=stack, pointer=f"{pointer}/{i}")
            for i, v in enumerate(node)
        ]
    if not isinstance(node, dict):
        return node
    ref = node.get("$ref")
    if isinstance(ref, str) and not ref.startswith("#"):
        return _load_external(ref, base_dir, name, stack=stack, pointer=pointer)
    return {
        key: _inline_external_refs(
            value, base_dir, name, stack=stack, pointer=f"{pointer}/{escape_pointer_token(key)}"
        )
        for key, value in node.items()
    }


def _load_external(
    ref: str, base_dir: Path, name: str, *, stack: tuple[str, ...], pointer: str
) -> Any:
    where = f"#{pointer}/$ref"
    if "://" in ref or ref.startswith("//"):
        raise SpecError(name, f"remote $ref {ref!r} is not supported (use a local file)", where)
    file_part, _, fragment = ref.partition("#")
    target = (base_dir / file_part).resolve()
    key = f"{target}#{fragment}"
    if key in stack:
        raise SpecError(name, f"circular file $ref {ref!r}", where)
    if not target.is_file():
        raise SpecError(name, f"$ref {ref!r}: no such file {file_part!r}", where)
    document = parse_document(target.read_bytes(), str(target), json_first=target.suffix == ".json")
    _check_bounds(document, str(target))
    try:
        content = resolve_pointer(document, fragment)
    except (KeyError, IndexError, ValueError):
        raise SpecError(name, f"unresolved $ref {ref!r}", where) from None
    # Local refs inside the other file point into that file: inline those too.
    content = _rebase_local_refs(copy.deepcopy(content), file_part)
    return _inline_external_refs(content, target.parent, name, stack=(*stack, key))


def _rebase_local_refs(node: Any, file_part: str) -> Any:
    if isinstance(node, list):
        return [_rebase_local_refs(v, file_part) for v in node]
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#"):
            return {**node, "$ref": f"{Path(file_part).name}{ref}"}
        return {k: _rebase_local_refs(v, file_part) for k, v in node.items()}
    return node


def _check_local_refs(data: dict[str, Any], name: str) -> None:
    """Every `#/...` ref must lead somewhere; say which ref and where it was used."""
    stack: list[tuple[Any, str]] = [(data, "")]
    while stack:
        node, pointer = stack.pop()
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str):
                try:
                    resolve_pointer(data, ref[1:])
                except (KeyError, IndexError, ValueError):
                    raise SpecError(name, f"unresolved $ref {ref!r}", f"#{pointer}/$ref") from None
            stack.extend(
                (value, f"{pointer}/{escape_pointer_token(str(key))}")
                for key, value in node.items()
            )
        elif isinstance(node, list):
            stack.extend((value, f"{pointer}/{index}") for index, value in enumerate(node))
