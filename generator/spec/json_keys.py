"""Duplicate keys in a JSON document, found without a Python call per object.

json.loads keeps the last of two equal keys silently. Its `object_pairs_hook` can refuse them,
but a Python call per object was a third of loading GitHub's 13 MB spec. Instead, a count:
JSON writes every member of an object with one `:`, and a `:` can be nowhere else but in a
string. So the text holds exactly as many `:` as the parsed document has members plus `:`
in its keys and strings, unless a key was dropped (a duplicate: its member is in the text,
not in the document) or a string spells a colon as an escape (`\\u003a`: in the document,
not in the text). The caller parses again with the hook when the counts differ or such an
escape is there, which names the duplicate key, if any.
"""

from __future__ import annotations

import re
from typing import Any

_COLON_ESCAPE = re.compile(rb"\\u003[aA]")


def colons_in(value: Any) -> int:
    """The `:` the JSON text of `value` holds: one per member, plus those in keys and strings."""
    count = 0
    stack = [value]
    while stack:
        node = stack.pop()
        kind = type(node)
        if kind is dict:
            count += len(node)
            count += sum(key.count(":") for key in node if ":" in key)
            stack.extend(node.values())
        elif kind is list:
            stack.extend(node)
        elif kind is str and ":" in node:
            count += node.count(":")
    return count


def may_have_duplicate_keys(raw: bytes, colons: int) -> bool:
    """False if the JSON text `raw`, parsed to a document of `colons_in` == `colons`, has no
    object with a key twice (UTF-8 never puts the byte of `:` inside another character)."""
    return raw.count(b":") != colons or _COLON_ESCAPE.search(raw) is not None
