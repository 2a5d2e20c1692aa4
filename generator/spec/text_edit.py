"""Where a new version of a text differs from the old, in bytes and lines: the last run's
problems and positions move with it (generator.spec.edit_problems, generator.spec.json_text).
"""

from __future__ import annotations

import bisect
import copy
from collections.abc import Sequence
from typing import Any

# A stretch of text two versions share: where it starts in the old, in the new, its length
Same = tuple[int, int, int]


def text_edit(old: bytes, new: bytes) -> TextEdit:
    """TextEdit(old, new), worked out once for the same two texts (a run after an edit asks
    for it to move problems, warnings and positions)."""
    if not (_last_edit and _last_edit[0] is old and _last_edit[1] is new):
        _last_edit[:] = [old, new, TextEdit(old, new)]
    edit: TextEdit = _last_edit[2]
    return edit


def refine_text_edit(old: bytes, new: bytes, same: Sequence[Same]) -> None:
    """Tell text_edit of stretches between the first and the last changed byte that the two
    texts share (json_splice knows the path items an edit left alone): lines in them move."""
    _last_edit[:] = [old, new, text_edit(old, new).refined(old, new, same)]


_last_edit: list[Any] = []  # old, new, their TextEdit


class TextEdit:
    """Where a new version of a text differs from the old: the lines before the first changed
    byte stay where they were, the lines after the last one move by the lines it added, and
    so do those of a stretch in between that the two share, if the caller knows of one."""

    def __init__(self, old: bytes, new: bytes) -> None:
        self.prefix = prefix = _common_prefix(old, new)  # bytes the two share at the start
        limit = min(len(old), len(new)) - prefix  # the suffix may not overlap the prefix
        self.suffix = suffix = _common_suffix(old, new, limit)  # and at the end
        self.first_line = old.count(b"\n", 0, prefix) + 1  # the first line that changed
        self.last_line = old.count(b"\n", 0, len(old) - suffix) + 1  # the last one, in `old`
        self.added = new.count(b"\n", 0, len(new) - suffix) + 1 - self.last_line
        # Whole old lines in shared stretches between: (first, last, lines added above)
        self._same_lines: list[tuple[int, int, int]] = []

    def refined(self, old: bytes, new: bytes, same: Sequence[Same]) -> TextEdit:
        """This edit, with the lines of the `same` stretches (in order) moved too."""
        refined = copy.copy(self)
        refined._same_lines = lines = []
        old_at = new_at = 0
        old_line = new_line = 1  # the lines of old_at and new_at
        for old_start, new_start, length in same:
            if (
                length <= 0
                or old[old_start : old_start + length] != new[new_start : new_start + length]
            ):
                continue  # not shared after all: its lines stay touched
            old_line += old.count(b"\n", old_at, old_start)
            new_line += new.count(b"\n", new_at, new_start)
            old_at, new_at = old_start, new_start
            end = old_start + length
            # the whole lines in it: from the first that starts in it to the last that ends in it
            first = old_line + (old_start > 0 and old[old_start - 1 : old_start] != b"\n")
            last = old_line + old.count(b"\n", old_start, end) - 1
            if first <= last:
                lines.append((first, last, new_line - old_line))
        return refined

    def moved(self, line: int) -> int | None:
        """Where an old line is now; None for a line the edit touched."""
        if line < self.first_line:
            return line
        if line > self.last_line:
            return line + self.added
        at = bisect.bisect_right(self._same_lines, (line, float("inf"))) - 1
        if at >= 0 and self._same_lines[at][0] <= line <= self._same_lines[at][1]:
            return line + self._same_lines[at][2]
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
