"""Proof of the http-basics exercise on the host: the solution passes every test, each broken
variant fails exactly the tests its broken.toml names, and the starter fails every test."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from stagecraft.curriculum.patches import project_folder
from tests.graders.helpers import REPO, GraderRun, run_grader, start_project, stop

EXERCISE = REPO / "curriculum" / "stages" / "01-fundamentals" / "exercises" / "http-basics"
SUITE = REPO / "graders" / "suites" / "http-basics"
TEST_IDS = [
    "root_greeting",
    "root_content_type",
    "health_json",
    "echo_query",
    "echo_missing_message",
    "echo_body",
    "unknown_path_404",
    "wrong_method_405",
]
BROKEN = sorted(path.name for path in (EXERCISE / "broken").iterdir() if path.is_dir())


def grade(project: Path, seed: int) -> GraderRun:
    app = start_project(project)
    try:
        run = run_grader(SUITE, app.port, seed=seed)
    finally:
        stop(app)
    assert run.returncode == 0, run.stderr
    assert run.of("run_end")[0]["outcome"] == "completed"
    return run


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_reference_solution_passes_every_test(seed: int) -> None:
    run = grade(EXERCISE / "solutions" / "python", seed)

    assert [test["id"] for test in run.events[0]["tests"]] == TEST_IDS
    assert run.failed_ids() == set(), {i: run.results[i]["message"] for i in run.failed_ids()}
    end = run.of("run_end")[0]
    assert (end["passed"], end["score"], end["max_score"]) == (8, 10.0, 10.0)


def test_there_are_at_least_two_broken_variants() -> None:
    assert len(BROKEN) >= 2


@pytest.mark.parametrize("variant", BROKEN)
def test_broken_variant_fails_exactly_its_named_tests(variant: str) -> None:
    project = EXERCISE / "broken" / variant
    manifest = tomllib.loads((project / "broken.toml").read_text())

    with project_folder(project) as patched:
        run = grade(patched, seed=4)

    assert run.failed_ids() == set(manifest["fails"])
    for test_id in manifest["fails"]:
        assert run.results[test_id]["status"] == "failed"
        assert run.results[test_id]["message"] and run.results[test_id]["hint"]


def test_starter_fails_every_test_with_a_title_message_and_hint() -> None:
    run = grade(EXERCISE / "starter" / "python", seed=5)

    assert run.failed_ids() == set(TEST_IDS)
    for end in run.of("test_end"):
        assert end["status"] == "failed"
        assert end["message"] and end["hint"]
        assert end["title"] != end["id"].replace("_", " ").capitalize()  # set with @title
        assert end["transcript"] and end["transcript"][0]["curl"].startswith("curl -i")
