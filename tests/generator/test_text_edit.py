"""text_edit.TextEdit: where the lines of a text are after an edit (the last run's problems are
moved by it instead of being located again: generator.spec.edit_problems).

A line is either placed exactly (the same text, at its new number) or reported as touched
(None: located again); only lines next to the change may be reported touched.
"""

from __future__ import annotations

import random
from collections.abc import Iterable

import pytest

from generator.spec.text_edit import TextEdit, _common_prefix, _common_suffix

OLD = b"one\ntwo\nthree\nfour\nfive\n"


def _check(old: bytes, new: bytes, far_from_edit: list[int]) -> list[int | None]:
    edit = TextEdit(old, new)
    old_lines, new_lines = old.split(b"\n"), new.split(b"\n")
    moved = [edit.moved(line) for line in range(1, len(old_lines) + 1)]
    for line, now in enumerate(moved, start=1):
        if now is not None:
            assert new_lines[now - 1] == old_lines[line - 1], (line, now)
    assert all(moved[line - 1] is not None for line in far_from_edit)
    return moved


@pytest.mark.parametrize(
    ("new", "far_from_edit"),
    [
        (b"one\ntwo\nadded\nthree\nfour\nfive\n", [1, 2, 4, 5]),  # a line added
        (b"one\nthree\nfour\nfive\n", [1, 4, 5]),  # a line removed
        (b"one\ntwo\nTHREE\nfour\nfive\n", [1, 2, 4, 5]),  # a line changed
        (b"one\ntwo\nthree\nfo\nx\ny\nur\nfive\n", [1, 2, 3, 5]),  # lines added inside one
        (OLD, [1, 2, 3, 4, 5]),  # nothing changed
    ],
)
def test_lines_are_placed_exactly_or_reported_touched(new: bytes, far_from_edit: list[int]) -> None:
    _check(OLD, new, far_from_edit)


def test_lines_after_the_edit_move_by_the_lines_it_added() -> None:
    moved = _check(OLD, b"one\ntwo\nx\ny\nthree\nfour\nfive\n", [1, 2, 4, 5])
    assert moved[3:5] == [6, 7]


def test_long_texts_compare_in_chunks() -> None:
    head, tail = b"a\n" * 100_000, b"b\n" * 100_000
    old, new = head + b"x\n" + tail, head + b"x\ny\nz\n" + tail
    moved = _check(old, new, [1, 99_999, 100_003, 200_001])
    assert moved[200_000] == 200_003  # the last line, two further down


@pytest.mark.parametrize("chunk", [1, 2, 7, 1 << 16])
def test_common_prefix_and_suffix_match_a_byte_by_byte_count(chunk: int) -> None:
    generator = random.Random(chunk)
    for _ in range(500):
        old = bytes(generator.choice(b"ab") for _ in range(generator.randint(0, 80)))
        new = bytearray(old)
        for _ in range(generator.randint(0, 3)):
            at = generator.randint(0, len(new))
            if generator.random() < 0.5:
                new.insert(at, generator.choice(b"abc"))
            elif at < len(new):
                del new[at]
        prefix = _common_prefix(old, bytes(new), chunk)
        assert prefix == _count(zip(old, new, strict=False))
        limit = min(len(old), len(new)) - prefix
        suffix = _common_suffix(old, bytes(new), limit, chunk)
        assert suffix == min(limit, _count(zip(reversed(old), reversed(new), strict=False)))


def _count(pairs: Iterable[tuple[int, int]]) -> int:
    """How many pairs are equal before the first that is not."""
    count = 0
    for x, y in pairs:
        if x != y:
            break
        count += 1
    return count


def _check_refined(old: bytes, new: bytes, same: list[tuple[int, int, int]]) -> list[int | None]:
    edit = TextEdit(old, new).refined(old, new, same)
    old_lines, new_lines = old.split(b"\n"), new.split(b"\n")
    moved = [edit.moved(line) for line in range(1, len(old_lines) + 1)]
    for line, now in enumerate(moved, start=1):
        if now is not None:
            assert new_lines[now - 1] == old_lines[line - 1], (line, now)
    return moved


MIDDLE = b"".join(b"m%d\n" % i for i in range(50))
TWO_EDITS_OLD = b"head\nA\n" + MIDDLE + b"B\ntail\n"
TWO_EDITS_NEW = b"head\nA1\nA2\n" + MIDDLE + b"B\nB2\ntail\n"


def test_the_lines_of_a_stretch_two_edits_share_move_once_it_is_known() -> None:
    """json_splice knows which path items between two edits are the same text: their lines
    move by the lines the first edit added instead of being located again."""
    old, new = TWO_EDITS_OLD, TWO_EDITS_NEW
    old_at, new_at = old.index(MIDDLE), new.index(MIDDLE)
    assert _check_refined(old, new, [])[2:52] == [None] * 50
    moved = _check_refined(old, new, [(old_at, new_at, len(MIDDLE))])
    assert moved[2:52] == list(range(4, 54))  # lines 3..52, one further down
    # from the second byte on: the first line is not wholly in it, so it is located again
    partial = _check_refined(old, new, [(old_at + 1, new_at + 1, len(MIDDLE) - 1)])
    assert partial[2] is None and partial[3:52] == list(range(5, 54))


def test_a_stretch_that_is_not_shared_moves_nothing() -> None:
    old, new = TWO_EDITS_OLD, TWO_EDITS_NEW
    old_at, new_at = old.index(MIDDLE), new.index(MIDDLE)
    assert _check_refined(old, new, [(old_at, new_at + 1, len(MIDDLE) - 1)])[2:52] == [None] * 50


def test_random_edits_around_known_shared_stretches_place_lines_exactly() -> None:
    generator = random.Random(7)
    placed = 0
    for _ in range(200):
        pieces = [
            b"".join(generator.choice([b"a", b"b", b"\n"]) for _ in range(generator.randrange(30)))
            for _ in range(5)
        ]
        edits = [
            b"".join(generator.choice([b"x", b"\n"]) for _ in range(generator.randrange(4)))
            for _ in range(4)
        ]
        old = pieces[0] + b"".join(b"<" + piece for piece in pieces[1:])
        new = pieces[0] + b"".join(e + piece for e, piece in zip(edits, pieces[1:], strict=True))
        same, old_at, new_at = [], len(pieces[0]), len(pieces[0])
        for edit, piece in zip(edits, pieces[1:], strict=True):
            old_at, new_at = old_at + 1, new_at + len(edit)
            same.append((old_at, new_at, len(piece)))
            old_at, new_at = old_at + len(piece), new_at + len(piece)
        moved = _check_refined(old, new, same)
        plain = TextEdit(old, new)
        placed += sum(
            now is not None and plain.first_line <= line <= plain.last_line
            for line, now in enumerate(moved, start=1)
        )
    assert placed > 100  # lines between the first and the last edit, placed all the same
