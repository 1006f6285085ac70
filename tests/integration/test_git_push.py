"""`git push` to submit, with the real git client against a real server grading in real sandboxes."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tests.browser.test_learner_journey import server  # noqa: F401 - the fixture
from tests.conftest import EXERCISE, EXERCISE_DIR
from tests.integration.test_client_cli import make_token

pytestmark = pytest.mark.docker


def git(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "GIT_CONFIG_NOSYSTEM": "1", "HOME": str(cwd.parent)}
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, env=env, timeout=300)


def commit(folder: Path, source: Path, message: str) -> None:
    for path in source.iterdir():
        (folder / path.name).write_text(path.read_text())
    git("add", ".", cwd=folder)
    git("-c", "user.email=lena@example.com", "-c", "user.name=Lena", "commit", "-qm", message, cwd=folder)


def test_a_push_to_main_is_an_attempt_whose_results_come_back_as_remote_lines(server, tmp_path):  # noqa: F811
    token = make_token(tmp_path / "data")
    remote = server.replace("http://", f"http://lena:{token}@") + f"/git/{EXERCISE}.git"
    project = tmp_path / "project"
    project.mkdir()
    git("init", "-q", "-b", "main", cwd=project)
    commit(project, EXERCISE_DIR / "solutions" / "python", "a working server")

    wrong = server.replace("http://", "http://lena:sc_not-a-token@") + f"/git/{EXERCISE}.git"
    refused = git("push", wrong, "main", cwd=project)
    assert refused.returncode != 0 and "remote: Use an API token" in refused.stderr
    other = git("push", remote, "main:other", cwd=project)
    assert other.returncode != 0 and "remote: push to main" in other.stderr

    pushed = git("push", remote, "main", cwd=project)
    assert pushed.returncode == 0, pushed.stderr
    lines = [line.removeprefix("remote: ").strip() for line in pushed.stderr.splitlines() if line.startswith("remote:")]
    assert lines[0].startswith("attempt #") and any(line.startswith("PASS ") for line in lines)
    assert any(line.startswith("PASSED") for line in lines)
    assert lines[-1].startswith(f"result page: {server}/submissions/")

    broken = git("push", remote, "main", cwd=project)
    assert "Everything up-to-date" in broken.stderr  # nothing new: no attempt
    (project / "app.py").write_text((project / "app.py").read_text().replace("Hello, Stagecraft!", "Hi"))
    git("-c", "user.email=l@e.com", "-c", "user.name=L", "commit", "-qam", "a mistake", cwd=project)
    failed = git("push", remote, "main", cwd=project)
    assert failed.returncode == 0  # the push itself worked; the attempt failed its tests
    assert "remote: FAIL root_greeting" in failed.stderr and "remote: FAILED" in failed.stderr

    clone = git("clone", "-q", remote, str(tmp_path / "copy"), cwd=tmp_path)
    assert clone.returncode == 0 and (tmp_path / "copy" / "app.py").exists()  # the remote keeps the work
