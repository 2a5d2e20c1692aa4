"""Golden markdown report for a realistic change to spec/posthog.yaml (`make golden` refreshes)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from generator.cli import main
from tests.review.posthog_change import GOLDEN_REPORT, write_pair


def render_report(folder: Path) -> str:
    base, head = write_pair(folder)
    out = folder / "report.md"
    cwd = os.getcwd()
    os.chdir(folder)  # relative paths keep the report free of machine-specific folders
    try:
        code = main(["diff", str(base.relative_to(folder)), str(head.relative_to(folder)),
                     "--output", str(out)])  # fmt: skip
    finally:
        os.chdir(cwd)
    assert code == 1  # the change set breaks clients
    return out.read_text(encoding="utf-8")


def test_markdown_report_matches_golden(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    report = render_report(tmp_path)
    capsys.readouterr()
    assert report == GOLDEN_REPORT.read_text(encoding="utf-8"), (
        "the report changed; if intended, refresh it with: make golden"
    )
