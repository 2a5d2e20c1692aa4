"""A JSON spec after an edit of some path items, parsed without parsing all of it again.

Decoding and parsing GitHub's 13 MB spec is a fifth of a run after a one-line edit. The last
run's record keeps its document marshalled (marshal.loads is three times faster than
json.loads) with the byte span of each path item. When the new text differs from that one only
inside a stretch of path items, the stretch is read for where its items are, and only those
whose text changed are parsed and take the place of the old ones: the rest of the text is the
same bytes, so it parses to the same values.

Anything else returns None and the caller parses the whole text as usual, which also reports
every error: a change outside `paths`, a path key added, removed or renamed, and any text in
the stretch that json.loads would not take (invalid JSON or UTF-8, an integer too long). A
duplicate key is kept as json.loads keeps it, the last one; load_spec's count of members
finds it as in any load (generator.spec.json_keys).
"""

from __future__ import annotations

import codecs
import json
import marshal
import re
import zlib
from dataclasses import dataclass
from typing import Any

from generator.spec.text_edit import Same, refine_text_edit, text_edit

# A path item's key, and where its text starts (the key's opening quote) and ends, in bytes
Span = tuple[str, int, int]

_WHITESPACE = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder()


@dataclass(frozen=True)
class JsonBase:
    """A JSON spec's text as one run read it: what the next run splices an edit into."""

    raw: bytes
    document: bytes  # json.loads of `raw`, marshalled
    spans: tuple[Span, ...]  # each path item's, in order
    checksum: int  # of `document`: marshal trusts its input, a damaged cache file must not do

    def parsed(self) -> dict[str, Any] | None:
        if zlib.crc32(self.document) != self.checksum:
            return None
        try:
            document = marshal.loads(self.document)
        except (ValueError, EOFError, TypeError):
            return None
        return document if isinstance(document, dict) else None


def json_base(raw: bytes) -> JsonBase | None:
    """The base for `raw`, a JSON document with a `paths` object; None for anything else."""
    try:
        document = json.loads(raw.decode("utf-8-sig"))
        spans = _path_item_spans(raw)
        marshalled = marshal.dumps(document, 4)
    except (ValueError, RecursionError):  # ValueError: also nested too deep for marshal
        return None
    if not isinstance(document, dict) or not isinstance(document.get("paths"), dict):
        return None
    if spans is None or [span[0] for span in spans] != list(document["paths"]):
        return None  # e.g. `paths` twice: the text is refused anyway
    return JsonBase(raw, marshalled, spans, zlib.crc32(marshalled))


def spliced(raw: bytes, base: JsonBase) -> tuple[dict[str, Any], frozenset[str]] | None:
    """The document `raw` holds, and the path items whose text differs from `base`'s (those
    were parsed; the rest are `base`'s); None if the difference is not inside a stretch of
    path items."""
    old = base.raw
    edit = text_edit(old, raw)
    start, old_end = edit.prefix, len(old) - edit.suffix  # the difference is old[start:old_end]
    if start == len(raw) == len(old):
        unchanged = base.parsed()
        return (unchanged, frozenset()) if unchanged is not None else None
    first = next((i for i in range(len(base.spans) - 1, -1, -1) if base.spans[i][1] <= start), None)
    last = next((i for i, span in enumerate(base.spans) if span[2] >= old_end), None)
    if first is None or last is None or first > last:
        return None
    before = base.spans[first : last + 1]
    stretch_at = before[0][1]
    stretch = raw[stretch_at : before[-1][2] + len(raw) - len(old)]
    changed: dict[str, Any] = {}
    same: list[Same] = []  # the items the edit left alone, for text_edit
    try:
        # The stretch read as the members of an object (as _path_item_spans reads the paths)
        text = "{" + stretch.decode("latin-1") + "}"
        members, end = _members(text, 0)
        keys = [_key(stretch, key_at - 1, key_end - 1) for _, key_at, key_end, _, _ in members]
        if end != len(text) or keys != [span[0] for span in before]:
            return None
        # Offsets in `text` are one past those in `stretch` (the brace put before it)
        for key, (_, key_at, _, value_at, value_end), (_, item_start, item_end) in zip(
            keys, members, before, strict=True
        ):
            if stretch[key_at - 1 : value_end - 1] != old[item_start:item_end]:
                changed[key] = json.loads(stretch[value_at - 1 : value_end - 1].decode("utf-8"))
            else:
                same.append((item_start, stretch_at + key_at - 1, item_end - item_start))
    except (ValueError, RecursionError):
        return None
    document = base.parsed()
    if document is None or not isinstance(document.get("paths"), dict):
        return None
    document["paths"].update(changed)
    refine_text_edit(old, raw, same)  # the last run's problems in those items move
    return document, frozenset(changed)


def _path_item_spans(raw: bytes) -> tuple[Span, ...] | None:
    """Each member of the top-level `paths` object: its key and byte span. The text is read as
    Latin-1, one character per byte, so positions are byte offsets: every byte of a UTF-8
    character outside ASCII is then a letter that JSON takes inside a string, and no quote,
    backslash or control character."""
    text = raw.decode("latin-1")
    at = len(codecs.BOM_UTF8) if raw.startswith(codecs.BOM_UTF8) else 0
    for key, _, _, value_at, _ in _members(text, at)[0]:
        if key == "paths":
            return tuple(
                (_key(raw, key_at, key_end), key_at, value_end)
                for _, key_at, key_end, _, value_end in _members(text, value_at)[0]
            )
    return None


def _key(raw: bytes, start: int, end: int) -> str:
    """A key as JSON reads it (the Latin-1 reading of its bytes is not)."""
    return str(json.loads(raw[start:end].decode("utf-8")))


# A member of an object read as Latin-1: its key so read, where the key starts and ends, where
# the value starts and ends
Member = tuple[str, int, int, int, int]


def _members(text: str, at: int) -> tuple[list[Member], int]:
    """The members of the object at `at` (read as Latin-1), and where the object ends."""
    at = _WHITESPACE.match(text, at).end()  # type: ignore[union-attr]  # always matches
    if text[at : at + 1] != "{":
        raise ValueError("not an object")
    members: list[Member] = []
    at = _WHITESPACE.match(text, at + 1).end()  # type: ignore[union-attr]
    if text[at : at + 1] == "}":
        return members, at + 1
    while True:
        if text[at : at + 1] != '"':
            raise ValueError("not a key")
        key, key_end = json.decoder.scanstring(text, at + 1)  # type: ignore[attr-defined]
        colon = _WHITESPACE.match(text, key_end).end()  # type: ignore[union-attr]
        if text[colon : colon + 1] != ":":
            raise ValueError("no colon")
        value_at = _WHITESPACE.match(text, colon + 1).end()  # type: ignore[union-attr]
        value_end = _value_end(text, value_at)
        members.append((key, at, key_end, value_at, value_end))
        at = _WHITESPACE.match(text, value_end).end()  # type: ignore[union-attr]
        if text[at : at + 1] == "}":
            return members, at + 1
        if text[at : at + 1] != ",":
            raise ValueError("no comma")
        at = _WHITESPACE.match(text, at + 1).end()  # type: ignore[union-attr]


def _value_end(text: str, at: int) -> int:
    return int(_DECODER.raw_decode(text, at)[1])
