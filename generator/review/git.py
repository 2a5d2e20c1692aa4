"""Read a spec as it was at a git ref, for `diff --base-ref origin/main`.

Every failure becomes a one-line `SpecError` naming the ref, so the CLI can print it and exit 2
instead of dumping git's multi-line stderr.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from generator.errors import SpecError


def _git(args: list[str], cwd: Path, *, what: str, file: str) -> bytes:
    try:
        completed = subprocess.run(["git", *args], cwd=cwd, capture_output=True, check=False)
    except FileNotFoundError as exc:
        raise SpecError(file, f"{what}: git is not installed") from exc
    if completed.returncode != 0:
        raise SpecError(file, what)
    return completed.stdout


def repo_relative(path: Path, side: str) -> tuple[Path, str]:
    """(repository root, path inside it as git spells it) for a working-tree path."""
    directory = path.resolve().parent
    while not directory.exists():  # the file may be gone from the working tree
        directory = directory.parent
    what = f"{side}: {path} is not inside a git repository"
    top = _git(["rev-parse", "--show-toplevel"], directory, what=what, file=str(path))
    root = Path(top.decode().strip())
    return root, path.resolve().relative_to(root.resolve()).as_posix()


def read_at_ref(ref: str, path: Path, *, side: str = "base") -> str:
    """Text of `path` at `ref` (`git show REF:path`); raises SpecError naming `side` and `ref`."""
    root, inside = repo_relative(path, side)
    label = f"{ref}:{inside}"
    _git(
        ["rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}"],
        root,
        what=f"{side}: git ref '{ref}' does not exist (fetch it, e.g. with fetch-depth: 0)",
        file=label,
    )
    content = _git(
        ["show", f"{ref}:{inside}"],
        root,
        what=f"{side}: {inside} does not exist at '{ref}'",
        file=label,
    )
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SpecError(label, f"{side}: not UTF-8 text ({exc.reason})") from exc


def export_at_ref(ref: str, path: Path, dest: Path, *, side: str = "base") -> tuple[Path, str]:
    """Write `path` and the files beside it (at `ref`) under `dest`, so relative `$ref`s resolve.

    Returns (where the spec now is, the `REF:path` label to show in messages).
    """
    text = read_at_ref(ref, path, side=side)  # validates the ref and the spec's presence first
    root, inside = repo_relative(path, side)
    folder = Path(inside).parent.as_posix()
    listing = ["ls-tree", "-r", "--name-only", "--end-of-options", ref, "--", f"{folder}/"]
    what = f"{side}: cannot list {folder}/ at '{ref}'"
    names = _git(listing, root, what=what, file=f"{ref}:{inside}").decode().splitlines()
    for name in names:
        if name == inside or Path(name).suffix not in {".yaml", ".yml", ".json"}:
            continue
        target = dest / name
        target.parent.mkdir(parents=True, exist_ok=True)
        content = _git(
            ["show", f"{ref}:{name}"], root, what=f"{side}: cannot read {name}", file=name
        )
        target.write_bytes(content)
    spec = dest / inside
    spec.parent.mkdir(parents=True, exist_ok=True)
    spec.write_text(text, encoding="utf-8")
    return spec, f"{ref}:{inside}"
