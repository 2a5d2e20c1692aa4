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
from generator.pipeline import generate

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "spec" / "posthog.yaml"
GENERATED = ROOT / "generated"
FEATURES = ROOT / "tests" / "features"
REFRESH_COMMAND = "make golden"

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
    return {
        path.relative_to(folder).as_posix(): path.read_text(encoding="utf-8")
        for path in sorted(folder.rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts
    }


def describe_difference(expected: dict[str, str], actual: dict[str, str], limit: int = 60) -> str:
    """A short, readable account of how two trees differ, ending with the refresh command."""
    lines: list[str] = []
    for name in sorted(expected.keys() - actual.keys()):
        lines.append(f"only in the golden: {name}")
    for name in sorted(actual.keys() - expected.keys()):
        lines.append(f"only in the new output: {name}")
    for name in sorted(expected.keys() & actual.keys()):
        if expected[name] != actual[name]:
            diff = difflib.unified_diff(
                expected[name].splitlines(),
                actual[name].splitlines(),
                f"golden/{name}",
                f"new/{name}",
                lineterm="",
            )
            lines.extend(list(diff)[:limit])
    lines.append(f"if the change is intended, refresh the goldens with: {REFRESH_COMMAND}")
    return "\n".join(lines)


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
