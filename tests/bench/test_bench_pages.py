"""Page benchmark (run with `scripts/bench -k pages`; never part of the default run).

A PostgreSQL database seeded with 10,000 learners and 1,000,000 attempts (with their test rows
left out: the pages below read attempts and progress), one `stagecraft serve` process on it, and
wrk, a load generator from Debian, against 127.0.0.1 with a bounded number of connections.
Printed beside the same load on a bare Litestar hello-world served by the same uvicorn in the same
run: requests per second, p50 and p99 for the home page of a signed-in learner (the dashboard),
an exercise page, and a visitor's home page, and this app's /healthz as the floor of its own
middleware. Goal (issue 12): p99 under 50 ms and at least 30 % of
the bare framework's requests per second.
"""

from __future__ import annotations

import asyncio
import os
import random
import re
import shutil
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
import httpx
import pytest

from stagecraft.settings import REPO_ROOT
from tests.helpers import free_port

pytestmark = pytest.mark.bench
ADMIN_DSN = "postgresql://postgres@127.0.0.1:5432/postgres"
LEARNERS = int(os.environ.get("BENCH_LEARNERS", "10000"))
ATTEMPTS = int(os.environ.get("BENCH_ATTEMPTS", "1000000"))
CONNECTIONS, SECONDS = 16, 10
STAGECRAFT = str(Path(sys.executable).with_name("stagecraft"))
PASSWORD = "correct horse battery staple"

BARE_APP = """
from litestar import Litestar, get

@get("/", sync_to_thread=False)
def hello() -> str:
    return "Hello, world!"

app = Litestar([hello])
"""


def _wait_up(url: str, process: subprocess.Popen, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server for {url} exited with {process.returncode}")
        try:
            if httpx.get(url, timeout=2).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"{url} never answered")


def _wrk(url: str, cookie: str | None = None) -> tuple[float, float, float]:
    """(requests per second, p50 ms, p99 ms) of wrk against `url`."""
    command = ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{SECONDS}s", "--latency", url]
    if cookie:
        command[1:1] = ["-H", f"Cookie: {cookie}"]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    assert non_2xx is None, f"{url}: {non_2xx.group(0)}\n{out}"
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))

    def ms(label: str) -> float:
        value, unit = re.search(rf"\s{label}\s+([\d.]+)(us|ms|s)", out).groups()
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

    return rps, ms("50%"), ms("99%")


async def _seed(dsn: str, exercises: list[str], password_hash: str) -> None:
    """10,000 learners and 1,000,000 attempts over the curriculum's exercises, through COPY."""
    connection = await asyncpg.connect(dsn)
    try:
        now = datetime.now(UTC)
        users = [
            (f"learner{i}@example.com", password_hash, "learner", now - timedelta(days=90)) for i in range(LEARNERS)
        ]
        await connection.copy_records_to_table(
            "users", records=users, columns=["email", "password_hash", "role", "created_at"]
        )
        first_id = await connection.fetchval("SELECT min(id) FROM users")
        rng = random.Random(7)
        verdicts = ["passed", "failed", "failed", "did_not_start"]

        def attempts(start: int, count: int):
            for n in range(start, start + count):
                verdict = rng.choice(verdicts)
                created = now - timedelta(minutes=rng.randint(1, 90 * 24 * 60))
                yield (
                    first_id + n % LEARNERS,
                    rng.choice(exercises),
                    "python",
                    f"{n:064x}",
                    "project.zip",
                    "finished",
                    verdict,
                    verdict == "passed",
                    "",
                    10.0 if verdict == "passed" else 4.0,
                    10.0,
                    "",
                    "",
                    1,
                    "",
                    created,
                    created,
                    created + timedelta(seconds=9),
                )

        columns = [
            "user", "exercise", "runtime", "archive_sha256", "archive_name", "state", "verdict", "polished",
            "message", "score", "max_score", "app_log", "setup", "attempts", "operator_detail", "created_at",
            "started_at", "finished_at",
        ]  # fmt: skip
        for start in range(0, ATTEMPTS, 100_000):
            batch = list(attempts(start, min(100_000, ATTEMPTS - start)))
            await connection.copy_records_to_table("submissions", records=batch, columns=columns)
        await connection.execute("ANALYZE")
    finally:
        await connection.close()


def test_pages_under_load(tmp_path):
    if not shutil.which("wrk"):
        pytest.fail("wrk is missing: scripts/bench installs it (apt-get install wrk)")
    name = f"stagecraft_bench_{uuid.uuid4().hex[:8]}"
    dsn = f"postgresql://postgres@127.0.0.1:5432/{name}"
    processes = []

    async def create_db():
        admin = await asyncpg.connect(ADMIN_DSN)
        await admin.execute(f'CREATE DATABASE "{name}"')
        await admin.close()

    async def drop_db():
        admin = await asyncpg.connect(ADMIN_DSN)
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()

    asyncio.run(create_db())
    try:
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("STAGECRAFT_")},
            "DATABASE_URL": dsn,
            "STAGECRAFT_DATA_DIR": str(tmp_path / "data"),
            "STAGECRAFT_WORKERS": "0",
            "STAGECRAFT_SECRET_KEY": "b" * 40,
        }
        subprocess.run([STAGECRAFT, "migrate"], env=env, check=True, capture_output=True, cwd=REPO_ROOT)

        from argon2 import PasswordHasher

        from stagecraft.curriculum.loader import load_curriculum

        curriculum = load_curriculum(REPO_ROOT / "curriculum", REPO_ROOT / "graders")
        slugs = [e.slug for e in curriculum.exercises()]
        started = time.perf_counter()
        asyncio.run(_seed(dsn, slugs, PasswordHasher().hash(PASSWORD)))
        seeded = time.perf_counter() - started

        port, bare_port = free_port(), free_port()
        web = subprocess.Popen(
            # No access log: the bare app logs none either (behind a proxy, the proxy logs requests).
            [STAGECRAFT, "serve", "--port", str(port), "--no-access-log"], env=env, cwd=REPO_ROOT,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        processes.append(web)
        (tmp_path / "bare.py").write_text(BARE_APP)
        bare = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "bare:app", "--port", str(bare_port), "--log-level", "warning"],
            cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        processes.append(bare)
        base = f"http://127.0.0.1:{port}"
        _wait_up(f"{base}/healthz", web)
        _wait_up(f"http://127.0.0.1:{bare_port}/", bare)

        with httpx.Client(base_url=base, follow_redirects=False) as browser:
            browser.get("/login")
            signed_in = browser.post(
                "/login",
                data={
                    "email": "learner42@example.com",
                    "password": PASSWORD,
                    "_csrf_token": browser.cookies["csrftoken"],
                },
            )
            assert signed_in.status_code in (302, 303), signed_in.text[:500]
            cookie = "; ".join(f"{k}={v}" for k, v in browser.cookies.items())
            exercise = slugs[len(slugs) // 2]
            assert browser.get(f"/exercises/{exercise}").status_code == 200

        rows = [
            ("bare Litestar hello-world", _wrk(f"http://127.0.0.1:{bare_port}/")),
            # This app's own floor: its middleware on a handler that reads nothing, with and
            # without a signed-in session (the session read, CSRF, security headers).
            ("/healthz (visitor)", _wrk(f"{base}/healthz")),
            ("/healthz (signed in)", _wrk(f"{base}/healthz", cookie)),
            ("/ (visitor)", _wrk(f"{base}/")),
            ("/ (signed-in learner: dashboard)", _wrk(f"{base}/", cookie)),
            (f"/exercises/{exercise} (signed in)", _wrk(f"{base}/exercises/{exercise}", cookie)),
        ]
        bare_rps = rows[0][1][0]
        print(f"\n\npages: {LEARNERS:,} learners, {ATTEMPTS:,} attempts in PostgreSQL (seeded in {seeded:.0f} s);")
        print(f"wrk -t2 -c{CONNECTIONS} -d{SECONDS}s on 127.0.0.1, one uvicorn process each")
        print(f"{'page':44} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'of bare':>8}")
        for label, (rps, p50, p99) in rows:
            print(f"{label:44} {rps:8.0f} {p50:8.1f} {p99:8.1f} {rps / bare_rps:8.0%}")
    finally:
        for process in processes:
            process.terminate()
            process.wait(30)
        asyncio.run(drop_db())
