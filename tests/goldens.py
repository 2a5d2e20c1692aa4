"""Where golden outputs live and how to (re)make them; shared by the tests and `make golden`.

Feature goldens keep only what the feature spec decides (models, resources, client, fixtures);
the runtime modules are the same for every spec and are covered by the main golden,
`generated/`.
"""

from __future__ import annotations

import difflib
from pathlib import Path

from generator.emit.manifest import MANIFEST
from generator.emit.render import RUNTIME_MODULES
from generator.emit.write import is_tool_cache
from generator.pipeline import generate

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "spec" / "posthog.yaml"
GENERATED = ROOT / "generated"
FEATURES = ROOT / "tests" / "features"
REFRESH_COMMAND = "make golden"  # feature goldens (and generated/)
REGENERATE_COMMAND = "make generate"  # generated/ alone, after a spec or template change
# A failing golden test shows this much, so the first screen says what changed.
DIFF_LINES_PER_FILE = 20
FILES_SHOWN = 10

_RUNTIME_FILES = {f"posthog_api/{name}" for name in RUNTIME_MODULES} | {
    MANIFEST,
    "README.md",
    "pyproject.toml",
    "posthog_api/py.typed",
}


def feature_specs() -> list[Path]:
    return sorted(FEATURES.glob("*/spec.yaml"))


def feature_files(spec: Path) -> dict[str, str]:
    """The files a feature spec's golden keeps."""
    files = generate(spec).files
    return {name: text for name, text in files.items() if name not in _RUNTIME_FILES}


def read_tree(folder: Path) -> dict[str, str]:
    """Every file under `folder` except tool caches (`mypy generated/` leaves one there)."""
    return {
        path.relative_to(folder).as_posix(): path.read_text(encoding="utf-8")
        for path in sorted(folder.rglob("*"))
        if path.is_file() and not is_tool_cache(path.relative_to(folder))
    }


def describe_difference(
    expected: dict[str, str], actual: dict[str, str], refresh: str = REFRESH_COMMAND
) -> str:
    """How two trees differ, short: per file a capped unified diff (at most `FILES_SHOWN`
    files), the manifest (hashes of all the rest) last, then the refresh command, once."""
    lines: list[str] = []
    changed = [
        name
        for name in sorted(expected.keys() | actual.keys())
        if name != MANIFEST and expected.get(name) != actual.get(name)
    ]
    for name in changed[:FILES_SHOWN]:
        if name not in actual:
            lines.append(f"only in the golden: {name}")
        elif name not in expected:
            lines.append(f"only in the new output: {name}")
        else:
            lines.extend(_capped_diff(name, expected[name], actual[name]))
    if len(changed) > FILES_SHOWN:
        lines.append(f"... and {len(changed) - FILES_SHOWN} more files differ")
    if expected.get(MANIFEST) != actual.get(MANIFEST):
        lines.append(f"{MANIFEST} differs too (it lists the files' hashes)")
    lines.append(f"if the change is intended, refresh with: {refresh}")
    return "\n".join(lines)


def _capped_diff(name: str, old: str, new: str) -> list[str]:
    diff = list(
        difflib.unified_diff(
            old.splitlines(), new.splitlines(), f"golden/{name}", f"new/{name}", lineterm=""
        )
    )
    if len(diff) <= DIFF_LINES_PER_FILE:
        return diff
    return [*diff[:DIFF_LINES_PER_FILE], f"... ({len(diff) - DIFF_LINES_PER_FILE} more diff lines)"]


def write_tree(folder: Path, files: dict[str, str]) -> None:
    if folder.exists():
        for path in sorted(folder.rglob("*"), reverse=True):
            if path.is_file():
                path.unlink()
            elif path.is_dir():
                path.rmdir()
    for name, text in files.items():
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
