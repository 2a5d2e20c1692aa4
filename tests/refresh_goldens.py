"""Refresh every feature golden after an intended change: `make golden` (also regenerates
`generated/` from spec/posthog.yaml)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from tests.goldens import feature_files, feature_specs, write_tree
from tests.review.posthog_change import GOLDEN_REPORT
from tests.review.test_posthog_change_golden import render_report


def main() -> None:
    for spec in feature_specs():
        write_tree(spec.parent / "expected", feature_files(spec))
        print(f"refreshed {spec.parent.name}")
    with tempfile.TemporaryDirectory() as scratch:
        GOLDEN_REPORT.write_text(render_report(Path(scratch)), encoding="utf-8")
    print(f"refreshed {GOLDEN_REPORT.relative_to(Path.cwd())}")


if __name__ == "__main__":
    main()
