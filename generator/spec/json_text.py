"""Positions in a JSON text without composing it: `JsonText` reads only the containers on the
way to a pointer, and, after an edit, starts from what reading the last version found.
"""

from __future__ import annotations

import json
import re
from json.decoder import scanstring  # type: ignore[attr-defined]  # C, undeclared in typeshed
from pathlib import Path
from typing import NamedTuple

from generator.spec.text_edit import text_edit

Position = tuple[int, int]  # 1-based line and column


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


def looks_like_json(text: str) -> bool:
    return text.lstrip()[:1] in ("{", "[")


def json_file(path: str, mtime_ns: int, size: int) -> JsonText | None:
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
    if not looks_like_json(text):
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
