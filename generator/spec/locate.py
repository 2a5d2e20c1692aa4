"""Where a JSON pointer sits in the spec file: `line:col`, so every message can say where to look.

The file is composed (YAML nodes with their marks, no values built) only when a message needs a
position, and once per file. A JSON file is not composed: `JsonText` finds positions with the
JSON scanner, indexing only the containers on the way to a pointer.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import yaml

from generator.spec.json_text import JsonText, Position, json_file, looks_like_json
from generator.spec.strict_yaml import _SafeLoader


def printable(text: str) -> str:
    """`text` on one line: control characters (a newline in a property name) escaped."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def escape_pointer_token(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def unescape_pointer_token(token: str) -> str:
    return token.replace("~1", "/").replace("~0", "~")


def ref_pointer(ref: str) -> str:
    """The JSON pointer a local `$ref` names: its URI fragment, percent-decoded (RFC 6901 §6:
    `#/paths/~1items~1%7Bid%7D` is `/paths/~1items~1{id}`, as converters write it)."""
    pointer = ref.removeprefix("#")
    return unquote(pointer) if "%" in pointer else pointer


def ref_name(ref: str) -> str:
    """The name a local `$ref` ends in, as its target is named: `#/components/schemas/Cat%2DDog`
    -> `Cat-Dog` (percent-decoded, then unescaped, as the ref resolves)."""
    tokens = pointer_tokens(ref_pointer(ref))
    return tokens[-1] if tokens else ""


def pointer_tokens(pointer: str) -> list[str]:
    """`/paths/~1a~1/get` -> ["paths", "/a/", "get"] (a leading `#` is allowed)."""
    pointer = pointer.removeprefix("#")
    if pointer in ("", "/"):
        return []
    return [unescape_pointer_token(token) for token in pointer[1:].split("/")]


def to_pointer(tokens: Iterable[Any]) -> str:
    return "".join(f"/{escape_pointer_token(str(token))}" for token in tokens)


class Locator:
    """Positions of JSON pointers in one file; a pointer the file lacks gets its nearest
    existing ancestor's position (a bundled or repaired document can hold nodes the file has
    not), and an unreadable file gets none."""

    def __init__(self, path: Path | None = None, *, text: str | None = None) -> None:
        self._path = path
        self._text = text
        self._root: yaml.Node | None = None
        self._composed = False
        self._keys: dict[int, dict[str, tuple[yaml.Mark, yaml.Node]]] = {}  # per mapping node
        self._json: JsonText | bool | None = False  # False: not looked at yet

    def _json_text(self) -> JsonText | None:
        """A JSON file's text, indexed on demand (composing 13 MB of JSON as YAML takes
        seconds; the JSON scanner finds a few positions in a fraction of that)."""
        if self._json is False:
            self._json = None
            if self._text is not None:
                self._json = JsonText(self._text) if looks_like_json(self._text) else None
            elif self._path is not None:
                try:
                    stat = self._path.stat()
                except OSError:
                    return None
                self._json = json_file(str(self._path.resolve()), stat.st_mtime_ns, stat.st_size)
        return self._json if isinstance(self._json, JsonText) else None

    @property
    def root(self) -> yaml.Node | None:
        if not self._composed:
            self._composed = True
            self._root = self._compose()
        return self._root

    def _compose(self) -> yaml.Node | None:
        if self._text is not None:
            return _compose_text(self._text)
        if self._path is None:
            return None
        try:
            stat = self._path.stat()
        except OSError:
            return None
        # Validation and the CLI's warnings both ask for positions in the same file: composing
        # a 13 MB spec takes seconds, so the last file's tree is kept while it is unchanged.
        return _compose_file(str(self._path.resolve()), stat.st_mtime_ns, stat.st_size)

    def position(self, pointer: str) -> Position | None:
        """Where the node at `pointer` starts; for a mapping entry, where its key starts."""
        json_text = self._json_text()
        if json_text is not None:
            try:
                return json_text.position(pointer_tokens(pointer))
            except (ValueError, IndexError, RecursionError):  # not JSON (YAML in flow style)
                self._json = None
        node = self.root
        if node is None:
            return None
        mark = node.start_mark
        for token in pointer_tokens(pointer):
            found = self._child(node, token)
            if found is None:
                break
            mark, node = found
        return mark.line + 1, mark.column + 1

    def _child(self, node: yaml.Node, token: str) -> tuple[yaml.Mark, yaml.Node] | None:
        """(mark to report, child node) for one step; a mapping's keys are indexed once."""
        if isinstance(node, yaml.MappingNode):
            keys = self._keys.get(id(node))
            if keys is None:
                keys = {}
                for key, value in node.value:
                    if isinstance(key, yaml.ScalarNode):
                        keys.setdefault(str(key.value), (key.start_mark, value))
                self._keys[id(node)] = keys
            return keys.get(token)
        if isinstance(node, yaml.SequenceNode) and token.isdigit() and int(token) < len(node.value):
            item = node.value[int(token)]
            return item.start_mark, item
        return None

    def where(self, pointer: str) -> str:
        """`12:5: #/paths/...` (or `#/paths/...` when the file cannot be read)."""
        position = self.position(pointer)
        shown = f"#{printable(pointer)}"
        return f"{position[0]}:{position[1]}: {shown}" if position else shown

    def pointer_of_key(self, line: int, column: int) -> str | None:
        """The pointer of the mapping entry whose key starts at (0-based) line and column."""
        stack: list[tuple[yaml.Node, str]] = [(self.root, "")] if self.root is not None else []
        while stack:
            node, pointer = stack.pop()
            if isinstance(node, yaml.MappingNode):
                for key, value in node.value:
                    here = f"{pointer}/{escape_pointer_token(str(key.value))}"
                    if (key.start_mark.line, key.start_mark.column) == (line, column):
                        return here
                    stack.append((value, here))
            elif isinstance(node, yaml.SequenceNode):
                stack.extend((item, f"{pointer}/{i}") for i, item in enumerate(node.value))
        return None


def resolve_pointer(document: Any, pointer: str) -> Any:
    """The node at a JSON pointer (`/components/schemas/X`); KeyError when it leads nowhere.

    RFC 6901: "" is the whole document, "/" the member named "" (a ref to `#/` is no root),
    and a list index is digits only.
    """
    node = document
    raw_tokens = pointer.removeprefix("/").split("/") if pointer else []
    for token in (raw.replace("~1", "/").replace("~0", "~") for raw in raw_tokens):
        if isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
        elif isinstance(node, dict) and token in node:
            node = node[token]
        else:
            raise KeyError(token)
    return node


def follow_refs(
    document: Any, pointer: str, value: Any, stop: Callable[[Mapping[str, Any]], bool] | None = None
) -> tuple[str, Any]:
    """(pointer, node) where the local `$ref`s starting at `value` (found at `pointer`) lead:
    the one resolver of local references outside the parser.

    A ref that is not local, leads nowhere, or loops stops the walk: the node with that `$ref`
    is returned, for the caller to report or skip. So does a node `stop` accepts.
    """
    seen: set[str] = set()
    while (
        isinstance(value, Mapping)
        and isinstance(value.get("$ref"), str)
        and not (stop and stop(value))
    ):
        ref: str = value["$ref"]
        if not ref.startswith("#") or ref in seen:
            break
        seen.add(ref)
        try:
            target = resolve_pointer(document, ref_pointer(ref))
        except (LookupError, TypeError, ValueError):
            break
        pointer, value = ref_pointer(ref), target
    return pointer, value


def real_pointer(document: Any, tokens: Iterable[Any]) -> str:
    """The pointer of the node reached by walking `tokens` from the root, `$ref`s followed.

    Validators walk a document through its references, so the path they report can run
    through a `$ref` (`/paths/~1a/get/.../schema/properties/x` where `schema` is a ref): the
    node really sits in the referenced component, and that is what a user must edit.
    """
    real: list[str] = []
    node = document
    for raw in tokens:
        token = str(raw)
        here = to_pointer(real)
        pointer, node = follow_refs(document, here, node, stop=_holding(token))
        if pointer != here:
            real = pointer_tokens(pointer)
        real.append(token)
        if isinstance(node, dict):
            node = node.get(token, _MISSING)
        elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
        else:
            node = _MISSING
    return to_pointer(real)


_MISSING: Any = object()


def _holding(key: str) -> Callable[[Mapping[str, Any]], bool]:
    """A mapping holding `key` is where a walk stops following `$ref`s (3.1 allows siblings)."""
    return lambda node: key in node


@functools.lru_cache(maxsize=1)
def _compose_file(path: str, mtime_ns: int, size: int) -> yaml.Node | None:
    try:
        text = Path(path).read_bytes().decode("utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return None
    return _compose_text(text)


def _compose_text(text: str) -> yaml.Node | None:
    try:
        return yaml.compose(text, Loader=_SafeLoader)
    except (yaml.YAMLError, RecursionError):
        return None
