"""Benchmarks that print figures (run with `scripts/bench`; never part of the default run).

- submit-to-verdict latency of the stage-1 reference solution, p50/p95 over 20 runs, from intake
  (archive checks, storage, queue row) to the stored verdict, with the embedded worker pool;
- the floor: a bare `docker run` of the same runtime image, p50/p95 over 20 runs, and the ratio;
- throughput: graded submissions per minute with 2 and 4 submitted at once.
"""

from __future__ import annotations

import asyncio
import statistics
import subprocess
import time

import pytest

from stagecraft.accounts.services import create_user
from stagecraft.sandbox.images import image_tag
from stagecraft.submissions.services import create_submission
from stagecraft.submissions.tables import Submission
from tests.conftest import EXERCISE, EXERCISE_DIR, make_settings
from tests.helpers import running, zip_directory

pytestmark = [pytest.mark.bench, pytest.mark.docker]
RUNS = 20
REFERENCE = EXERCISE_DIR / "solutions" / "python"


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


async def _graded(ids: list[int]) -> None:
    while await Submission.count().where(Submission.id.is_in(ids) & (Submission.state != "finished")):
        await asyncio.sleep(0.05)


async def _submit_batch(app, user_id: int, count: int) -> float:
    """Submit `count` at once; return the seconds until the last verdict."""
    settings, exercise = app.state.settings, app.state.curriculum.exercise(EXERCISE)
    data = zip_directory(REFERENCE)
    started = time.perf_counter()
    ids = []
    for _ in range(count):
        ids.append(await create_submission(settings, user_id, exercise, "ref.zip", data))
        await app.state.queue.enqueue(ids[-1])
    await _graded(ids)
    elapsed = time.perf_counter() - started
    rows = await Submission.select(Submission.verdict).where(Submission.id.is_in(ids))
    assert all(row["verdict"] == "passed" for row in rows), rows
    return elapsed


async def _measure(tmp_path, workers: int, batches: list[int]) -> list[float]:
    from stagecraft.app import create_app

    app = create_app(make_settings(tmp_path / f"w{workers}", STAGECRAFT_WORKERS=str(workers)))
    async with running(app):
        user = await create_user(f"bench{workers}@example.com", "benchmark password")
        await _submit_batch(app, user.id, 1)  # warm-up: page cache, first container start
        return [await _submit_batch(app, user.id, size) for size in batches]


def _docker_run_floor() -> list[float]:
    image = image_tag("python")
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        subprocess.run(["docker", "run", "--rm", "--network", "none", image, "python", "-c", "pass"], check=True)
        times.append(time.perf_counter() - started)
    return times


def test_print_grading_figures(sandbox_images, tmp_path):
    latencies = asyncio.run(_measure(tmp_path, 1, [1] * RUNS))
    floor = _docker_run_floor()
    throughput = {}
    for concurrent in (2, 4):
        [elapsed] = asyncio.run(_measure(tmp_path, concurrent, [concurrent * 3]))
        throughput[concurrent] = (concurrent * 3, elapsed)

    p50, p95 = percentile(latencies, 0.5), percentile(latencies, 0.95)
    f50, f95 = percentile(floor, 0.5), percentile(floor, 0.95)
    print()
    print(
        f"submit-to-verdict, stage-1 reference, {RUNS} runs: p50 {p50:.2f} s  p95 {p95:.2f} s"
        f"  (mean {statistics.mean(latencies):.2f} s)"
    )
    print(f"bare docker run of the runtime image, {RUNS} runs: p50 {f50:.2f} s  p95 {f95:.2f} s")
    print(f"ratio to the floor: p50 {p50 / f50:.1f}x  p95 {p95 / f95:.1f}x")
    for concurrent, (count, elapsed) in throughput.items():
        print(
            f"throughput with {concurrent} at once ({concurrent} workers): {count} graded in {elapsed:.1f} s,"
            f" {count / elapsed * 60:.1f} per minute"
        )
    assert p50 > f50 > 0  # grading includes at least one container start
