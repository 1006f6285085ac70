"""Per-test deadlines: SIGALRM interrupts the test body, which runs in the main thread."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


class DeadlineExceeded(BaseException):
    """The test ran past its @deadline.

    A BaseException, so that a suite's `except Exception` (or httpx's) cannot swallow it.
    """

    def __init__(self, seconds: float) -> None:
        super().__init__(f"this test took longer than {seconds:g} s")
        self.message = str(self)


@contextmanager
def time_limit(seconds: float | None) -> Iterator[None]:
    """Raise DeadlineExceeded in the main thread once `seconds` have passed; None means no limit."""
    if seconds is None:
        yield
        return

    def expire(signum: int, frame: Any) -> None:
        raise DeadlineExceeded(seconds)

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
