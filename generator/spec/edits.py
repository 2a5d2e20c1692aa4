"""Which path items an edit changed since the last run, so the later stages redo only those.

A document is summarised by a digest per path item and one for everything else. The digest
is of the item serialized (marshal, or pickle), which, unlike `==`, tells `1`, `1.0` and
`true` apart: equal digests mean equal values of equal types. (Two equal values may still
serialize differently, e.g. a YAML alias shares a node where a copy does not; that only
makes an item count as changed.)

An edit counts as confined to path items when the same path items appear in the same order,
nothing outside `paths` changed, and no `$ref` points into `paths` (then no other part of the
document can depend on a path item). Anything else makes the caller redo everything.
"""

from __future__ import annotations

import hashlib
import marshal
import pickle
from dataclasses import dataclass
from typing import Any

from generator.spec.json_keys import colons_in

_REST = ""  # the digest key of everything outside `paths` (no path is empty: it starts with /)


@dataclass(frozen=True)
class DocumentSummary:
    """What a later run compares its document with."""

    digests: dict[str, bytes]  # path -> its item's digest; _REST -> all the rest
    nodes: int  # an upper bound of the node count (generator.spec.limits)
    # A JSON document's count of `:` by the same parts (generator.spec.json_keys)
    colons: dict[str, int] | None = None


def digests_of(data: dict[str, Any]) -> dict[str, bytes] | None:
    """The digest of each path item, and of the rest; None when `paths` is not a mapping, or
    the document is nested too deep to pickle (the bounds check then refuses it)."""
    paths = data.get("paths", {})
    if not isinstance(paths, dict) or any(not isinstance(path, str) or not path for path in paths):
        return None
    rest = {key: value for key, value in data.items() if key != "paths"}
    try:
        digests = {_REST: _digest(rest)}
        digests.update((path, _digest(item)) for path, item in paths.items())
    except (RecursionError, pickle.PicklingError):
        return None
    return digests


def digests_after_splice(
    before: DocumentSummary, data: dict[str, Any], parsed_again: frozenset[str]
) -> dict[str, bytes] | None:
    """The digests of `data`, which is `before`'s document but for the path items
    `parsed_again` (generator.spec.json_splice): `before`'s, and only those serialized (their
    digests may differ from what digests_of would give them: see _digest)."""
    digests = dict(before.digests)
    try:
        digests.update((path, _digest(data["paths"][path])) for path in parsed_again)
    except (RecursionError, pickle.PicklingError):
        return None
    return digests


def edited_paths(before: DocumentSummary, digests: dict[str, bytes]) -> frozenset[str] | None:
    """The paths whose items changed since `before`; None unless the edit is confined to them."""
    if list(before.digests) != list(digests) or before.digests[_REST] != digests[_REST]:
        return None
    return frozenset(path for path, digest in digests.items() if before.digests[path] != digest)


def colons_by_part(
    data: dict[str, Any], digests: dict[str, bytes] | None, before: DocumentSummary | None
) -> dict[str, int]:
    """json_keys.colons_in of each part `digests` covers (the whole document if None), taken
    from `before` for a part whose digest is the same: a run after an edit counts only what
    the edit changed."""
    if digests is None:
        return {_REST: colons_in(data)}
    known = before.colons if before is not None and before.colons is not None else {}

    def same(part: str) -> bool:
        return part in known and before is not None and before.digests.get(part) == digests[part]

    if same(_REST):
        counts = {_REST: known[_REST]}
    else:  # the rest, and the member that holds `paths`
        rest = {key: value for key, value in data.items() if key != "paths"}
        counts = {_REST: colons_in(rest) + ("paths" in data)}
    for path, item in data.get("paths", {}).items():
        # the member in `paths` (its key may hold colons too), and the item
        counts[path] = known[path] if same(path) else 1 + path.count(":") + colons_in(item)
    return counts


def edited_part(data: dict[str, Any], edited: frozenset[str]) -> dict[str, Any]:
    """A document holding only the edited path items, where they are in `data`."""
    paths = data.get("paths") or {}
    return {"paths": {path: item for path, item in paths.items() if path in edited}}


def refers_into_paths(refs: set[str]) -> bool:
    return any(ref.startswith("#/paths") for ref in refs)


def _digest(value: Any) -> bytes:
    """marshal tells 1, 1.0 and true apart and is four times faster than pickle on plain
    data; pickle takes what it cannot (a YAML date, a nesting deeper than its limit).
    Format 4 writes an object met twice once (a YAML alias bomb stays small), so what it
    writes depends on which strings are one object: a path item parsed on its own
    (generator.spec.json_splice) may get another digest than when parsed with the whole
    document, which only makes it count as edited."""
    try:
        serialized = b"m" + marshal.dumps(value, 4)
    except ValueError:
        serialized = b"p" + pickle.dumps(value, protocol=5)
    return hashlib.blake2b(serialized, digest_size=16).digest()
