"""Latency benchmark (run with `scripts/bench -k latency`; never part of the default run).

One learner, one attempt at a time, as a learner watching the page sees it: the stage-1 reference
solution is uploaded through the API and its live stream (SSE) is opened at once; printed are
submit-to-first-result (the first test's result arrives on the stream) and submit-to-verdict (the
stream's `done`), p50/p95, for the embedded mode (`stagecraft serve` on SQLite with its own workers)
and the scaled mode (`serve` with STAGECRAFT_QUEUE=saq and one `stagecraft worker`, PostgreSQL),
beside the floor measured in the same run: two bare containers sharing a network namespace (start an
HTTP server, wait for its port, five requests from the second container, remove both).
"""

from __future__ import annotations

import json
import os
import time

import httpx
import pytest

from tests.bench.test_bench_grading import percentile
from tests.bench.test_bench_scaled import _two_container_floor
from tests.conftest import EXERCISE_DIR
from tests.helpers import free_port, scratch_database, zip_directory
from tests.integration.test_scaled import Process

pytestmark = [pytest.mark.bench, pytest.mark.docker, pytest.mark.postgres]
RUNS = int(os.environ.get("BENCH_RUNS", "20"))
WARM_UP = 2  # first gradings: dependency cache, page cache, the worker's first preparations


def _one_attempt(api: httpx.Client, archive: bytes) -> tuple[float, float, float]:
    """Seconds from the upload's start to its answer, to the first test result seen, and to the verdict seen."""
    started = time.perf_counter()
    files = {"archive": ("project.zip", archive, "application/zip")}
    made = api.post(f"/api/v1/exercises/{EXERCISE_DIR.name}/attempts", files=files)
    assert made.status_code == 201, made.text
    uploaded = time.perf_counter() - started
    first = None
    event = None
    with api.stream("GET", f"/api/v1/attempts/{made.json()['id']}/events") as stream:
        for line in stream.iter_lines():
            if line.startswith("event:"):
                event = line.split(":", 1)[1].strip()
            elif line.startswith("data:") and event == "attempt" and first is None:
                if json.loads(line.split(":", 1)[1]).get("tests"):
                    first = time.perf_counter() - started
            elif line.startswith("data:") and event == "done":
                verdict = api.get(f"/api/v1/attempts/{made.json()['id']}").json()["verdict"]
                assert verdict == "passed", verdict
                done = time.perf_counter() - started
                return uploaded, (first if first is not None else done), done
    raise AssertionError("the stream ended without a verdict")


def _measure(tmp_path, mode: str, database_url: str | None) -> list[tuple[float, float, float]]:
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("STAGECRAFT_") and k != "DATABASE_URL"},
        "STAGECRAFT_SECRET_KEY": "k" * 40,
        "STAGECRAFT_BUDGET_ATTEMPTS": "1000",
    }
    if database_url:
        env |= {"DATABASE_URL": database_url, "STAGECRAFT_QUEUE": "saq"}
    else:
        env |= {"STAGECRAFT_WORKERS": "1"}
    processes = []
    try:
        web = Process(["serve", "--port", str(port)], env | {"STAGECRAFT_DATA_DIR": str(tmp_path / mode / "web")},
                      tmp_path / f"{mode}-web.log")  # fmt: skip
        processes.append(web)
        web.wait_for("Uvicorn running", 90)
        if database_url:
            worker_env = env | {"STAGECRAFT_DATA_DIR": str(tmp_path / mode / "worker")}
            worker = Process(["worker", "--concurrency", "1"], worker_env, tmp_path / f"{mode}-worker.log")
            processes.append(worker)
            worker.wait_for("Worker ready", 120)
        token = _token(env | {"STAGECRAFT_DATA_DIR": str(tmp_path / mode / "web")}, database_url)
        archive = zip_directory(EXERCISE_DIR / "solutions" / "python")
        headers = {"Authorization": f"Bearer {token}"}
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", headers=headers, timeout=60) as api:
            for _ in range(WARM_UP):
                _one_attempt(api, archive)
            return [_one_attempt(api, archive) for _ in range(RUNS)]
    finally:
        for process in processes:
            process.stop()


def _token(env: dict[str, str], database_url: str | None) -> str:
    """A learner and an API token made in the platform's own database (as `stagecraft user create` would)."""
    import asyncio

    from stagecraft.accounts.services import create_user
    from stagecraft.api.tokens import create_token
    from stagecraft.db import close_database, open_database

    url = database_url or f"sqlite:///{env['STAGECRAFT_DATA_DIR']}/stagecraft.sqlite3"

    async def make() -> str:
        await open_database(url)
        try:
            user = await create_user("bench-latency@example.com", "benchmark password")
            _, token = await create_token(user, "bench", ["read", "submit"], None)
            return token
        finally:
            await close_database()

    return asyncio.run(make())


def test_print_latency_figures(sandbox_images, tmp_path):
    import asyncio

    embedded = _measure(tmp_path, "embedded", None)

    async def scaled_round():
        async with scratch_database("stagecraft_bench") as url:
            return await asyncio.to_thread(_measure, tmp_path, "scaled", url)

    scaled = asyncio.run(scaled_round())
    floor = _two_container_floor()
    f50 = percentile(floor, 0.5)
    print(f"\n\nlatency, one attempt at a time, stage-1 reference through the API and its live stream ({RUNS} runs)")
    print(f"floor: two containers sharing a namespace, server up, 5 requests, removed: "
          f"p50 {f50:.2f} s  p95 {percentile(floor, 0.95):.2f} s")  # fmt: skip
    print(f"{'mode':10} {'upload p50':>11} {'first result p50':>17} {'p95':>6} {'verdict p50':>12} {'p95':>6}"
          f" {'verdict / floor':>16}")  # fmt: skip
    for mode, times in (("embedded", embedded), ("scaled", scaled)):
        upload, first, done = ([t[i] for t in times] for i in range(3))
        print(
            f"{mode:10} {percentile(upload, 0.5):10.2f}s"
            f" {percentile(first, 0.5):16.2f}s {percentile(first, 0.95):5.2f}s"
            f" {percentile(done, 0.5):11.2f}s {percentile(done, 0.95):5.2f}s {percentile(done, 0.5) / f50:15.1f}x"
        )
