"""A user's script type-checks under `mypy --strict`: with_options() copies keep their class,
`await client.close()` exists on AsyncPostHog, errors carry a typed `.request`, ids take what
the client takes (`project_id=1`), enum arguments take their values (`scope="project"`), and
fields keep their wire names (`UserBasic.uuid`)."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
import uuid
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
    for code in ("arg-type", "call-arg", "unused-coroutine", "attr-defined"):
        assert f"# type: ignore[{code}]" in text


def test_a_field_named_like_a_type_keeps_its_wire_name_at_runtime() -> None:
    """`uuid` is decoded into `.uuid` and sent back as `uuid`: no `uuid_` anywhere."""
    from posthog_api.models import UserBasic

    wire = {
        "id": 1,
        "uuid": "01890c2e-7a5b-7000-8000-000000000001",
        "distinct_id": "d",
        "first_name": "Ada",
        "last_name": "",
        "email": "ada@example.com",
        "is_email_verified": None,
        "hedgehog_config": None,
        "role_at_organization": None,
    }
    user = UserBasic.from_dict(wire, strict=True)
    assert user.uuid == uuid.UUID(wire["uuid"])
    assert user.to_dict()["uuid"] == wire["uuid"]
    assert "uuid" in {field.name for field in dataclasses.fields(UserBasic)}
    assert UserBasic(**{**wire, "uuid": user.uuid}).uuid == user.uuid  # the constructor too
