"""Parse a large YAML spec piece by piece, reusing the pieces that did not change.

Parsing 10 MB of YAML takes about 2 s even with libyaml, and a one-operation edit changes a
few hundred bytes of it. A block-style spec splits cleanly into pieces: each top-level key,
and inside `paths` and `components/schemas` each entry. A piece is parsed on its own and its
result cached by the hash of its text, so the next run parses only the pieces that changed.

Parsing pieces apart gives the same data as parsing the whole, as long as each piece parses:
an alias to an anchor in another piece, a flow collection or quoted string running across a
piece boundary, and every other surprise make a piece fail, and the caller then parses the
whole document as usual. Directives and document markers disable the splitting altogether.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import tempfile
from pathlib import Path
from typing import Any

import yaml

from generator.spec.strict_yaml import load_yaml

# (where, text) of one piece: where = ("paths",) for a path item, () for a top-level key. A
# piece with no text only opens the (split) mapping at `where`, keeping its place in order.
Piece = tuple[tuple[str, ...], str]
_SPLIT = {"paths": (), "components": ("schemas",)}  # which top-level mappings split, and where
_FORMAT = 3  # bump when the cache layout or the loader's rules change
# Pieces split down to the entries the validator can be spared: path items and schemas (the
# other component sections are one piece each).
_ENTRY_SECTIONS = {("paths",): "paths", ("components", "schemas"): "schemas"}


class ChunkCache:
    """The pieces of one spec file's last parse, by the sha256 of their text.

    Without a folder nothing is remembered, but parsing piece by piece still pays: libyaml
    parses the pieces of a 10 MB spec about three times faster than the whole.
    """

    def __init__(self, folder: Path | None, spec: Path) -> None:
        key = hashlib.sha256(str(spec.resolve()).encode()).hexdigest()[:32]
        self.path = folder / "yaml-pieces" / f"{key}.marshal" if folder else None
        self.known: dict[str, Any] = {}
        self.current: dict[str, Any] = {}
        # Validation bookkeeping (see generator.spec.partial_validation): which pieces were part of
        # a document that passed validation, and where this run's entry pieces sit.
        self.validated: set[str] = set()
        self.entries: dict[tuple[str, str], str] = {}  # ("paths", "/a/") -> piece digest
        self.trusted = True  # False once external files joined the document

    def validated_entries(self) -> frozenset[tuple[str, str]]:
        """Path items and named components unchanged since a run that validated them."""
        if not self.trusted:
            return frozenset()
        return frozenset(
            entry for entry, digest in self.entries.items() if digest in self.validated
        )

    def mark_validated(self) -> None:
        """The whole current document passed validation."""
        if self.trusted:
            self.validated |= set(self.current)

    def load(self, text: str) -> dict[str, Any] | None:
        """The document, parsed piece by piece; None when it must be parsed whole."""
        pieces = split(text)
        if pieces is None:
            return None
        self._read()
        data: dict[str, Any] = {}
        opened: set[tuple[str, ...]] = set()  # sections opened by an empty piece
        for keys, piece in pieces:
            if not piece:
                if keys[-1] in _open(data, keys[:-1]):
                    self._give_up()  # a section opened twice: a duplicate key
                    return None
                _open(data, keys)
                opened.add(keys)
                continue
            digest = hashlib.sha256(piece.encode()).hexdigest()
            if digest in self.known:
                value = self.known[digest]
            else:
                try:
                    value = load_yaml(piece)
                except (yaml.YAMLError, RecursionError):
                    self._give_up()  # the whole-document parse reports it, with its line
                    return None
            if not isinstance(value, dict):
                self._give_up()
                return None
            self.current[digest] = value
            self._note_entries(keys, value, digest)
            if _repeats_a_key(_open(data, keys), value, keys, opened):
                self._give_up()  # a key repeated across pieces: the whole parse names both lines
                return None
            _merge(data, keys, value)
        return data

    def _note_entries(self, keys: tuple[str, ...], value: dict[str, Any], digest: str) -> None:
        """Where the entries partial validation counts (path items, named components) sit."""
        section = _ENTRY_SECTIONS.get(keys)
        if section is not None and len(value) == 1:
            self.entries[(section, str(next(iter(value))))] = digest
        elif keys == ("components",) and len(value) == 1:  # a whole section: parameters, ...
            kind, named = next(iter(value.items()))
            if isinstance(named, dict):
                for name in named:
                    self.entries[(str(kind), str(name))] = digest

    def _give_up(self) -> None:
        """The caller parses the whole text: nothing from this attempt may be trusted."""
        self.current.clear()
        self.entries.clear()
        self.trusted = False

    def save(self) -> None:
        """Remember this run's pieces (call once the data has passed the loader's checks)."""
        if self.path is None:
            return
        storable = {}
        for digest, value in self.current.items():
            try:
                marshal.dumps(value)  # YAML dates and the like cannot be stored: parse again
            except ValueError:
                continue
            storable[digest] = value
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=self.path.parent, suffix=".tmp")
            validated = self.validated & storable.keys() if self.trusted else set()
            with os.fdopen(handle, "wb") as stream:
                marshal.dump((_FORMAT, storable, validated), stream)
            os.replace(temporary, self.path)
        except OSError:
            return  # a read-only cache only costs speed

    def _read(self) -> None:
        if self.path is None:
            return
        try:
            version, known, validated = marshal.loads(self.path.read_bytes())
        except (OSError, ValueError, EOFError, TypeError):
            return
        if version == _FORMAT and isinstance(known, dict) and isinstance(validated, set):
            self.known, self.validated = known, validated


def _repeats_a_key(
    target: dict[str, Any],
    piece: dict[str, Any],
    keys: tuple[str, ...],
    opened: set[tuple[str, ...]],
) -> bool:
    """A key of `piece` is already in `target`, other than a section an empty piece opened and
    nothing filled (a mapping that could not be split comes whole, into its parent)."""
    return any(
        target[key] != {} or (*keys, key) not in opened for key in target.keys() & piece.keys()
    )


def _open(data: dict[str, Any], keys: tuple[str, ...]) -> dict[str, Any]:
    """The (new, empty) mapping at `keys`, in its place. Pieces are never mutated: they stay
    shared with the cache."""
    target = data
    for key in keys:
        target = target.setdefault(key, {})
    return target


def _merge(data: dict[str, Any], keys: tuple[str, ...], piece: dict[str, Any]) -> None:
    """Put a parsed piece (entries of the mapping at `keys`) where it belongs."""
    _open(data, keys).update(piece)


def split(text: str) -> list[Piece] | None:
    """The document's pieces in order, or None when it is not plain block-style YAML."""
    lines = text.splitlines(keepends=True)
    if any(line.startswith(("%", "---", "...", "\t")) for line in lines):
        return None
    layout = _Layout(lines)
    pieces: list[Piece] = []
    for start, end in layout.blocks(0, len(lines), indent=0):
        key = _key_of(lines[start])
        wanted = _SPLIT.get(key or "")
        if wanted is None or not _is_bare_key(lines[start]):
            pieces.append(((), "".join(lines[start:end])))
            continue
        pieces.append(((key or "",), ""))
        pieces += layout.split_mapping(start, end, (key or "",), wanted)
    return pieces


class _Layout:
    """The lines of a document with each one's indentation worked out once (-1 for blank and
    comment lines, which belong to whatever entry they sit in)."""

    def __init__(self, lines: list[str]) -> None:
        self.lines = lines
        self.indent = [
            -1 if _is_filler(line) else len(line) - len(line.lstrip(" ")) for line in lines
        ]

    def split_mapping(
        self, start: int, end: int, keys: tuple[str, ...], deeper: tuple[str, ...]
    ) -> list[Piece]:
        """The entries of the mapping whose key line is lines[start], one piece each."""
        lines = self.lines
        indent = self.child_indent(start + 1, end)
        if indent is None:  # parse the whole mapping as one piece, into its parent
            return [(keys[:-1], "".join(lines[start:end]))]
        pieces: list[Piece] = []
        for child_start, child_end in self.blocks(start + 1, end, indent):
            child = _key_of(lines[child_start].lstrip())
            if deeper and child == deeper[0] and _is_bare_key(lines[child_start]):
                pieces.append(((*keys, child), ""))
                pieces += self.split_mapping(child_start, child_end, (*keys, child), deeper[1:])
            else:
                pieces.append((keys, "".join(lines[child_start:child_end])))
        return pieces

    def blocks(self, start: int, end: int, indent: int) -> list[tuple[int, int]]:
        """(start, end) line ranges of the entries at `indent`; comments and blank lines go
        with the entry before them (or the first entry)."""
        indents, lines = self.indent, self.lines
        starts = [
            index
            for index in range(start, end)
            if indents[index] == indent and not _is_sequence_item(lines[index])
        ]
        if not starts:
            return []
        starts[0] = start
        return list(zip(starts, [*starts[1:], end], strict=True))

    def child_indent(self, start: int, end: int) -> int | None:
        """The indentation of a mapping's entries; None when some line sits left of it."""
        content = [index for index in range(start, end) if self.indent[index] >= 0]
        if not content:
            return None
        indent = self.indent[content[0]]
        if indent == 0 or min(self.indent[index] for index in content) < indent:
            return None
        if self.lines[content[0]].lstrip().startswith(("- ", "? ", "{", "[")):
            return None  # not a block mapping
        return indent


def _is_sequence_item(line: str) -> bool:
    """`- item`: an entry of a sequence written at its key's indentation, not a new key."""
    stripped = line.strip()
    return stripped == "-" or stripped.startswith("- ")


def _is_filler(line: str) -> bool:
    stripped = line.strip()
    return not stripped or stripped.startswith("#")


def _key_of(line: str) -> str | None:
    """The key of a `key:` line when it is a plain word (`paths`), else None."""
    head, colon, _ = line.partition(":")
    return head.strip() if colon and head.strip().isidentifier() else None


def _is_bare_key(line: str) -> bool:
    """`key:` with nothing after it but a comment: its value is the block below."""
    _, _, rest = line.partition(":")
    return not rest.strip() or rest.strip().startswith("#")
