"""Errors a user can cause: each renders as one line naming the file and the place in it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass
class SpecError(Exception):
    """A user mistake: the CLI prints `error: <file>:<where>: <message>` and exits 2.

    A validation pass finds several problems at once: the first is this error, the next ones
    (at most nine) are `more`, and `unlisted` counts the rest. `str()` is the first line only.
    """

    file: str
    message: str
    where: str = ""
    more: tuple[SpecError, ...] = ()
    unlisted: int = 0

    def __str__(self) -> str:
        location = f"{self.file}:{self.where}" if self.where else self.file
        return f"{location}: {self.message}"

    def lines(self) -> list[str]:
        """One line per problem, then how many more were found but not listed."""
        lines = [str(self), *(str(other) for other in self.more)]
        if self.unlisted:
            plural = "s" if self.unlisted > 1 else ""
            lines.append(f"{self.file}: {self.unlisted} more problem{plural} not listed")
        return lines

    def __reduce__(self) -> tuple[Any, ...]:
        # Crosses process boundaries (validation runs in a forked child for large specs).
        return (SpecError, (self.file, self.message, self.where, self.more, self.unlisted))
