"""The manifest in the output folder: which files the generator owns, and what made them.

Each line records a file's hash and, for Python files, the hash of the text black was given.
A regenerate whose rendering produces the same text for a file that is unchanged on disk can
take the file as it is instead of running black again: a fresh clone regenerates fast.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from pathlib import Path

MANIFEST = ".posthog-codegen-manifest"
_HEADER = "# posthog-codegen manifest: generated files, their sha256, and the sha256 of their"
_HEADER_2 = "# unformatted source ('-' when not formatted). Do not edit by hand."


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def render_manifest(files: Mapping[str, str], sources: Mapping[str, str], formatter: str) -> str:
    """`files`: output path -> final text; `sources`: path -> text before formatting."""
    lines = [_HEADER, _HEADER_2, f"# formatter: {formatter}"]
    for name in sorted(files):
        source = sources.get(name)
        lines.append(f"{name}\t{sha256(files[name])}\t{sha256(source) if source else '-'}")
    return "\n".join(lines) + "\n"


def reusable_results(out_dir: Path, formatter: str) -> dict[str, str]:
    """source sha256 -> formatted text, for every file still as the last generate wrote it."""
    try:
        lines = (out_dir / MANIFEST).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return {}
    if f"# formatter: {formatter}" not in lines:
        return {}  # another black version or mode: its results are not ours to reuse
    known: dict[str, str] = {}
    for line in lines:
        parts = line.split("\t")
        if line.startswith("#") or len(parts) != 3 or parts[2] == "-":
            continue
        name, output_hash, source_hash = parts
        path = out_dir / name
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        if sha256(text) == output_hash:
            known[source_hash] = text
    return known
