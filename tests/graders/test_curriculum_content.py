"""The curriculum's content rules: the platform's loader accepts it, every stage has a real
lesson, and every exercise's suite and broken variants agree with each other."""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from stagecraft.curriculum.loader import check_curriculum
from tests.graders.helpers import REPO

CURRICULUM = REPO / "curriculum"
GRADERS = REPO / "graders"
STAGES = [
    "01-fundamentals",
    "02-apis",
    "03-databases",
    "04-auth",
    "05-caching",
    "06-testing-deployment",
    "07-real-time",
    "08-microservices-events",
    "09-cloud-serverless",
    "10-continuous-learning",
]
EXERCISES = sorted(CURRICULUM.glob("stages/*/exercises/*"))


def html_in(markdown: str) -> list[str]:
    """Raw HTML blocks or inline tags outside code (the platform escapes them anyway)."""
    found = []
    for token in MarkdownIt("commonmark").enable("table").parse(markdown):
        found += [token.content] if token.type == "html_block" else []
        found += [child.content for child in token.children or [] if child.type == "html_inline"]
    return found


def suite_tests(suite: Path) -> dict[str, set[str]]:
    """Test id -> names of the decorators on it, read from the suite's source."""
    tests = {}
    for path in sorted(suite.glob("test_*.py")):
        for node in ast.parse(path.read_text()).body:
            if isinstance(node, ast.FunctionDef) and node.name.startswith("test_"):
                names = {
                    d.func.id for d in node.decorator_list if isinstance(d, ast.Call) and isinstance(d.func, ast.Name)
                }
                tests[node.name.removeprefix("test_")] = names
    return tests


def test_the_platform_loader_finds_no_problem() -> None:
    curriculum, problems = check_curriculum(CURRICULUM, GRADERS)

    assert problems == []
    assert [f"{stage.number:02d}-{stage.slug}" for stage in curriculum.stages] == STAGES


@pytest.mark.parametrize("stage", STAGES)
def test_each_stage_has_a_real_lesson(stage: str) -> None:
    lesson = (CURRICULUM / "stages" / stage / "README.md").read_text()
    headings = [line for line in lesson.splitlines() if line.startswith("## ")]

    assert 60 <= len(lesson.splitlines()) <= 120
    assert "## Concepts" in headings and "## Worked example" in headings
    assert "## Common mistakes" in headings
    assert any(h in headings for h in ("## Further reading", "## Where to go next"))
    example = lesson.split("## Worked example", 1)[1].split("\n## ", 1)[0]
    assert len(example.strip().splitlines()) >= 10
    assert html_in(lesson) == []


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda path: path.name)
def test_exercise_suite_tests_have_title_points_and_hint(exercise: Path) -> None:
    grader = tomllib.loads((exercise / "exercise.toml").read_text())["grader"]
    tests = suite_tests(GRADERS / "suites" / grader)

    assert tests
    for test_id, decorators in tests.items():
        assert {"title", "points", "hint"} <= decorators, test_id
    assert html_in((exercise / "README.md").read_text()) == []


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda path: path.name)
def test_broken_variants_name_real_tests(exercise: Path) -> None:
    grader = tomllib.loads((exercise / "exercise.toml").read_text())["grader"]
    test_ids = set(suite_tests(GRADERS / "suites" / grader))

    for variant in sorted((exercise / "broken").iterdir()):
        fails = tomllib.loads((variant / "broken.toml").read_text())["fails"]
        assert set(fails) <= test_ids, variant.name
        assert set(fails) != test_ids, f"{variant.name} fails everything: it proves nothing"


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda path: path.name)
def test_accepted_variants_miss_only_craft_tests(exercise: Path) -> None:
    manifest = tomllib.loads((exercise / "exercise.toml").read_text())
    tests = suite_tests(GRADERS / "suites" / manifest["grader"])
    craft = {test_id for test_id, decorators in tests.items() if "craft" in decorators}
    variants = sorted(p for p in (exercise / "accepted").glob("*") if p.is_dir())

    for variant in variants:
        misses = set(tomllib.loads((variant / "accepted.toml").read_text()).get("craft_fails", []))
        assert misses <= craft, f"{variant.name}: {sorted(misses - craft)} are not craft tests of the suite"
    if "public_spec" in manifest:
        assert len(variants) >= 3
        assert all("spec" in d or "craft" in d for d in tests.values()), "mark every test @spec(...) or @craft(...)"


def suite_points(suite: Path) -> int:
    """The sum of the suite's @points(n)."""
    total = 0
    for path in sorted(suite.glob("test_*.py")):
        for node in ast.parse(path.read_text()).body:
            if isinstance(node, ast.FunctionDef) and node.name.startswith("test_"):
                for d in node.decorator_list:
                    if isinstance(d, ast.Call) and isinstance(d.func, ast.Name) and d.func.id == "points":
                        total += d.args[0].value
    return total


def runtime_of(project: Path) -> str:
    return tomllib.loads((project / "stagecraft.toml").read_text())["runtime"]


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda path: path.name)
def test_every_exercise_is_proven_in_both_runtimes(exercise: Path) -> None:
    manifest = tomllib.loads((exercise / "exercise.toml").read_text())
    solutions = sorted(p for p in (exercise / "solutions").iterdir() if p.is_dir())

    assert manifest["runtimes"] == ["python", "node"]
    assert {runtime_of(p) for p in solutions} == {"python", "node"}, "a reference solution in each runtime"
    assert {runtime_of(p) for p in (exercise / "starter").iterdir()} == {"python", "node"}, "a starter in each"
    assert len(list((exercise / "broken").iterdir())) >= 2, "at least two broken variants"
    assert manifest["points"] == suite_points(GRADERS / "suites" / manifest["grader"]), "points = the suite's sum"


@pytest.mark.parametrize("stage", STAGES)
def test_each_stage_has_two_exercises_and_its_lesson_points_to_them(stage: str) -> None:
    exercises = sorted((CURRICULUM / "stages" / stage / "exercises").iterdir())
    reviewed = [e for e in exercises if tomllib.loads((e / "exercise.toml").read_text()).get("review")]
    lesson = (CURRICULUM / "stages" / stage / "README.md").read_text()
    listed = lesson.split("## Exercises", 1)[1].split("\n## ", 1)[0] if "## Exercises" in lesson else ""

    assert len(exercises) - len(reviewed) >= (1 if stage.startswith("10-") else 2)
    assert len(exercises) >= 2
    assert [e.name for e in exercises if f"(`{e.name}`)" not in listed] == []


def test_the_curriculum_has_twenty_exercises_from_beginner_to_advanced() -> None:
    difficulties = [tomllib.loads((e / "exercise.toml").read_text())["difficulty"] for e in EXERCISES]

    assert len(EXERCISES) >= 20
    assert {"beginner", "intermediate", "advanced"} <= set(difficulties)
