"""Where a new version of a text differs from the old, in bytes and lines: the last run's
problems and positions move with it (generator.spec.edit_problems, generator.spec.json_text).
"""

from __future__ import annotations

from typing import Any


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
