"""Where a JSON pointer sits in the spec file: `line:col`, so every message can say where to look.

The file is composed (YAML nodes with their marks, no values built) only when a message needs a
position, and once per file. A JSON file is not composed: `JsonText` finds positions with the
JSON scanner, indexing only the containers on the way to a pointer.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Iterable, Mapping
from json.decoder import scanstring  # type: ignore[attr-defined]  # C, undeclared in typeshed
from pathlib import Path
from typing import Any, NamedTuple

import yaml

from generator.spec.strict_yaml import _SafeLoader

Position = tuple[int, int]  # 1-based line and column


def printable(text: str) -> str:
    """`text` on one line: control characters (a newline in a property name) escaped."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def escape_pointer_token(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def unescape_pointer_token(token: str) -> str:
    return token.replace("~1", "/").replace("~0", "~")


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
                self._json = JsonText(self._text) if _looks_like_json(self._text) else None
            elif self._path is not None:
                try:
                    stat = self._path.stat()
                except OSError:
                    return None
                self._json = _json_file(str(self._path.resolve()), stat.st_mtime_ns, stat.st_size)
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
            target = resolve_pointer(document, ref[1:])
        except (LookupError, TypeError, ValueError):
            break
        pointer, value = ref[1:], target
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


class ScanState(NamedTuple):
    """What a JsonText has read of its text: per container, its offset, its children in
    reading order (key, mark, value offset), where reading goes on (None: past the value of
    the last child, not yet stepped over) and that value's offset."""

    length: int  # of the text
    containers: tuple[tuple[int, tuple[tuple[str, int, int], ...], int | None, int | None], ...]


class JsonText:
    """Positions in a JSON text. Only the containers on the way to a pointer are read, each
    only as far as the child asked for (the C scanner steps over the values before it).

    What reading one version of a text found (`scan_state`) holds in a new version for what
    lies in their common start and, shifted, in their common end (`resume`): after an edit
    of a 13 MB spec, the path items around the edited one are not stepped over again.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self._containers: dict[int, _Container] = {}  # per container offset

    def scan_state(self) -> ScanState:
        return ScanState(
            len(self.text),
            tuple(
                (offset, tuple((k, *at) for k, at in c.children.items()), c.at, c.last_value)
                for offset, c in self._containers.items()
                if not c.later  # taken over from an earlier version, not met again yet
            ),
        )

    def resume(self, state: ScanState, start: int, end: int) -> None:
        """Take over what reading another version of this text found (`state`), where it lies
        in the `start` characters at the start or the `end` characters at the end that the
        two versions share. A child read in the shared end is taken over only once reading
        this text has reached it (so it is where it was, whatever the change before it)."""
        shift = len(self.text) - state.length
        shared_end = state.length - end  # where the shared end starts in the other version
        for offset, children, at, last in state.containers:
            if offset >= shared_end:  # wholly in the shared end
                container = self._container(offset + shift)
                container.children = {k: (m + shift, v + shift) for k, m, v in children}
                container.count = len(children)
                container.at = None if at is None else at + shift
                container.last_value = None if last is None else last + shift
            elif offset < start:
                container = self._container(offset)
                if at is not None and at < start:  # all it read (text[at] too) is before it
                    kept = children
                else:  # the last value kept may reach into the change: stepped over again
                    kept = tuple(child for child in children if child[2] < start)
                    later = [child for child in children if child[1] >= shared_end]
                    if container.is_object and later:  # an array's indices may shift
                        container.later = [(k, m + shift, v + shift) for k, m, v in later]
                        container.later_at = None if at is None else at + shift
                    at = None if kept else container.at
                container.children = {k: (m, v) for k, m, v in kept}
                container.count = len(kept)
                container.at = at
                container.last_value = kept[-1][2] if kept else None

    def _container(self, offset: int) -> _Container:
        if offset not in self._containers:
            self._containers[offset] = _Container(self.text, offset, self._containers)
        return self._containers[offset]

    def position(self, tokens: list[str]) -> Position:
        """Raises ValueError or IndexError if the text is not JSON (RecursionError: too deep)."""
        mark = offset = _skip_space(self.text, 0)
        for token in tokens:
            found = self._container(offset).child(token)
            if found is None:
                break
            mark, offset = found
        line_start = self.text.rfind("\n", 0, mark) + 1
        return self.text.count("\n", 0, mark) + 1, mark - line_start + 1


class _Container:
    """The children of one JSON object or array, read up to the last one asked for."""

    def __init__(self, text: str, offset: int, others: dict[int, _Container]) -> None:
        self.text = text
        self.others = others  # the text's containers, by offset
        opening = text[offset]
        self.is_object = opening == "{"
        self.closing = {"{": "}", "[": "]"}.get(opening)
        self.children: dict[str, tuple[int, int]] = {}  # key or index: (mark, value offset)
        # Where reading goes on; None: past the last child's value, not yet stepped over.
        self.at: int | None = _skip_space(text, offset + 1)
        self.last_value: int | None = None
        self.count = 0
        # Children an earlier version of the text had after a change (JsonText.resume), in
        # reading order, and where reading went on after them: taken over when reached.
        self.later: list[tuple[str, int, int]] = []
        self.later_at: int | None = None

    def child(self, token: str | None) -> tuple[int, int] | None:
        """(offset to report, offset of the value) of a child, None if there is none (and
        with None, every child read: see `end`)."""
        text = self.text
        while token is None or token not in self.children:
            if self.at is None:
                self.at = self._after(self.last_value)
            if self.later and self.at == self.later[0][1]:
                for key, mark, value in self.later:
                    self.children.setdefault(key, (mark, value))
                self.count += len(self.later)
                self.last_value, self.at = self.later[-1][2], self.later_at
                self.later = []
                continue
            if not self.closing or text[self.at] == self.closing:
                break
            at = mark = self.at
            if self.is_object:
                if text[at] != '"':
                    raise ValueError(f"a key expected at {at}")
                key, at = scanstring(text, at + 1)
                at = _skip_space(text, at)
                if text[at] != ":":
                    raise ValueError(f"':' expected at {at}")
                at = _skip_space(text, at + 1)
            else:
                key, self.count = str(self.count), self.count + 1
            self.children.setdefault(key, (mark, at))
            self.last_value, self.at = at, None
        return None if token is None else self.children.get(token)

    def end(self) -> int:
        """Where this container's text ends (every child read)."""
        self.child(None)
        assert self.at is not None and self.closing is not None
        return self.at + 1

    def _after(self, value: int | None) -> int:
        """Where the child after the value at `value` starts (or the closing bracket)."""
        assert value is not None, "a pending step over always has a value"
        container = self.others.get(value)  # read already: its end is known, or nearly
        if container is not None and container.closing is not None:
            at = container.end()
        else:
            _, at = _JSON.raw_decode(self.text, value)
        at = _skip_space(self.text, at)
        if self.text[at] == ",":
            at = _skip_space(self.text, at + 1)
        return at


_JSON = json.JSONDecoder()
_SPACE = re.compile(r"[ \t\n\r]*")


def _skip_space(text: str, at: int) -> int:
    match = _SPACE.match(text, at)
    return match.end() if match else at


def _looks_like_json(text: str) -> bool:
    return text.lstrip()[:1] in ("{", "[")


def _json_file(path: str, mtime_ns: int, size: int) -> JsonText | None:
    """The last JSON file asked for stays indexed while it is unchanged (as _compose_file)."""
    key = (path, mtime_ns, size)
    if key not in _json_files:
        _json_files.clear()
        known = _json_texts.get(key)
        _json_files[key] = _indexed(path, *known) if known else _read_json_text(path)
    found = _json_files[key]
    return found[1] if found is not None else None


# The last JSON file read: its bytes and its index.
_json_files: dict[tuple[str, int, int], tuple[bytes, JsonText] | None] = {}
# Per JSON file (resolved path): an earlier version's bytes and what reading it found.
_earlier_scans: dict[str, tuple[bytes, ScanState]] = {}


def _read_json_text(path: str) -> tuple[bytes, JsonText] | None:
    try:
        raw = Path(path).read_bytes()
        text = raw.decode("utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return None
    return _indexed(path, raw, text)


def _indexed(path: str, raw: bytes, text: str) -> tuple[bytes, JsonText] | None:
    if not _looks_like_json(text):
        return None
    json_text = JsonText(text)
    earlier = _earlier_scans.get(path)
    if earlier is not None and earlier[0].startswith(_BOM) == raw.startswith(_BOM):
        old, state = earlier
        edit = text_edit(old, raw)
        bom = 1 if raw.startswith(_BOM) else 0  # decode("utf-8-sig") drops it: one character
        start = max(_characters(raw, 0, edit.prefix) - bom, 0)
        end = _characters(raw, len(raw) - edit.suffix, len(raw))
        json_text.resume(state, start, end)
    return raw, json_text


def known_json_text(path: Path, raw: bytes, text: str, read_at: FileStamp) -> None:
    """The JSON file at `path` held `raw`, which decodes to `text`, when it was read (its stamp
    then: `read_at`). While the file is so, positions in it are found in that text, indexed
    when first asked for (decoding GitHub's 13 MB again took a tenth of a second)."""
    try:
        now = file_stamp(path)
        resolved = str(path.resolve())
    except OSError:
        return
    if now == read_at and now[1] == len(raw):  # not changed while it was read
        _json_texts.clear()
        _json_texts[(resolved, *now)] = (raw, text)


FileStamp = tuple[int, int]  # modification time (ns) and size


def file_stamp(path: Path) -> FileStamp:
    stat = path.stat()
    return stat.st_mtime_ns, stat.st_size


# The last JSON text decoded while loading, by (resolved path, *stamp): its bytes and text.
_json_texts: dict[tuple[str, int, int], tuple[bytes, str]] = {}


_BOM = b"\xef\xbb\xbf"
_CONTINUATION = bytes(range(0x80, 0xC0))  # the bytes inside a UTF-8 character, after its first
_NOT_CONTINUATION = bytes(b for b in range(256) if b not in _CONTINUATION)


def _characters(raw: bytes, start: int, end: int) -> int:
    """The whole UTF-8 characters in raw[start:end] (a character cut at either edge is not)."""
    while start < end and raw[start] in _CONTINUATION:  # the rest of a character cut before
        start += 1
    while end > start and end < len(raw) and raw[end] in _CONTINUATION:  # cut after
        end -= 1
        while end > start and raw[end] in _CONTINUATION:
            end -= 1
    return (end - start) - len(raw[start:end].translate(None, _NOT_CONTINUATION))


def resume_json_scan(path: Path, old_text: bytes, state: ScanState) -> None:
    """Positions in the JSON file at `path` are to be found starting from what reading its
    earlier version (`old_text`) found (JsonText.resume), once first asked for."""
    _earlier_scans.clear()
    _earlier_scans[str(path.resolve())] = (old_text, state)
    _json_files.clear()


def json_scan_state(path: Path, text: bytes) -> ScanState | None:
    """What finding positions in the JSON file at `path` has read of it, if it was read and
    holds `text`."""
    resolved = str(path.resolve())
    for (read_path, _, _), found in _json_files.items():
        if read_path == resolved and found is not None and found[0] == text:
            return found[1].scan_state()
    return None


def _compose_text(text: str) -> yaml.Node | None:
    try:
        return yaml.compose(text, Loader=_SafeLoader)
    except (yaml.YAMLError, RecursionError):
        return None


def text_edit(old: bytes, new: bytes) -> TextEdit:
    """TextEdit(old, new), worked out once for the same two texts (a run after an edit asks
    for it to move problems, warnings and positions)."""
    if not (_last_edit and _last_edit[0] is old and _last_edit[1] is new):
        _last_edit[:] = [old, new, TextEdit(old, new)]
    edit: TextEdit = _last_edit[2]
    return edit


_last_edit: list[Any] = []  # old, new, their TextEdit


class TextEdit:
    """Where a new version of a text differs from the old: the lines before the first changed
    byte stay where they were, the lines after the last one move by the lines it added."""

    def __init__(self, old: bytes, new: bytes) -> None:
        self.prefix = prefix = _common_prefix(old, new)  # bytes the two share at the start
        limit = min(len(old), len(new)) - prefix  # the suffix may not overlap the prefix
        self.suffix = suffix = _common_suffix(old, new, limit)  # and at the end
        self.first_line = old.count(b"\n", 0, prefix) + 1  # the first line that changed
        self.last_line = old.count(b"\n", 0, len(old) - suffix) + 1  # the last one, in `old`
        self.added = new.count(b"\n", 0, len(new) - suffix) + 1 - self.last_line

    def moved(self, line: int) -> int | None:
        """Where an old line is now; None for a line the edit touched."""
        if line < self.first_line:
            return line
        if line > self.last_line:
            return line + self.added
        return None


def _common_prefix(a: bytes, b: bytes, chunk: int = 1 << 16) -> int:
    """The length of the longest common prefix: compared a chunk at a time, then halving
    the first chunk that differs (every comparison in C)."""
    length = min(len(a), len(b))
    start = 0
    while start + chunk <= length and a[start : start + chunk] == b[start : start + chunk]:
        start += chunk
    low, high = start, min(start + chunk, length)  # a[:low] == b[:low]; the answer <= high
    while low < high:
        middle = (low + high + 1) // 2
        if a[low:middle] == b[low:middle]:
            low = middle
        else:
            high = middle - 1
    return low


def _common_suffix(a: bytes, b: bytes, limit: int, chunk: int = 1 << 16) -> int:
    """The length of the longest common suffix, at most `limit` (likewise)."""
    length = 0
    while length + chunk <= limit and (
        a[len(a) - length - chunk : len(a) - length] == b[len(b) - length - chunk : len(b) - length]
    ):
        length += chunk
    low, high = length, min(length + chunk, limit)
    while low < high:
        middle = (low + high + 1) // 2
        if a[len(a) - middle : len(a) - low] == b[len(b) - middle : len(b) - low]:
            low = middle
        else:
            high = middle - 1
    return low
