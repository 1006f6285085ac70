"""Scaled-mode benchmark (run with `scripts/bench -k scaled`; never part of the default run).

One `stagecraft serve` with STAGECRAFT_QUEUE=saq and 1 or 2 `stagecraft worker` processes
(concurrency 1 and 2 each) on PostgreSQL and the local Docker engine. A burst of stage-1 reference
solutions goes in through the API at once; printed: graded per minute, enqueue-to-start p50/p95
(the queue's wait, from the rows' timestamps) and submit-to-verdict p50/p95, beside the floor
measured in the same run: two bare containers sharing a network namespace (start an HTTP server,
wait for its port, five requests from the second container, remove both).
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import time
import uuid

import httpx
import pytest

from stagecraft.sandbox.images import image_tag
from tests.bench.test_bench_grading import percentile
from tests.conftest import EXERCISE_DIR
from tests.helpers import free_port, scratch_database, zip_directory
from tests.integration.test_scaled import Process

pytestmark = [pytest.mark.bench, pytest.mark.docker, pytest.mark.postgres]
BURST = int(os.environ.get("BENCH_BURST", "12"))
FLOOR_RUNS = 10
CLIENT = (
    "import socket, time, urllib.request\n"
    "while True:\n"
    "    try:\n"
    "        socket.create_connection(('127.0.0.1', 8000), 0.2).close(); break\n"
    "    except OSError:\n"
    "        time.sleep(0.02)\n"
    "for _ in range(5):\n"
    "    urllib.request.urlopen('http://127.0.0.1:8000/').read()\n"
)


def _two_container_floor() -> list[float]:
    image = image_tag("python")
    times = []
    for _ in range(FLOOR_RUNS):
        name = f"stagecraft-floor-{uuid.uuid4().hex[:8]}"
        started = time.perf_counter()
        subprocess.run(
            ["docker", "run", "-d", "--name", name, "--network", "none", image, "python", "-m", "http.server", "8000"],
            check=True, capture_output=True,
        )  # fmt: skip
        subprocess.run(
            ["docker", "run", "--rm", "--network", f"container:{name}", image, "python", "-c", CLIENT],
            check=True, capture_output=True,
        )  # fmt: skip
        subprocess.run(["docker", "rm", "-f", name], check=True, capture_output=True)
        times.append(time.perf_counter() - started)
    return times


async def _round(tmp_path, database_url: str, processes: int, concurrency: int) -> dict:
    from stagecraft.accounts.services import create_user
    from stagecraft.api.tokens import create_token
    from stagecraft.db import close_database, open_database
    from stagecraft.submissions.tables import Submission

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    common = {
        **{k: v for k, v in os.environ.items() if not k.startswith("STAGECRAFT_")},
        "DATABASE_URL": database_url,
        "STAGECRAFT_QUEUE": "saq",
        "STAGECRAFT_SECRET_KEY": "k" * 40,
        "STAGECRAFT_BUDGET_ATTEMPTS": "1000",
    }
    started_processes = []
    tag = f"p{processes}c{concurrency}"

    def start(name: str, args: list[str]) -> Process:
        env = {**common, "STAGECRAFT_DATA_DIR": str(tmp_path / tag / name)}
        process = Process(args, env, tmp_path / f"{tag}-{name}.log")
        started_processes.append(process)
        return process

    try:
        start("web", ["serve", "--port", str(port)]).wait_for("Uvicorn running", 90)
        for i in range(processes):
            start(f"worker{i}", ["worker", "--concurrency", str(concurrency)]).wait_for("Worker ready", 120)
        await open_database(database_url)
        user = await create_user(f"bench-{tag}@example.com", "benchmark password")
        _, token = await create_token(user, "bench", ["read", "submit"], None)
        archive = zip_directory(next((EXERCISE_DIR / "solutions").iterdir()))
        async with httpx.AsyncClient(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=30) as api:

            async def submit() -> tuple[int, float]:
                files = {"archive": ("project.zip", archive, "application/zip")}
                made = await api.post(f"/api/v1/exercises/{EXERCISE_DIR.name}/attempts", files=files)
                assert made.status_code == 201, made.text
                return made.json()["id"], time.perf_counter()

            warm = await submit()  # first job: dependency cache and page cache
            while (await Submission.select(Submission.state).where(Submission.id == warm[0]).first())[
                "state"
            ] != "finished":
                await asyncio.sleep(0.1)
            began = time.perf_counter()
            sent = await asyncio.gather(*[submit() for _ in range(BURST)])
            ids = [i for i, _ in sent]
            done_at = {}
            while len(done_at) < len(ids):
                rows = await Submission.select(Submission.id, Submission.state).where(Submission.id.is_in(ids))
                for row in rows:
                    if row["state"] == "finished" and row["id"] not in done_at:
                        done_at[row["id"]] = time.perf_counter()
                await asyncio.sleep(0.05)
            elapsed = time.perf_counter() - began
        rows = await Submission.select(
            Submission.id, Submission.verdict, Submission.created_at, Submission.started_at
        ).where(Submission.id.is_in(ids))
        assert {r["verdict"] for r in rows} == {"passed"}, rows
        waits = [(r["started_at"] - r["created_at"]).total_seconds() for r in rows]
        latencies = [done_at[i] - t for i, t in sent]
        await close_database()
        return {"elapsed": elapsed, "waits": waits, "latencies": latencies}
    finally:
        for process in started_processes:
            process.stop()


def test_print_scaled_figures(sandbox_images, tmp_path):
    async def run_all():
        results = {}
        for processes in (1, 2):
            for concurrency in (1, 2):
                async with scratch_database("stagecraft_bench") as url:
                    results[(processes, concurrency)] = await _round(tmp_path, url, processes, concurrency)
        return results

    results = asyncio.run(run_all())
    floor = _two_container_floor()
    print(f"\n\nscaled mode (SAQ on PostgreSQL), a burst of {BURST} stage-1 reference solutions through the API")
    print(f"floor: two containers sharing a namespace, server up, 5 requests, removed ({FLOOR_RUNS} runs): "
          f"p50 {percentile(floor, 0.5):.2f} s  p95 {percentile(floor, 0.95):.2f} s")  # fmt: skip
    print(f"{'workers x concurrency':22} {'per min':>8} {'wait p50':>9} {'wait p95':>9} {'verdict p50':>12} {'p95':>7}")
    for (processes, concurrency), r in results.items():
        print(
            f"{processes} x {concurrency:<18} {BURST / r['elapsed'] * 60:8.1f} {percentile(r['waits'], 0.5):8.2f}s"
            f" {percentile(r['waits'], 0.95):8.2f}s {percentile(r['latencies'], 0.5):11.2f}s"
            f" {percentile(r['latencies'], 0.95):6.2f}s"
        )
