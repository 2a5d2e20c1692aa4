"""Format generated Python with black, in-process (a subprocess per file is far too slow)."""

from __future__ import annotations

from collections.abc import Mapping
from concurrent.futures import ProcessPoolExecutor

import black

from generator.errors import SpecError

# Below this many Python files, a process pool costs more than it saves.
_PARALLEL_THRESHOLD = 64


def _mode(line_length: int) -> black.Mode:
    return black.Mode(target_versions={black.TargetVersion.PY311}, line_length=line_length)


def format_python(source: str, line_length: int = 100) -> str:
    return black.format_str(source, mode=_mode(line_length))


def _format_one(item: tuple[str, str, int]) -> tuple[str, str]:
    name, source, line_length = item
    return name, format_python(source, line_length)


def format_files(files: Mapping[str, str], *, line_length: int = 100) -> dict[str, str]:
    """Run black over every `.py` file; a template bug surfaces as an error naming the file."""
    python = [(name, text, line_length) for name, text in files.items() if name.endswith(".py")]
    formatted = dict(files)
    try:
        if len(python) >= _PARALLEL_THRESHOLD:
            with ProcessPoolExecutor() as pool:
                formatted.update(pool.map(_format_one, python, chunksize=16))
        else:
            formatted.update(_format_one(item) for item in python)
    except black.InvalidInput as exc:
        raise SpecError("<generated>", f"generated code does not parse: {exc}") from None
    return formatted
