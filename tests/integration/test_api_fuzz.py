"""A real `stagecraft serve`: the API fuzzed from its own OpenAPI document (schemathesis), no input
makes the server fail; its access log."""

from __future__ import annotations

import asyncio
import contextlib
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.browser.test_learner_journey import free_port
from tests.helpers import PASSWORD

SCHEMATHESIS = Path(sys.executable).with_name("st")


@contextlib.contextmanager
def _server(folder: Path, *flags: str):
    """A real `stagecraft serve` with no grading workers, its output in folder/server.log."""
    port = free_port()
    env = {**os.environ, "STAGECRAFT_DATA_DIR": str(folder / "data"), "STAGECRAFT_WORKERS": "0"}
    folder.mkdir(parents=True, exist_ok=True)
    log = (folder / "server.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "stagecraft", "serve", "--port", str(port), *flags], env=env, stdout=log, stderr=log
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"{base}/healthz", timeout=1)
            break
        except OSError:
            time.sleep(0.2)
    else:
        process.kill()
        pytest.fail("the server did not start:\n" + (folder / "server.log").read_text())
    try:
        yield base, folder / "data", folder / "server.log"
    finally:
        process.terminate()
        process.wait(timeout=20)
        log.close()


@pytest.fixture
def api_server(tmp_path: Path):
    """A real server with no grading workers: the attempts the fuzzer makes wait in the queue, harmless."""
    with _server(tmp_path) as server:
        yield server


def test_the_access_log_has_a_line_per_request_unless_turned_off(tmp_path):
    for flags, logged in (((), True), (("--no-access-log",), False)):
        with _server(tmp_path / str(logged), *flags) as (base, _, log):
            urllib.request.urlopen(f"{base}/stages/1", timeout=5)
        text = log.read_text()
        assert ('"GET /stages/1 HTTP/1.1" 200' in text) is logged, text
        assert "Application startup complete" in text  # the rest of the log stays


def _token(data_dir: Path) -> str:
    async def go() -> str:
        from stagecraft.accounts.services import create_user
        from stagecraft.api.tokens import create_token
        from stagecraft.db import close_database, open_database

        await open_database(f"sqlite:///{data_dir}/stagecraft.sqlite3")
        try:
            user = await create_user("fuzz@example.com", PASSWORD, "learner")
            return (await create_token(user, "fuzz", ["read", "submit"], None))[1]
        finally:
            await close_database()

    return asyncio.run(go())


def test_no_generated_request_gets_a_server_error(api_server):
    base, data_dir, log = api_server
    token = _token(data_dir)
    run = subprocess.run(
        [
            str(SCHEMATHESIS), "run", f"{base}/api/v1/schema/openapi.json",
            "--header", f"Authorization: Bearer {token}",
            "--checks", "not_a_server_error",
            "--max-examples", "25",
            "--exclude-path-regex", "/events$",  # a stream of an attempt no worker grades never ends
            "--request-timeout", "20",
            "--generation-deterministic",
        ],
        capture_output=True, text=True, timeout=900, env={**os.environ, "NO_COLOR": "1"},
    )  # fmt: skip
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:] + log.read_text()[-3000:]
    assert "Traceback" not in log.read_text()
