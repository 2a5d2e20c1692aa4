"""Settings profiles for the fuzzer, and how many cases ran.

`make test` runs the `ci` profile: a fixed seed (derandomize) and a few hundred cases, so the
suite stays deterministic and under a minute of CPU. `make fuzz` sets POSTHOG_CODEGEN_FUZZ=deep:
thousands of cases from a fresh seed each run (hypothesis prints the seed and a reproduction
blob for any failure it finds).
"""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, Phase, settings

from tests.fuzz.harness import CASES, REFUSALS

PROFILE_VARIABLE = "POSTHOG_CODEGEN_FUZZ"
_COMMON = settings(
    deadline=None,  # a case's time is bounded by the harness's own CPU timer instead
    database=None,  # nothing written next to the tests
    print_blob=True,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.filter_too_much,
        HealthCheck.large_base_example,
        HealthCheck.function_scoped_fixture,
    ],
)
settings.register_profile("ci", _COMMON, derandomize=True, max_examples=150)
settings.register_profile("deep", _COMMON, derandomize=False, max_examples=2500)
# For working on the fuzzer itself: many cases, failures reported unshrunk (fast).
settings.register_profile(
    "explore", _COMMON, derandomize=False, max_examples=500, phases=[Phase.generate]
)
settings.load_profile(os.environ.get(PROFILE_VARIABLE, "ci"))


# Seconds each fuzz test took (its cases, shrinking included), for the summary.
SECONDS: dict[str, float] = {}


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.when == "call":
        SECONDS[report.nodeid.rpartition("::")[2]] = report.duration


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """How many cases ran; with the deep profile, also each kind of refusal seen."""
    if not CASES:
        return
    profile = os.environ.get(PROFILE_VARIABLE, "ci")
    counts = ", ".join(f"{name}: {count}" for name, count in sorted(CASES.items()))
    total = sum(CASES.values())
    terminalreporter.write_line(f"fuzz cases ({profile} profile): {counts}; total: {total}")
    for test, seconds in SECONDS.items():
        terminalreporter.write_line(f"  {seconds:8.1f} s  {test}")
    if profile != "ci" and REFUSALS:
        terminalreporter.write_line(f"refusals ({len(REFUSALS)} kinds; count, message shape):")
        for shape, count in REFUSALS.most_common():
            terminalreporter.write_line(f"  {count:6d}  {shape}")
