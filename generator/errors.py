"""Errors a user can cause: each renders as one line naming the file and the place in it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class SpecError(Exception):
    """A user mistake: the CLI prints `error: <file>:<where>: <message>` and exits 2."""

    file: str
    message: str
    where: str = ""

    def __str__(self) -> str:
        location = f"{self.file}:{self.where}" if self.where else self.file
        return f"{location}: {self.message}"
