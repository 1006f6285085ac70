"""`stagecraft login`, `submit` and `status` against a real running platform, grading in real sandboxes."""

from __future__ import annotations

import asyncio
import os
import stat
import subprocess
import sys

import pytest

from tests.browser.test_learner_journey import server  # noqa: F401 - the fixture
from tests.conftest import EXERCISE, EXERCISE_DIR
from tests.helpers import PASSWORD

pytestmark = pytest.mark.docker


def run(args: list[str], env: dict[str, str], stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "stagecraft", *args], capture_output=True, text=True, env=env, input=stdin, timeout=300
    )


def make_token(data_dir) -> str:
    """A learner and a token in the running platform's database (what the tokens page does)."""

    async def go() -> str:
        from stagecraft.accounts.services import create_user
        from stagecraft.api.tokens import create_token
        from stagecraft.db import close_database, open_database

        await open_database(f"sqlite:///{data_dir}/stagecraft.sqlite3")
        try:
            user = await create_user("lena@example.com", PASSWORD, "learner")
            return (await create_token(user, "cli", ["read", "submit"], None))[1]
        finally:
            await close_database()

    return asyncio.run(go())


def test_login_submit_and_status_from_a_terminal(server, tmp_path):  # noqa: F811
    data_dir = tmp_path / "data"
    assert (data_dir / "stagecraft.sqlite3").exists(), "the server's database is where the test expects it"
    token = make_token(data_dir)
    # A client command needs no data folder or secret key: it runs from an empty home with no settings.
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path / "home"), "XDG_CONFIG_HOME": str(tmp_path / "config")}

    wrong = run(["login", "--server", server, "--token", "sc_wrong"], env)
    assert wrong.returncode == 2 and "refused the token" in wrong.stderr
    logged = run(["login", "--server", server], env, stdin=token + "\n")
    assert logged.returncode == 0, logged.stderr
    config = tmp_path / "config" / "stagecraft" / "client.toml"
    assert stat.S_IMODE(config.stat().st_mode) == 0o600 and token in config.read_text()
    assert not (tmp_path / "home" / "data").exists()

    passed = run(["submit", str(EXERCISE_DIR / "solutions" / "python"), "--exercise", EXERCISE], env)
    assert passed.returncode == 0, passed.stdout + passed.stderr
    lines = passed.stdout.splitlines()
    assert lines[0].startswith("---- attempt #") and any(line.startswith("PASS ") for line in lines)
    assert any(line.startswith("PASSED") for line in lines) and lines[-1].startswith(
        f"result page: {server}/submissions/"
    )

    from stagecraft.curriculum.patches import project_folder

    with project_folder(sorted((EXERCISE_DIR / "broken").iterdir())[0]) as broken:
        failed = run(["submit", str(broken), "--exercise", EXERCISE], env)
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "FAIL " in failed.stdout and "reproduce: curl" in failed.stdout

    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "app.py").write_text("print(1)\n")
    refused = run(["submit", str(empty), "--exercise", EXERCISE], env)
    assert refused.returncode == 2 and "stagecraft.toml" in refused.stderr

    listed = run(["status"], env)
    assert listed.returncode == 0
    assert "Passed" in listed.stdout and "Some tests failed" in listed.stdout
