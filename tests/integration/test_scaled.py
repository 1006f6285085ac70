"""The scaled mode as an operator runs it: one `stagecraft serve` with STAGECRAFT_QUEUE=saq and two
`stagecraft worker` processes on a real PostgreSQL and Docker engine, each in its own data folder
(as on separate machines). A learner submits a burst through the API and watches each attempt live;
one worker is killed with SIGKILL mid-grade. Every attempt must end with exactly one verdict that
the learner's live stream delivered, and no sandbox object may be left behind."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from stagecraft.settings import REPO_ROOT
from tests.conftest import EXERCISE_DIR, stagecraft_containers
from tests.helpers import free_port, scratch_database, zip_directory

pytestmark = [pytest.mark.docker, pytest.mark.postgres]
STAGECRAFT = str(Path(sys.executable).with_name("stagecraft"))
BURST = 4


@pytest.fixture
async def database_url():
    async with scratch_database("stagecraft_scaled") as url:
        yield url


class Process:
    """A stagecraft command in the background, its output collected."""

    def __init__(self, args: list[str], env: dict[str, str], log: Path):
        self.log = log
        self.handle = log.open("wb")
        self.popen = subprocess.Popen(
            [STAGECRAFT, *args], env=env, stdout=self.handle, stderr=subprocess.STDOUT, cwd=REPO_ROOT
        )

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_for(self, text: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while text not in self.output():
            if self.popen.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"{self.log.name} never said {text!r}:\n{self.output()[-3000:]}")
            time.sleep(0.2)

    def stop(self) -> None:
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGTERM)
            try:
                self.popen.wait(60)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait()
        self.handle.close()


def _watch(base: str, token: str, attempt_id: int, seen: dict) -> None:
    """The learner's live stream of one attempt (SSE), kept until its `done` event."""
    headers = {"Authorization": f"Bearer {token}"}
    snapshots = []
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:  # a stream the web ends early (a restart) is opened again, as a browser does
        try:
            with httpx.stream("GET", f"{base}/api/v1/attempts/{attempt_id}/events", headers=headers, timeout=60) as r:
                event = None
                for line in r.iter_lines():
                    if line.startswith("event:"):
                        event = line.split(":", 1)[1].strip()
                    elif line.startswith("data:") and event == "attempt":
                        snapshots.append(json.loads(line.split(":", 1)[1]))
                    elif line.startswith("data:") and event == "done":
                        seen[attempt_id] = snapshots
                        return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)  # ended without `done` (refused, an error page while the web stops): retry
    seen[attempt_id] = snapshots


def _starter(tmp_path: Path, database_url: str, processes: list[Process]):
    """A function that starts a stagecraft command of the scaled mode in a data folder of its own."""
    common = {
        **{k: v for k, v in os.environ.items() if not k.startswith("STAGECRAFT_")},
        "DATABASE_URL": database_url,
        "STAGECRAFT_QUEUE": "saq",
        "STAGECRAFT_LEASE_SECONDS": "6",
        "STAGECRAFT_SECRET_KEY": "k" * 40,
    }

    def start(name: str, args: list[str]) -> Process:
        process = Process(args, {**common, "STAGECRAFT_DATA_DIR": str(tmp_path / name)}, tmp_path / f"{name}.log")
        processes.append(process)
        return process

    return start


async def test_a_burst_survives_a_killed_worker(tmp_path, sandbox_images, database_url):
    from stagecraft.accounts.services import create_user
    from stagecraft.api.tokens import create_token
    from stagecraft.db import close_database, open_database
    from stagecraft.submissions.tables import Submission

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    processes = []
    start = _starter(tmp_path, database_url, processes)

    try:
        web = start("web", ["serve", "--port", str(port)])
        web.wait_for("Uvicorn running", 90)
        workers = [start(f"worker{i}", ["worker", "--concurrency", "1"]) for i in (1, 2)]
        for worker in workers:
            worker.wait_for("Worker ready", 120)

        await open_database(database_url)
        alice = await create_user("alice@example.com", "correct horse battery staple", "learner")
        _, token = await create_token(alice, "drill", ["read", "submit"], None)
        archive = zip_directory(next((EXERCISE_DIR / "solutions").iterdir()))
        headers = {"Authorization": f"Bearer {token}"}
        async with httpx.AsyncClient(base_url=base, headers=headers, timeout=30) as api:
            ids = []
            for _ in range(BURST):
                files = {"archive": ("project.zip", archive, "application/zip")}
                made = await api.post(f"/api/v1/exercises/{EXERCISE_DIR.name}/attempts", files=files)
                assert made.status_code == 201, made.text
                ids.append(made.json()["id"])

        seen: dict[int, list] = {}
        watchers = [threading.Thread(target=_watch, args=(base, token, i, seen), daemon=True) for i in ids]
        for watcher in watchers:
            watcher.start()

        # A second enqueue of a waiting attempt is dropped (same submission and try).
        from stagecraft.grading.scaled import SaqQueue

        extra = SaqQueue(database_url)
        await extra.connect()
        try:
            await extra.enqueue(ids[-1])
        finally:
            await extra.disconnect()

        # Kill the first worker as soon as it holds a job.
        victim = workers[0]
        victim_owner = f"{socket.gethostname()}:{victim.popen.pid}:"
        deadline = time.monotonic() + 120
        killed_job = None
        while killed_job is None and time.monotonic() < deadline:
            rows = await Submission.select(Submission.id, Submission.lease_owner).where(Submission.state == "running")
            killed_job = next((r["id"] for r in rows if r["lease_owner"].startswith(victim_owner)), None)
            await asyncio.sleep(0.05)
        assert killed_job is not None, "the first worker never took a job:\n" + victim.output()[-3000:]
        victim.popen.kill()  # mid-grade: a job takes seconds, the claim was seen within 50 ms
        victim.popen.wait()
        at_kill = await Submission.select(Submission.state).where(Submission.id == killed_job).first()
        assert at_kill["state"] == "running", "the job finished before the kill; the drill did not happen"
        # The web restarts while the learner watches: the streams reconnect and catch up.
        web.stop()
        web = start("web-again", ["serve", "--port", str(port)])
        web.wait_for("Uvicorn running", 90)

        for watcher in watchers:
            await asyncio.to_thread(watcher.join, 300)
        rows = {
            r["id"]: r
            for r in await Submission.select(
                Submission.id, Submission.state, Submission.verdict, Submission.attempts
            ).where(Submission.id.is_in(ids))
        }
        assert {r["state"] for r in rows.values()} == {"finished"}, rows
        assert {r["verdict"] for r in rows.values()} == {"passed"}, rows
        assert rows[killed_job]["attempts"] >= 2  # taken back from the killed worker and graded again
        assert all(r["attempts"] == 1 for i, r in rows.items() if i != killed_job), rows  # the rest: once
        for attempt_id in ids:  # each verdict reached the learner's live stream
            snapshots = seen.get(attempt_id) or []
            assert snapshots and snapshots[-1]["verdict"] == "passed", (attempt_id, snapshots[-1:])
        # The surviving worker's janitor removes what the killed one left in the engine.
        deadline = time.monotonic() + 60
        while stagecraft_containers() and time.monotonic() < deadline:
            await asyncio.sleep(1)
        assert stagecraft_containers() == []
    finally:
        for process in processes:
            process.stop()
        await close_database()


async def test_a_stopped_worker_finishes_its_job_at_once_and_leaves_nothing(tmp_path, sandbox_images, database_url):
    """SIGTERM while grading: the job ends with its verdict (no second try), the worker exits within
    seconds (not after a grace period spent on idle dequeues), and its warm slot goes with it."""
    from stagecraft.accounts.services import create_user
    from stagecraft.api.tokens import create_token
    from stagecraft.db import close_database, open_database
    from stagecraft.submissions.tables import Submission

    port = free_port()
    processes: list[Process] = []
    start = _starter(tmp_path, database_url, processes)
    try:
        start("web", ["serve", "--port", str(port)]).wait_for("Uvicorn running", 90)
        worker = start("worker", ["worker", "--concurrency", "1"])
        worker.wait_for("Worker ready", 120)
        owner = f"{socket.gethostname()}:{worker.popen.pid}:"
        await open_database(database_url)
        alice = await create_user("alice@example.com", "correct horse battery staple", "learner")
        _, token = await create_token(alice, "drill", ["read", "submit"], None)
        archive = zip_directory(next((EXERCISE_DIR / "solutions").iterdir()))
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30) as api:
            made = await api.post(
                f"/api/v1/exercises/{EXERCISE_DIR.name}/attempts",
                files={"archive": ("project.zip", archive, "application/zip")},
                headers={"Authorization": f"Bearer {token}"},
            )
        assert made.status_code == 201, made.text
        submission_id = made.json()["id"]
        deadline = time.monotonic() + 60
        while (await Submission.select(Submission.state).where(Submission.id == submission_id).first())[
            "state"
        ] != "running":
            assert time.monotonic() < deadline, worker.output()[-3000:]
            await asyncio.sleep(0.02)

        asked = time.monotonic()
        worker.popen.send_signal(signal.SIGTERM)
        await asyncio.to_thread(worker.popen.wait, 60)
        assert worker.popen.returncode == 0 and time.monotonic() - asked < 30, worker.output()[-3000:]
        assert "did not finish within the shutdown grace period" not in worker.output()  # SAQ's idle tasks
        row = await Submission.objects().where(Submission.id == submission_id).first()
        assert (row.state, row.verdict, row.attempts) == ("finished", "passed", 1)
        assert not [name for name in stagecraft_containers(ready_slots=True) if owner in _owner_of(name)]
    finally:
        for process in processes:
            process.stop()
        await close_database()


def _owner_of(name: str) -> str:
    """The owner label of a container or volume named `name` ("" if it is gone)."""
    import docker

    client = docker.from_env()
    try:
        for getter in (client.containers.get, client.volumes.get):
            try:
                item = getter(name)
            except docker.errors.NotFound:
                continue
            labels = item.labels if hasattr(item, "labels") else item.attrs.get("Labels") or {}
            return labels.get("stagecraft.owner", "")
        return ""
    finally:
        client.close()


async def test_a_worker_refuses_another_checkout(tmp_path, sandbox_images, database_url):
    from datetime import UTC, datetime

    from stagecraft.db import close_database, open_database
    from stagecraft.storage.tables import DeploymentFact

    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("STAGECRAFT_")},
        "DATABASE_URL": database_url,
        "STAGECRAFT_DATA_DIR": str(tmp_path / "worker"),
    }

    def worker() -> subprocess.CompletedProcess:
        return subprocess.run(
            [STAGECRAFT, "worker"], env=env, capture_output=True, text=True, timeout=120, cwd=REPO_ROOT
        )

    await open_database(database_url)
    try:
        first = await asyncio.to_thread(worker)
        assert first.returncode == 2 and "no web process has started" in first.stderr, first.stderr
        await DeploymentFact.insert(
            DeploymentFact(name="checkout", value="0123456789abcdef", updated_at=datetime.now(UTC))
        )
        second = await asyncio.to_thread(worker)
        assert second.returncode == 2, second.stderr
        assert "differs from the web's (0123456789abcdef" in second.stderr and "Traceback" not in second.stderr
    finally:
        await close_database()
