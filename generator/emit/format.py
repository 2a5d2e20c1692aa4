"""Format generated Python with black, in-process, on every core, remembering past results.

black is by far the slowest stage: about 100 s of CPU for a 1,000-operation spec. Three things
keep it off the critical path:

- The model, enum and resource templates emit black's own layout (generator/layout.py), so a
  file of theirs whose every line fits is final as rendered; black runs only on files with a
  longer line (tests compare this shortcut with black on every spec they generate).
- Results are cached by a hash of black's version, the mode and the input text: after a
  one-operation spec change only the files whose text changed are formatted again.
- What is left runs on every core.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import time
from collections.abc import Collection, Mapping
from concurrent.futures import ProcessPoolExecutor
from importlib.metadata import version
from pathlib import Path

from generator.emit.manifest import sha256
from generator.errors import SpecError

# Below this many files to format, starting worker processes costs more than it saves.
_PARALLEL_THRESHOLD = 8
_CACHE_MAX_AGE_SECONDS = 30 * 24 * 3600


def default_cache_dir() -> Path:
    explicit = os.environ.get("POSTHOG_CODEGEN_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "posthog-codegen"


# black is imported only when a file really needs it: most regenerations need none, and the
# import alone costs about 0.1 s.


def format_python(source: str, line_length: int = 100) -> str:
    import black
    from black.mode import Mode, TargetVersion

    mode = Mode(target_versions={TargetVersion.PY311}, line_length=line_length)
    return black.format_str(source, mode=mode)


def _format_one(item: tuple[str, str, int]) -> tuple[str, str]:
    from black.parsing import InvalidInput

    name, source, line_length = item
    try:
        return name, format_python(source, line_length)
    except InvalidInput as exc:
        # A template bug, not a user mistake; still name the file it broke.
        raise SpecError(name, f"generated code does not parse: {exc}") from None


class FormatCache:
    """Formatted text by sha256(black version, line length, source); safe to share."""

    def __init__(self, folder: Path, line_length: int) -> None:
        black_version = version("black")
        self.folder = folder / f"black-{black_version}"
        self.salt = f"{black_version}\0{line_length}\0".encode()

    def _path(self, source: str) -> Path:
        digest = hashlib.sha256(self.salt + source.encode("utf-8")).hexdigest()
        return self.folder / digest[:2] / f"{digest}.py"

    def get(self, source: str) -> str | None:
        try:
            return self._path(source).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return None

    def put(self, source: str, formatted: str) -> None:
        path = self._path(source)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                stream.write(formatted)
            os.replace(temporary, path)
        except OSError:
            return  # a read-only or full cache only costs speed

    def prune(self) -> None:
        """Forget results nobody asked for in a month, so the cache cannot grow forever."""
        cutoff = time.time() - _CACHE_MAX_AGE_SECONDS
        for path in self.folder.glob("*/*.py"):
            try:
                if path.stat().st_mtime < cutoff:
                    path.unlink()
            except OSError:
                continue


def _width(line: str) -> int:
    """A line's width as black measures it (wide East Asian characters count twice)."""
    if line.isascii():
        return len(line)
    from black.strings import str_width

    return int(str_width(line))


def lines_fit(text: str, line_length: int) -> bool:
    """No line is longer than black allows (measured as black measures) or ends in a space."""
    return all(
        _width(line) <= line_length and not line.endswith((" ", "\t")) for line in text.splitlines()
    )


def formatter_id(line_length: int) -> str:
    """Names the formatter and mode; results are only reused under the same one."""
    return f"black {version('black')}, line length {line_length}, py311"


def format_files(
    files: Mapping[str, str],
    *,
    line_length: int = 100,
    cache_dir: Path | None = None,
    known: Mapping[str, str] | None = None,
    black_layout: Collection[str] = (),
) -> dict[str, str]:
    """Run black over every `.py` file, reusing earlier results where possible.

    `known` maps the sha256 of a source to its formatted text (from the output folder's
    manifest); `cache_dir` is the shared on-disk cache. Files named in `black_layout` come from
    templates that emit black's layout: they are taken as they are when every line fits.
    """
    formatted = dict(files)
    cache = FormatCache(cache_dir, line_length) if cache_dir is not None else None
    known = known or {}
    todo: list[tuple[str, str, int]] = []
    for name, text in files.items():
        if not name.endswith(".py"):
            continue
        if name in black_layout and lines_fit(text, line_length):
            continue
        hit = known.get(sha256(text)) if known else None
        if hit is None and cache:
            hit = cache.get(text)
        if hit is None:
            todo.append((name, text, line_length))
        else:
            formatted[name] = hit
    # Largest first, one file per task: keeps both cores busy to the end.
    todo.sort(key=lambda item: len(item[1]), reverse=True)
    if len(todo) >= _PARALLEL_THRESHOLD and (os.cpu_count() or 1) > 1:
        with ProcessPoolExecutor() as pool:
            results = list(pool.map(_format_one, todo, chunksize=1))
    else:
        results = [_format_one(item) for item in todo]
    for (name, source, _), (_, text) in zip(todo, results, strict=True):
        formatted[name] = text
        if cache:
            cache.put(source, text)
    if cache and todo:
        cache.prune()
    return formatted
