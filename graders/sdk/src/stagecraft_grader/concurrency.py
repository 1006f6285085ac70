"""Run many clients at once, each in its own thread, and collect what each got, in bounded time."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .checks import ExchangeError


@dataclass(frozen=True)
class ConcurrentResult:
    index: int
    value: Any = None
    error: BaseException | None = None
    duration: float = 0.0

    @property
    def ok(self) -> bool:
        return self.error is None

    def result(self) -> Any:
        """The value, or raise the client's error (so a failed request fails the test as usual)."""
        if self.error is not None:
            raise self.error
        return self.value


def run_concurrently(client: Callable[[int], Any], count: int, *, timeout: float = 10.0) -> list[ConcurrentResult]:
    """Call `client(i)` for i in range(count), all released at the same moment.

    Returns one result per call, in index order. A call still running after `timeout` seconds
    gets an `ExchangeError` saying so (its thread is abandoned, not killed).
    """
    if count < 1:
        raise ValueError("run_concurrently needs a count of at least 1")
    start = threading.Barrier(count)
    results: list[ConcurrentResult | None] = [None] * count

    def run(index: int) -> None:
        try:
            start.wait(timeout)
        except threading.BrokenBarrierError:
            pass  # some thread could not start in time: run anyway
        began = time.monotonic()
        try:
            results[index] = ConcurrentResult(index, value=client(index), duration=time.monotonic() - began)
        except BaseException as exc:  # noqa: BLE001 - reported to the test, not lost in the thread
            results[index] = ConcurrentResult(index, error=exc, duration=time.monotonic() - began)

    threads = [
        threading.Thread(target=run, args=(index,), name=f"stagecraft-client-{index}", daemon=True)
        for index in range(count)
    ]
    deadline = time.monotonic() + timeout
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(max(deadline - time.monotonic(), 0))
    late = ExchangeError(f"the client did not finish within {timeout:g} s")
    return [
        result if result is not None else ConcurrentResult(index, error=late, duration=timeout)
        for index, result in enumerate(results)
    ]
