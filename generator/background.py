"""Work on another core while this one goes on: the one fork helper of the generator.

Validation is most of a large spec's cost and nothing waits for it but the final verdict, so
`generate` validates in a child while it parses and renders, and `diff` loads and validates the
head while it loads the base. The child is forked, so it shares the loaded document instead of
having it pickled; only its result comes back through a pipe.
"""

from __future__ import annotations

import multiprocessing as mp
import os
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import TypeVar

T = TypeVar("T")


def in_background(work: Callable[[], T], *, worth_it: bool = True) -> Callable[[], T]:
    """Start `work` in a forked child; call the result to wait for its value.

    Runs `work` here and now instead when it is not `worth_it` (a small input, where forking
    costs more than it saves), on one core, or without fork (Windows). A child that fails or
    dies without an answer has its work done here, so an error is raised here as usual.
    """
    if not worth_it or not background_available():
        result = work()
        return lambda: result
    context = mp.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(target=_send_result, args=(work, sender), daemon=True)
    process.start()
    sender.close()

    def wait() -> T:
        try:
            result: T = receiver.recv()
        except EOFError:  # the child died without an answer: do the work here instead
            result = work()
        finally:
            process.join()
            receiver.close()
        return result

    return wait


def background_available() -> bool:
    """Another core, fork to reach it with, and a process that may have children: a daemonic
    one (a worker of a multiprocessing pool that runs `generate`, or one of these children)
    may not."""
    return (
        (os.cpu_count() or 1) >= 2
        and "fork" in mp.get_all_start_methods()
        and not mp.current_process().daemon
    )


def _send_result(work: Callable[[], object], sender: Connection) -> None:
    try:
        sender.send(work())
    except Exception:
        pass
    finally:
        sender.close()
