"""Projects written the way learners really write them, graded end to end through the real engine.

Each folder of tests/realprojects/ is one learner project with its own stagecraft.toml and its
own way of doing things (pinned packages, a hard-coded port, a SQLite file next to the code,
binding localhost, a console script, a PostgreSQL sidecar, ...). Its expected.toml names the
exercise it implements (``exercise = "<slug>"``); each is a correct implementation, so it must
pass every test of that exercise's grader suite.

The prepared dependencies go to the same store `stagecraft grade` uses (``<data dir>/cache``),
so a second run finds them cached.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

import pytest

from stagecraft.curriculum.loader import load_curriculum
from stagecraft.grading.local import grade_directory
from stagecraft.grading.pipeline import GradeOutcome
from stagecraft.sandbox.dependencies import DependencySettings
from stagecraft.settings import REPO_ROOT

pytestmark = pytest.mark.docker
PROJECTS = Path(__file__).resolve().parents[1] / "realprojects"
NAMES = sorted(p.name for p in PROJECTS.iterdir() if p.is_dir()) if PROJECTS.is_dir() else []


@pytest.fixture(scope="module")
def curriculum():
    return load_curriculum(REPO_ROOT / "curriculum", REPO_ROOT / "graders")


@pytest.fixture(scope="module")
def deps() -> DependencySettings:
    """One dependency store for the whole module: the one `stagecraft grade` uses, kept between runs."""
    cache = Path(os.environ.get("STAGECRAFT_DATA_DIR") or REPO_ROOT / "data") / "cache"
    return DependencySettings(store_dir=cache / "deps", pip_cache=cache / "pip", npm_cache=cache / "npm")


def expected_exercise(folder: Path) -> str:
    expected = folder / "expected.toml"
    assert expected.is_file(), f'{expected} is missing: it names the exercise, as in exercise = "url-shortener"'
    with expected.open("rb") as handle:
        slug = tomllib.load(handle).get("exercise")
    assert isinstance(slug, str) and slug, f'{expected} must say exercise = "<slug>"'
    return slug


def explain(outcome: GradeOutcome) -> str:
    """Everything needed to see why a project did not pass, for the assertion message."""
    lines = [
        f"verdict {outcome.verdict}, score {outcome.score:g}/{outcome.max_score:g}: {outcome.message}",
        f"dependencies: {outcome.dependencies or '-'}",
    ]
    for test in outcome.tests:
        if test.status != "passed":
            lines.append(f"  {test.status.upper()} {test.id}: {test.message}")
            if test.expected:
                lines.append(f"    expected: {test.expected}")
            for exchange in test.transcript[-1:]:
                if exchange.curl:
                    lines.append(f"    reproduce: {exchange.curl}")
    if outcome.detail:
        lines.append(f"--- platform detail ---\n{outcome.detail[-3000:]}")
    lines.append("--- the app's log ---")
    lines.append(outcome.app_log[-4000:] or "(empty)")
    return "\n".join(lines)


@pytest.mark.parametrize("name", NAMES)
def test_a_correct_real_world_project_passes(sandbox_images, curriculum, deps, tmp_path, name):
    folder = PROJECTS / name
    slug = expected_exercise(folder)
    exercise = curriculum.exercise(slug)
    assert exercise is not None, f"{name}: expected.toml names {slug!r}, which is not an exercise"
    outcome = grade_directory(exercise, folder, tmp_path, deps=deps)
    assert outcome.verdict == "passed", explain(outcome)
    assert outcome.score == outcome.max_score > 0, explain(outcome)
    assert outcome.tests and all(t.status == "passed" for t in outcome.tests), explain(outcome)
