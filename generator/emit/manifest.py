"""The manifest in the output folder: which files the generator owns, and what made them.

`write` empties only a folder that holds this file, so a folder the generator did not create is
never touched. The hashes let a reviewer see which files changed; nothing reads them back from
the output to skip work (`generate --check` always compares a fresh render with the files on
disk).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping

MANIFEST = ".posthog-codegen-manifest"
_HEADER = "# posthog-codegen manifest: generated files and their sha256. Do not edit by hand."


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def render_manifest(
    files: Mapping[str, str], formatter: str, previous: Mapping[str, str] | None = None
) -> str:
    """`files`: output path -> final text. `previous`: the last run's files, manifest included;
    a file this run took over from it (the very same string) keeps its hash unhashed."""
    known = _hashes(previous[MANIFEST]) if previous and MANIFEST in previous else {}
    lines = [_HEADER, f"# formatter: {formatter}"]
    for name in sorted(files):
        text = files[name]
        reused = previous is not None and name in known and previous.get(name) is text
        lines.append(f"{name}\t{known[name] if reused else sha256(text)}")
    return "\n".join(lines) + "\n"


def _hashes(manifest: str) -> dict[str, str]:
    entries = (line.rpartition("\t") for line in manifest.splitlines() if "\t" in line)
    return {name: digest for name, _, digest in entries}
