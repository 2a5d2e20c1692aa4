"""The manifest in the output folder: which files the generator owns, and what made them.

`write` empties only a folder that holds this file, so a folder the generator did not create is
never touched. The hashes let a reviewer see which files changed; nothing reads them back to
skip work (`generate --check` always compares a fresh render with the files on disk).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping

MANIFEST = ".posthog-codegen-manifest"
_HEADER = "# posthog-codegen manifest: generated files and their sha256. Do not edit by hand."


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def render_manifest(files: Mapping[str, str], formatter: str) -> str:
    """`files`: output path -> final text."""
    lines = [_HEADER, f"# formatter: {formatter}"]
    lines += [f"{name}\t{sha256(files[name])}" for name in sorted(files)]
    return "\n".join(lines) + "\n"
