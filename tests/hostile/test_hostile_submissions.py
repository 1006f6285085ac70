"""Submissions that are broken, greedy or written to attack the grader, through the real engine.

Each gets a learner-side verdict within its deadline, nothing is left behind, and none can raise
its score. Projects marked "then serves" attack first and then run a known app (the reference
solution, or a broken variant), copied in as reference.py.
"""

from __future__ import annotations

import shutil
import threading
import time
from pathlib import Path

import msgspec
import pytest

from stagecraft.curriculum.loader import load_curriculum
from stagecraft.curriculum.models import LimitsManifest
from stagecraft.curriculum.patches import project_folder
from stagecraft.grading.local import grade_directory
from stagecraft.settings import REPO_ROOT
from tests.conftest import EXERCISE, EXERCISE_DIR, stagecraft_containers

pytestmark = pytest.mark.docker
PROJECTS = Path(__file__).parent / "projects"
WALL = 30.0
REFERENCE = EXERCISE_DIR / "solutions" / "python" / "app.py"
NO_404 = EXERCISE_DIR / "broken" / "no-404"  # a patched variant: the solution without its 404


@pytest.fixture(scope="module")
def exercise():
    found = load_curriculum(REPO_ROOT / "curriculum", REPO_ROOT / "graders").exercise(EXERCISE)
    manifest = msgspec.structs.replace(found.manifest, limits=LimitsManifest(wall_seconds=WALL))
    return msgspec.structs.replace(found, manifest=manifest)


def project(tmp_path: Path, name: str, serves: Path | None = None) -> Path:
    folder = tmp_path / name
    shutil.copytree(PROJECTS / name, folder)
    if serves is not None:
        shutil.copy(serves, folder / "reference.py")
    return folder


def grade(exercise, folder: Path, tmp_path: Path):
    started = time.monotonic()
    outcome = grade_directory(exercise, folder, tmp_path)
    elapsed = time.monotonic() - started
    assert elapsed < WALL + 20, f"took {elapsed:.0f} s, past its deadline"
    return outcome


@pytest.mark.parametrize(
    ("name", "verdict", "in_message"),
    [
        ("fork-bomb", "did_not_start", "did not accept connections"),
        ("memory-hog", "out_of_memory", "more memory"),
        ("cpu-spin", "did_not_start", "did not accept connections"),
        ("disk-fill", "did_not_start", "exited with code 1"),
        ("sleep-forever", "did_not_start", "PORT"),
        ("wrong-port", "did_not_start", "PORT"),
        ("exits-at-once", "did_not_start", "exited with code 1"),
        ("node-memory-hog", "out_of_memory", "more memory"),
        ("node-exits-at-once", "did_not_start", "exited with code 2"),
        ("node-fork-bomb", "did_not_start", "did not accept connections"),
        ("node-stdout-flood", "output_limit", "more output than allowed"),
    ],
)
def test_an_app_that_never_serves_gets_a_learner_verdict(sandbox_images, exercise, tmp_path, name, verdict, in_message):
    outcome = grade(exercise, project(tmp_path, name), tmp_path)
    assert outcome.verdict == verdict, (outcome.message, outcome.app_log[-500:])
    assert in_message in outcome.message
    assert outcome.score == 0
    assert stagecraft_containers() == []


def test_a_disk_filler_is_stopped_by_the_size_caps(sandbox_images, exercise, tmp_path):
    outcome = grade(exercise, project(tmp_path, "disk-fill"), tmp_path)
    stopped = {
        line.split()[5].rstrip(":"): int(line.split()[2])
        for line in outcome.app_log.splitlines()
        if line.startswith("stopped at")
    }
    assert set(stopped) == {"/tmp", "/data"}, outcome.app_log
    assert stopped["/tmp"] <= 64 and stopped["/data"] <= 128, outcome.app_log
    assert "No space left on device" in outcome.app_log or "File too large" in outcome.app_log


def test_the_app_log_of_a_crash_is_kept(sandbox_images, exercise, tmp_path):
    outcome = grade(exercise, project(tmp_path, "exits-at-once"), tmp_path)
    assert "configuration missing, giving up" in outcome.app_log


def test_too_many_open_files_are_refused_and_grading_goes_on(sandbox_images, exercise, tmp_path):
    outcome = grade(exercise, project(tmp_path, "many-files", serves=REFERENCE), tmp_path)
    assert outcome.verdict == "passed"
    opened = int(outcome.app_log.split("opened ")[1].split()[0])
    assert opened < 1100


def test_an_app_sees_no_network_but_its_own_loopback(sandbox_images, exercise, tmp_path):
    outcome = grade(exercise, project(tmp_path, "no-network", serves=REFERENCE), tmp_path)
    assert outcome.verdict == "passed"
    assert "interfaces: ['lo']" in outcome.app_log
    assert "routes: 0" in outcome.app_log


def test_flooding_stdout_and_stderr_ends_in_output_limit(sandbox_images, exercise, tmp_path):
    outcome = grade(exercise, project(tmp_path, "stdout-flood", serves=REFERENCE), tmp_path)
    assert outcome.verdict == "output_limit"
    assert len(outcome.app_log.encode()) <= 70_000
    assert stagecraft_containers() == []


def test_forged_events_on_the_apps_stdout_are_not_believed(sandbox_images, exercise, tmp_path):
    with project_folder(NO_404) as variant:
        folder = project(tmp_path, "fake-events", serves=variant / "app.py")
    outcome = grade(exercise, folder, tmp_path)
    assert outcome.verdict == "failed"
    assert [t.id for t in outcome.tests if t.status == "failed"] == ["unknown_path_404"]
    assert outcome.score == outcome.max_score - 1 == 9


def test_huge_slow_and_invalid_responses_fail_cleanly(sandbox_images, exercise, tmp_path):
    outcome = grade(exercise, project(tmp_path, "hostile-responses"), tmp_path)
    assert outcome.verdict in ("failed", "timeout")
    assert outcome.tests, "tests graded before any deadline are kept"
    assert outcome.score < outcome.max_score / 2
    assert all(t.message for t in outcome.tests if t.status != "passed")
    assert all(len(x.response.body) <= 5000 for t in outcome.tests for x in t.transcript if x.response)
    assert stagecraft_containers() == []


def test_a_fork_bomb_does_not_hurt_a_job_running_beside_it(sandbox_images, exercise, tmp_path):
    results = {}

    def run(name: str, serves: Path | None) -> None:
        results[name] = grade_directory(exercise, project(tmp_path / name, name, serves), tmp_path)

    (tmp_path / "fork-bomb").mkdir()
    (tmp_path / "no-network").mkdir()
    threads = [
        threading.Thread(target=run, args=("fork-bomb", None)),
        threading.Thread(target=run, args=("no-network", REFERENCE)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=WALL + 30)
    assert results["fork-bomb"].verdict == "did_not_start"
    assert results["no-network"].verdict == "passed"
    assert stagecraft_containers() == []
