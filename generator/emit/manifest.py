"""The manifest in the output folder: which files the generator owns, and what made them.

`write` empties only a folder that holds this file, so a folder the generator did not create is
never touched. The hashes let a reviewer see which files changed; nothing reads them back from
the output to skip work (`generate --check` always compares a fresh render with the files on
disk).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping

MANIFEST = ".posthog-codegen-manifest"
_HEADER = "# posthog-codegen manifest: generated files and their sha256. Do not edit by hand."


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def render_manifest(
    files: Mapping[str, str],
    formatter: str,
    taken_over: Iterable[str] = (),
    previous: Mapping[str, str] | None = None,
) -> str:
    """`files`: output path -> final text. `taken_over`: the files this run took over
    unchanged from the `previous` run's files (its manifest among them), whose hashes are
    taken over too."""
    known = _hashes(previous[MANIFEST]) if previous and MANIFEST in previous else {}
    kept = {name: known[name] for name in taken_over if name in known}
    lines = [_HEADER, f"# formatter: {formatter}"]
    lines += [f"{name}\t{kept.get(name) or sha256(files[name])}" for name in sorted(files)]
    return "\n".join(lines) + "\n"


def _hashes(manifest: str) -> dict[str, str]:
    entries = (line.rpartition("\t") for line in manifest.splitlines() if "\t" in line)
    return {name: digest for name, _, digest in entries}
