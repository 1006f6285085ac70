"""The stage-1 exercise graded end to end through the real Docker engine."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from stagecraft.curriculum.loader import load_curriculum, read_toml
from stagecraft.curriculum.models import BrokenManifest
from stagecraft.settings import REPO_ROOT
from tests.conftest import EXERCISE, EXERCISE_DIR, stagecraft_containers

pytestmark = pytest.mark.docker


def grade(path: Path, tmp_path: Path, *extra: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "STAGECRAFT_DATA_DIR": str(tmp_path / "data")}
    return subprocess.run(
        [sys.executable, "-m", "stagecraft", "grade", EXERCISE, str(path), *extra],
        capture_output=True,
        text=True,
        env=env,
        timeout=180,
    )


def test_the_reference_solution_passes(sandbox_images, tmp_path):
    for solution in sorted((EXERCISE_DIR / "solutions").iterdir()):
        run = grade(solution, tmp_path, "--json")
        assert run.returncode == 0, run.stdout + run.stderr
        result = json.loads(run.stdout)
        assert result["status"] == "passed"
        assert result["score"] == result["max_score"] > 0
        assert result["tests"] and all(t["status"] == "passed" for t in result["tests"])
        assert {"id", "status", "message"} <= set(result["tests"][0])
    assert stagecraft_containers() == []


@pytest.mark.parametrize("variant", sorted(p.name for p in (EXERCISE_DIR / "broken").iterdir()))
def test_each_broken_variant_fails_exactly_the_tests_it_names(sandbox_images, tmp_path, variant):
    folder = EXERCISE_DIR / "broken" / variant
    expected = read_toml(folder / "broken.toml", BrokenManifest)
    run = grade(folder, tmp_path, "--json")
    assert run.returncode == 1, run.stdout + run.stderr
    result = json.loads(run.stdout)
    assert result["status"] == "failed"
    failed = sorted(t["id"] for t in result["tests"] if t["status"] != "passed")
    assert failed == sorted(expected.fails)
    for test in result["tests"]:
        if test["status"] == "failed":
            assert test["message"], "a failing test says what went wrong"
            assert any(x.get("curl") for x in test["transcript"]), "and how to reproduce it"
    assert stagecraft_containers() == []


def test_the_human_output_streams_each_test(sandbox_images, tmp_path):
    run = grade(EXERCISE_DIR / "broken" / sorted(p.name for p in (EXERCISE_DIR / "broken").iterdir())[0], tmp_path)
    assert run.returncode == 1
    assert "PASS " in run.stdout and "FAIL " in run.stdout
    assert "reproduce: curl" in run.stdout
    assert run.stdout.rstrip().splitlines()[-1].startswith("FAILED:")


def test_an_app_that_never_starts_gets_did_not_start(sandbox_images, tmp_path):
    project = tmp_path / "project"
    project.mkdir()
    (project / "stagecraft.toml").write_text('runtime = "python"\nstart = "python app.py"\n')
    (project / "app.py").write_text("import sys\nprint('starting...')\nsys.exit(3)\n")
    run = grade(project, tmp_path, "--json")
    assert run.returncode == 1
    result = json.loads(run.stdout)
    assert result["status"] == "did_not_start"
    assert "exited with code 3" in result["message"]
    assert stagecraft_containers() == []


def test_usage_errors_exit_2(tmp_path):
    project = tmp_path / "project"
    project.mkdir()
    (project / "app.py").write_text("print(1)\n")
    no_manifest = grade(project, tmp_path)
    assert no_manifest.returncode == 2 and "stagecraft.toml" in no_manifest.stderr
    (project / "stagecraft.toml").write_text('runtime = "python"\nstart = "python app.py"\n')
    (project / "link").symlink_to("/etc/passwd")
    linked = grade(project, tmp_path)
    assert linked.returncode == 2 and "link" in linked.stderr
    unknown = subprocess.run(
        [sys.executable, "-m", "stagecraft", "grade", "no-such-exercise", str(project)],
        capture_output=True,
        text=True,
        env={**os.environ, "STAGECRAFT_DATA_DIR": str(tmp_path / "d")},
    )
    assert unknown.returncode == 2 and "no-such-exercise" in unknown.stderr


def test_curriculum_selftest_proves_every_exercise(sandbox_images, tmp_path):
    env = {**os.environ, "STAGECRAFT_DATA_DIR": str(tmp_path / "data")}
    run = subprocess.run(
        # The whole curriculum, three gradings at once (authors run --runs 3 on their own exercise).
        [sys.executable, "-m", "stagecraft", "curriculum", "selftest", "--jobs", "3"],
        capture_output=True,
        text=True,
        env=env,
        timeout=3600,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    rows = [line for line in run.stdout.splitlines()[1:] if line.strip()][:-1]  # between the header and "selftest ok"
    assert rows and all(row.endswith(" ok") for row in rows), run.stdout
    shipped = load_curriculum(REPO_ROOT / "curriculum", REPO_ROOT / "graders").exercises()
    assert {row.split()[0] for row in rows} == {exercise.slug for exercise in shipped}
    projects = sum(len(list((EXERCISE_DIR / kind).iterdir())) for kind in ("solutions", "broken", "starter"))
    assert len([row for row in rows if row.startswith(f"{EXERCISE} ")]) == projects
    assert stagecraft_containers() == []
