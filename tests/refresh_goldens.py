"""Refresh every feature golden after an intended change: `make golden` (also regenerates
`generated/` from spec/posthog.yaml)."""

from __future__ import annotations

from tests.goldens import feature_files, feature_specs, write_tree


def main() -> None:
    for spec in feature_specs():
        write_tree(spec.parent / "expected", feature_files(spec))
        print(f"refreshed {spec.parent.name}")


if __name__ == "__main__":
    main()
