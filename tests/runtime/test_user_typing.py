"""A user's script type-checks under `mypy --strict`: with_options() copies keep their class,
`await client.close()` exists on AsyncPostHog, and errors carry a typed `.request`."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from .conftest import REPO

SCRIPT = Path(__file__).with_name("typing_user_script.py")


def test_a_user_script_passes_mypy_strict(runtime_root: Path, tmp_path: Path) -> None:
    env = {**os.environ, "MYPYPATH": str(runtime_root)}
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--python-version", "3.11",
         "--cache-dir", str(tmp_path / "mypy_cache"), "--no-error-summary", str(SCRIPT)],
        capture_output=True, text=True, timeout=120, cwd=REPO, env=env, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_script_marks_lines_that_must_not_type_check() -> None:
    text = SCRIPT.read_text(encoding="utf-8")
    for code in ("arg-type", "call-arg", "unused-coroutine"):
        assert f"# type: ignore[{code}]" in text
