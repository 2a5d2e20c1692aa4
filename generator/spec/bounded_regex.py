"""`pattern` checks with a time limit: a spec's regex must not hang the tool.

Python's `re` backtracks, so `pattern: '^(a+)+$'` against a 40-character `default` or `example`
runs for minutes. CPython's regex engine checks for signals while it works, so in the main
thread a SIGALRM timer stops a runaway match. Elsewhere (no signals), only strings short enough
to be harmless are checked. Either way the caller learns that the check did not finish.
"""

from __future__ import annotations

import re
import signal
import threading
from collections.abc import Iterator
from functools import cache, lru_cache
from types import FrameType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # imported where used: generation reads patterns without jsonschema
    from jsonschema import ValidationError  # type: ignore[import-untyped]

PATTERN_SECONDS = 0.5  # per check; a sane pattern on a spec-sized string takes microseconds
UNTIMED_MAX_LENGTH = 16  # without a timer: longer strings are not checked against a pattern


class PatternTimeout(Exception):
    """The match did not finish in time (or could not be run safely)."""


def search(pattern: str, text: str, seconds: float = PATTERN_SECONDS) -> bool:
    """`re.search(pattern, text) is not None`, giving up after `seconds` (PatternTimeout)."""
    compiled = _compile(pattern)
    if not _can_time():
        if len(text) > UNTIMED_MAX_LENGTH:
            raise PatternTimeout(pattern)
        return compiled.search(text) is not None

    def expire(_signum: int, _frame: FrameType | None) -> None:
        raise PatternTimeout(pattern)

    previous = signal.signal(signal.SIGALRM, expire)
    try:
        signal.setitimer(signal.ITIMER_REAL, seconds)
        try:
            return compiled.search(text) is not None
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
    finally:
        signal.signal(signal.SIGALRM, previous)


@lru_cache(maxsize=512)
def _compile(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def _can_time() -> bool:
    """A timer is ours to use: main thread, SIGALRM available, no timer already running."""
    return (
        hasattr(signal, "setitimer")
        and threading.current_thread() is threading.main_thread()
        and signal.getitimer(signal.ITIMER_REAL)[0] == 0
    )


def _bounded_pattern(
    validator: Any, pattern: str, instance: Any, _schema: Any
) -> Iterator[ValidationError]:
    """The `pattern` keyword, through `search` above."""
    from jsonschema import ValidationError

    if not validator.is_type(instance, "string"):
        return
    try:
        matched = search(pattern, instance)
    except re.error:
        return  # an invalid regex is the meta-schema check's to report
    except PatternTimeout:
        yield ValidationError(
            f"pattern {pattern!r} did not finish within {PATTERN_SECONDS} s on a"
            f" {len(instance)}-character string (catastrophic backtracking?): simplify it"
        )
        return
    if not matched:
        shown = instance if len(instance) <= 60 else instance[:57] + "..."
        yield ValidationError(f"{shown!r} does not match {pattern!r}")


@cache
def bounded(validator_class: Any) -> Any:
    """`validator_class` with its `pattern` keyword time-limited."""
    from jsonschema import validators

    return validators.extend(validator_class, {"pattern": _bounded_pattern})
