"""run_concurrently: all clients at once, every result or error kept, bounded time."""

from __future__ import annotations

import threading
import time

import pytest

from stagecraft_grader import AppClient, ExchangeError, run_concurrently
from tests.graders.helpers import RunningApp


def test_clients_really_run_at_the_same_time() -> None:
    inside = threading.Barrier(5, timeout=2)  # breaks unless all 5 are in flight together

    results = run_concurrently(lambda i: (inside.wait(), i * i)[1], 5)

    assert [result.result() for result in results] == [0, 1, 4, 9, 16]
    assert all(result.ok for result in results)


def test_errors_are_kept_per_client() -> None:
    def client(index: int) -> int:
        if index == 1:
            raise ExchangeError("boom")
        return index

    results = run_concurrently(client, 3)

    assert [result.ok for result in results] == [True, False, True]
    with pytest.raises(ExchangeError, match="boom"):
        results[1].result()


def test_slow_clients_are_cut_off_at_the_timeout() -> None:
    started = time.monotonic()

    results = run_concurrently(lambda i: time.sleep(3 if i else 0), 2, timeout=0.5)

    assert time.monotonic() - started < 1.5
    assert results[0].ok
    assert str(results[1].error) == "the client did not finish within 0.5 s"


def test_many_http_clients_against_a_real_app(realtime_app: RunningApp) -> None:
    with AppClient(f"http://127.0.0.1:{realtime_app.port}") as app:
        results = run_concurrently(lambda i: app.get("/hello").status_code, 20)

    assert [result.result() for result in results] == [200] * 20
