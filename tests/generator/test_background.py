"""generator.background: work on another core, or here when that is not worth it."""

from __future__ import annotations

import multiprocessing
import os
from pathlib import Path

import pytest

from generator.background import in_background


def test_the_work_runs_in_a_child_and_its_result_comes_back() -> None:
    here = os.getpid()
    wait = in_background(lambda: (os.getpid(), "result"))
    pid, result = wait()
    assert result == "result"
    assert pid != here


def test_work_not_worth_a_child_runs_here() -> None:
    wait = in_background(os.getpid, worth_it=False)
    assert wait() == os.getpid()


def test_on_one_core_the_work_runs_here(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "cpu_count", lambda: 1)
    assert in_background(os.getpid)() == os.getpid()


def test_a_child_that_dies_has_its_work_done_here() -> None:
    here = os.getpid()

    def work() -> str:
        if os.getpid() != here:
            os._exit(3)  # the child dies without an answer
        return "done here"

    assert in_background(work)() == "done here"


def test_an_error_in_the_work_is_raised_here(capfd: pytest.CaptureFixture[str]) -> None:
    def work() -> None:
        raise ValueError("bad input")

    wait = in_background(work)
    with pytest.raises(ValueError, match="bad input"):
        wait()
    assert "Traceback" not in capfd.readouterr().err  # the child stays quiet


def _generate_in_a_pool_worker(spec: str, lenient: bool) -> int:
    from generator.pipeline import generate

    return len(generate(Path(spec), lenient=lenient).files)


@pytest.mark.parametrize("lenient", [False, True])
def test_generate_runs_in_a_daemonic_pool_worker(lenient: bool) -> None:
    """A pool's workers may not have children: the work is done in the worker itself
    (PostHog's spec is large enough that its checks would otherwise go to a child)."""
    spec = Path(__file__).resolve().parents[2] / "spec" / "posthog.yaml"
    with multiprocessing.get_context("fork").Pool(1) as pool:
        assert pool.apply(_generate_in_a_pool_worker, (str(spec), lenient)) > 100
