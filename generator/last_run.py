"""What one `generate` leaves in the cache for the next, so that a run after a small edit
redoes only the edit.

One file per spec path, written after each successful run. A run uses it only when the
generator (its code, templates and formatter) and the --lenient flag are the same, the config
resolves alike, and the spec changed in path items only (generator.spec.edits). Then:

- load parses (a JSON spec) and checks only the edited path items (generator.spec.load,
  generator.spec.json_splice);
- the checks check only them, taking the last run's problems for the rest
  (generator.spec.edit_problems); with --lenient, the rest is reused only if the repairs
  outside the edited path items are the same as last time (generator.pipeline);
- the parser replays the unchanged path items from the registry journal (generator.ir.parse);
- render keeps every file whose inputs are equal, and only the rest is formatted
  (generator.emit.render.reusable_files).

A run after an edit saves no record of its own while the last one still serves
(`still_serves`): the next run compares with that one and redoes every path item edited since,
which costs less than pickling GitHub's record again (0.18 s of a 1 s run).

Each stage produces what a run from scratch would: tests/generator/test_last_run.py compares
the two, byte for byte, over edits of real specs. The file is a pickle in the user's own cache
folder (as black's cache is); anything unreadable in it is ignored.
"""

from __future__ import annotations

import gc
import hashlib
import os
import pickle
import sys
import tempfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

from generator.emit.render import TEMPLATES_DIR, PreviousOutput
from generator.ir.parse import ParseRecord
from generator.spec.edit_problems import FoundProblems
from generator.spec.edits import DocumentSummary
from generator.spec.json_splice import JsonBase
from generator.spec.json_text import ScanState
from generator.spec.validate import Problem

_FOLDER = "last-run"
_CODE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class LastRun:
    fingerprint: str  # the generator, its formatter and the --lenient flag (see fingerprint)
    summary: DocumentSummary
    raw: bytes  # the spec's text, to tell which lines an edit moved
    problems: FoundProblems  # with --lenient: what the checks found
    repairs: frozenset[str]  # with --lenient: the pointers of the nodes it repaired
    parser_warnings: tuple[Problem, ...]  # the parser's warnings, located
    work: Work  # the parse and the output
    # What finding positions in a JSON spec read of it (generator.spec.json_text.JsonText)
    json_scan: ScanState | None = None
    # A JSON spec's document, for the next run to parse only the path items edited
    json_base: JsonBase | None = None

    @property
    def parse(self) -> ParseRecord:
        return self.work.value[0]

    @property
    def output(self) -> PreviousOutput:
        return self.work.value[1]


class Work:
    """The parse record and the output, most of the record: unpickled on first use, so that a
    run reads the rest at once (the summary decides whether it is an edit at all), and starts
    checking the edit meanwhile (generator.pipeline)."""

    def __init__(self, parse: ParseRecord, output: PreviousOutput) -> None:
        self._value: tuple[ParseRecord, PreviousOutput] | None = (parse, output)
        self._pickled = self._digest = b""

    @property
    def value(self) -> tuple[ParseRecord, PreviousOutput]:
        if self._value is None:
            with _no_garbage_collection():  # unpickling 180k objects: 5x faster without it
                self._value = pickle.loads(self._pickled)
        return self._value

    def pickled_now(self) -> Work:
        """Pickle it now rather than when the record is saved."""
        if not self._pickled:
            self._pickled = pickle.dumps(self._value, protocol=pickle.HIGHEST_PROTOCOL)
        return self

    @property
    def intact(self) -> bool:
        """The pickled part is as it was written (load_last_run checks before using it)."""
        return self._value is not None or _digest(self._pickled) == self._digest

    def __getstate__(self) -> tuple[bytes, bytes]:
        pickled = self._pickled or pickle.dumps(self._value, protocol=pickle.HIGHEST_PROTOCOL)
        return _digest(pickled), pickled

    def __setstate__(self, state: tuple[bytes, bytes]) -> None:
        self._value = None
        self._digest, self._pickled = state


def _digest(data: bytes) -> bytes:
    """A checksum against damage (the cache is the user's own: nobody forges it); CRC-32 is
    five times faster than blake2b on the 23 MB of GitHub's record."""
    return zlib.crc32(data).to_bytes(4, "big")


def fingerprint(formatter: str, lenient: bool) -> str:
    """Changes with anything that can change the output other than the spec and the config."""
    # black lays out some signatures whichever the formatter (generator.emit.format)
    versions = (
        f"{formatter} {version(formatter)}|black {version('black')}|jinja2 {version('jinja2')}"
    )
    versions += f"|{sys.version}"
    digest = hashlib.sha256(f"{versions}|{lenient}".encode())
    for folder in (_CODE, TEMPLATES_DIR):
        for path in sorted(folder.rglob("*")):
            if path.suffix in (".py", ".jinja") and "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(folder)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


# A record is kept while the path items edited since it are at most 1/16 of them all: the next
# run parses, checks and renders each of those again.
_KEPT_WHILE_EDITED_SHARE = 16


def still_serves(parsed: ParseRecord, edited: frozenset[str]) -> bool:
    """Whether the record a run started from (which this run's `parsed` replayed, with the
    `edited` path items parsed again) serves the next run nearly as well as this run's would."""
    return parsed.replayed and len(edited) * _KEPT_WHILE_EDITED_SHARE <= len(parsed.path_items)


def load_last_run(cache_dir: Path, spec: Path, wanted: str) -> LastRun | None:
    """The last run's record for this spec file, if it was made by the same generator."""
    try:
        data = _file(cache_dir, spec).read_bytes()
        with _no_garbage_collection():
            run = pickle.loads(data)
    except Exception:  # a missing, partial or stale file is only a cache miss
        return None
    if not isinstance(run, LastRun) or run.fingerprint != wanted or not run.work.intact:
        return None
    return run


def save_last_run(cache_dir: Path, spec: Path, run: LastRun | None) -> None:
    """Write (or, with None, forget) the record atomically; a cache that cannot be written is
    skipped silently, as a full cache disk must not fail generation."""
    path = _file(cache_dir, spec)
    try:
        if run is None:
            path.unlink(missing_ok=True)
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        try:
            with os.fdopen(handle, "wb") as stream:
                pickle.dump(run, stream, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(temporary, path)
        except BaseException:
            os.unlink(temporary)
            raise
    except OSError:
        return


def _file(cache_dir: Path, spec: Path) -> Path:
    key = hashlib.sha256(str(spec.resolve()).encode()).hexdigest()[:32]
    return cache_dir / _FOLDER / f"{key}.pickle"


@contextmanager
def _no_garbage_collection() -> Iterator[None]:
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
