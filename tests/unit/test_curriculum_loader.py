"""The curriculum loader names the file and field of every problem."""

from __future__ import annotations

from pathlib import Path

import pytest

from stagecraft.curriculum.loader import CurriculumError, check_curriculum, load_curriculum
from stagecraft.settings import REPO_ROOT

EXERCISE_TOML = """
title = "Echo"
summary = "Say it back."
difficulty = "beginner"
points = 10
runtimes = ["python"]
grader = "echo"
"""
MANIFEST = 'runtime = "python"\nstart = "python app.py"\n'


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


@pytest.fixture
def tree(tmp_path: Path) -> tuple[Path, Path]:
    root, graders = tmp_path / "curriculum", tmp_path / "graders"
    stage = root / "stages" / "01-basics"
    write(stage / "stage.toml", 'title = "Basics"\nsummary = "The first steps."\n')
    write(stage / "README.md", "# Basics\n")
    exercise = stage / "exercises" / "echo"
    write(exercise / "exercise.toml", EXERCISE_TOML)
    write(exercise / "README.md", "Echo the body.\n")
    write(exercise / "solutions" / "python" / "stagecraft.toml", MANIFEST)
    write(exercise / "broken" / "mute" / "stagecraft.toml", MANIFEST)
    write(exercise / "broken" / "mute" / "broken.toml", 'fails = ["echo"]\nreason = "Answers nothing."\n')
    (graders / "suites" / "echo").mkdir(parents=True)
    return root, graders


def test_a_good_tree_loads(tree):
    curriculum = load_curriculum(*tree)
    [stage] = curriculum.stages
    assert (stage.number, stage.slug, stage.title) == (1, "basics", "Basics")
    exercise = curriculum.exercise("echo")
    assert exercise.stage == 1 and exercise.manifest.points == 10
    assert [p.name for p in exercise.broken_variants()] == ["mute"]
    assert exercise.limits().wall_seconds == 60.0


def test_limits_only_tighten(tree):
    root, graders = tree
    toml = root / "stages/01-basics/exercises/echo/exercise.toml"
    toml.write_text(EXERCISE_TOML + "[limits]\nmemory_mb = 128\n")
    assert load_curriculum(root, graders).exercise("echo").limits().memory_mb == 128
    toml.write_text(EXERCISE_TOML + "[limits]\nmemory_mb = 99999\n")
    _, problems = check_curriculum(root, graders)
    assert [str(p) for p in problems] == [
        "curriculum/stages/01-basics/exercises/echo/exercise.toml: field `limits.memory_mb`: "
        "99999 is above the platform cap 256"
    ]


def test_a_stage_lists_its_exercises_from_the_easiest_with_reviewed_ones_last(tree):
    root, graders = tree
    exercises = root / "stages/01-basics/exercises"
    for slug, extra in [("aaa-capstone", "review = true\n"), ("bbb-hard", ""), ("ccc-easy", "")]:
        difficulty = "advanced" if slug == "bbb-hard" else "beginner"
        write(exercises / slug / "exercise.toml", EXERCISE_TOML.replace('"beginner"', f'"{difficulty}"') + extra)
        write(exercises / slug / "README.md", "A brief.\n")
        write(exercises / slug / "solutions" / "python" / "stagecraft.toml", MANIFEST)
        write(exercises / slug / "broken" / "mute" / "stagecraft.toml", MANIFEST)
        write(exercises / slug / "broken" / "mute" / "broken.toml", 'fails = ["echo"]\nreason = "Answers nothing."\n')

    [stage] = load_curriculum(root, graders).stages

    assert [e.slug for e in stage.exercises] == ["ccc-easy", "echo", "bbb-hard", "aaa-capstone"]


def test_app_env_tokens_are_fresh_per_seed_and_the_same_for_one_seed(tree):
    root, graders = tree
    toml = root / "stages/01-basics/exercises/echo/exercise.toml"
    toml.write_text(EXERCISE_TOML + '[app_env]\nGREETING = "hi"\nRELEASE = "v-{random}-{random}"\n')
    exercise = load_curriculum(root, graders).exercise("echo")

    first, again, other = exercise.app_env(7), exercise.app_env(7), exercise.app_env(8)

    assert first == again
    assert first["GREETING"] == "hi" and other["GREETING"] == "hi"
    prefix, token_a, token_b = first["RELEASE"].split("-")
    assert prefix == "v" and len(token_a) == len(token_b) == 12 and token_a != token_b
    assert first["RELEASE"] != other["RELEASE"]


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (lambda r: (r / "stages/01-basics/stage.toml").unlink(), "stages/01-basics/stage.toml: file is missing"),
        (
            lambda r: (r / "stages/01-basics/exercises/echo/exercise.toml").write_text(
                EXERCISE_TOML.replace('"beginner"', '"expert"')
            ),
            "exercise.toml: Invalid enum value 'expert' - at field `difficulty`",
        ),
        (
            lambda r: (r / "stages/01-basics/exercises/echo/exercise.toml").write_text(EXERCISE_TOML + "colour = 1\n"),
            "exercise.toml: Object contains unknown field `colour`",
        ),
        (
            lambda r: (r / "stages/01-basics/exercises/echo/exercise.toml").write_text(
                EXERCISE_TOML.replace('grader = "echo"', 'grader = "nope"')
            ),
            "field `grader`: no suite folder",
        ),
        (
            lambda r: (r / "stages/01-basics/exercises/echo/broken/mute/broken.toml").write_text("fails = []\n"),
            "broken/mute/broken.toml:",
        ),
        (lambda r: (r / "stages/1-bad").mkdir(), "stages/1-bad: stage folders are named NN-slug"),
        (
            lambda r: (r / "stages/01-basics/exercises/echo/exercise.toml").write_text(
                EXERCISE_TOML + '[app_env]\nPORT = "9"\n'
            ),
            "field `app_env.PORT`: the sandbox sets PORT itself",
        ),
        (
            lambda r: (r / "stages/01-basics/exercises/echo/exercise.toml").write_text(
                EXERCISE_TOML + '[app_env]\nlower = "x"\n'
            ),
            "exercise.toml: Expected `str` matching regex",
        ),
        (
            lambda r: (r / "stages/01-basics/exercises/echo/exercise.toml").write_text("title = [unclosed"),
            "exercise.toml: not valid TOML",
        ),
    ],
)
def test_each_problem_names_its_file(tree, edit, expected):
    root, graders = tree
    edit(root)
    _, problems = check_curriculum(root, graders)
    assert any(expected in str(p) for p in problems), [str(p) for p in problems]
    with pytest.raises(CurriculumError):
        load_curriculum(root, graders)


def test_the_shipped_curriculum_is_valid():
    curriculum = load_curriculum(REPO_ROOT / "curriculum", REPO_ROOT / "graders")
    assert [s.number for s in curriculum.stages] == list(range(1, 11))
    assert all(s.lesson.strip() for s in curriculum.stages)
    assert curriculum.stage(1).exercises, "stage 1 has a graded exercise"


def test_a_patched_variant_must_name_a_solution_and_fit_it(tree):
    root, graders = tree
    exercise = root / "stages/01-basics/exercises/echo"
    write(exercise / "solutions/python/app.py", "print('hello')\n")
    variant = exercise / "broken/mute"
    (variant / "stagecraft.toml").unlink()
    write(variant / "broken.toml", 'fails = ["echo"]\nreason = "Answers nothing."\nbase = "python"\n')
    write(variant / "broken.patch", "--- a/app.py\n+++ b/app.py\n@@ -1 +1 @@\n-print('hello')\n+print('')\n")
    assert check_curriculum(root, graders)[1] == []

    (exercise / "solutions/python/app.py").write_text("print('hi')\n")
    write(variant / "notes.txt", "stray\n")
    problems = [str(p) for p in check_curriculum(root, graders)[1]]
    assert problems == [
        "curriculum/stages/01-basics/exercises/echo/broken/mute: a variant with a `base` holds only broken.toml "
        "and broken.patch, not ['notes.txt']",
        "curriculum/stages/01-basics/exercises/echo/broken/mute/broken.patch: app.py: line 1 should read "
        "\"print('hello')\" but reads \"print('hi')\", and those lines are nowhere else in the file; "
        "the patch no longer fits its solution",
    ]

    write(variant / "broken.toml", 'fails = ["echo"]\nreason = "Answers nothing."\nbase = "node"\n')
    problems = [str(p) for p in check_curriculum(root, graders)[1]]
    assert "broken/mute/broken.toml: field `base`: no solution 'node' (solutions: python)" in problems[-1]


def test_an_exercise_on_a_public_spec_needs_three_accepted_variants(tree):
    root, graders = tree
    exercise = root / "stages/01-basics/exercises/echo"
    (exercise / "exercise.toml").write_text(EXERCISE_TOML + 'public_spec = "https://roadmap.sh/projects/echo"\n')
    for name in ("express", "fastapi"):
        write(exercise / "accepted" / name / "stagecraft.toml", MANIFEST)
        write(exercise / "accepted" / name / "accepted.toml", f'choices = "Written with {name}."\n')
    _, problems = check_curriculum(root, graders)
    assert [p.message for p in problems] == [
        "an exercise built on a public spec (`public_spec`) needs at least 3 accepted variants, correct "
        "solutions that make the spec's open choices another way; it has 2"
    ]
    assert problems[0].path.endswith("echo/accepted")

    write(exercise / "accepted" / "wrapped" / "accepted.toml", 'choices = "Wraps records."\nbase = "python"\n')
    write(exercise / "accepted" / "wrapped" / "change.patch", "--- a/app.py\n+++ b/app.py\n")
    _, problems = check_curriculum(root, graders)
    assert sorted(p.message for p in problems) == [
        "a variant with a `base` holds only accepted.toml and accepted.patch, not ['change.patch']",
        "file is missing (the variant names a `base`, so it is a patch to that solution)",
    ]

    (exercise / "accepted" / "wrapped" / "change.patch").unlink()
    write(exercise / "accepted" / "wrapped" / "stagecraft.toml", MANIFEST)
    (exercise / "accepted" / "wrapped" / "accepted.toml").write_text('choices = "Wraps records."\n')
    curriculum, problems = check_curriculum(root, graders)
    assert problems == []
    assert [p.name for p in curriculum.exercise("echo").accepted_variants()] == ["express", "fastapi", "wrapped"]


def test_an_accepted_manifest_says_which_choices_it_makes(tree):
    root, graders = tree
    variant = root / "stages/01-basics/exercises/echo/accepted/bare"
    write(variant / "stagecraft.toml", MANIFEST)
    write(variant / "accepted.toml", "craft_fails = []\n")
    _, problems = check_curriculum(root, graders)
    assert [(p.path.rsplit("/", 1)[-1], p.message) for p in problems] == [
        ("accepted.toml", "Object missing required field `choices`")
    ]
