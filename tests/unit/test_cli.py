"""The command line's own behaviour (the grading commands are tested through Docker elsewhere)."""

from __future__ import annotations

import asyncio
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from stagecraft.cli import main
from stagecraft.settings import REPO_ROOT


def run(tmp_path: Path, *args: str, input: str | None = None, **env: str):
    runner = CliRunner()
    return runner.invoke(main, list(args), input=input, env={"STAGECRAFT_DATA_DIR": str(tmp_path / "data"), **env})


def test_user_create_makes_an_account_with_a_role(tmp_path: Path):
    result = run(tmp_path, "user", "create", "mia@example.com", "--role", "mentor", input="mentor password\n" * 2)
    assert result.exit_code == 0, result.output
    assert "created mentor mia@example.com" in result.output

    async def stored_role() -> str:
        from stagecraft.accounts.tables import User
        from stagecraft.db import close_database, open_database

        await open_database(f"sqlite:///{tmp_path / 'data' / 'stagecraft.sqlite3'}")
        try:
            return (await User.objects().where(User.email == "mia@example.com").first()).role
        finally:
            await close_database()

    assert asyncio.run(stored_role()) == "mentor"
    again = run(tmp_path, "user", "create", "mia@example.com", "--password", "mentor password")
    assert again.exit_code == 1 and "already exists" in again.output


def test_curriculum_check_names_the_file_and_field(tmp_path: Path):
    ok = run(tmp_path, "curriculum", "check")
    assert ok.exit_code == 0 and "curriculum ok: 10 stages" in ok.output
    copy = tmp_path / "curriculum"
    shutil.copytree(REPO_ROOT / "curriculum", copy)
    manifest = next(copy.glob("stages/01-*/exercises/*/exercise.toml"))
    manifest.write_text(manifest.read_text().replace("points = ", "points = -"))
    bad = run(tmp_path, "curriculum", "check", STAGECRAFT_CURRICULUM_DIR=str(copy))
    assert bad.exit_code == 1
    assert f"{manifest.relative_to(tmp_path)}: Expected `int` >= 0 - at field `points`" in bad.output


def test_a_bad_setting_stops_the_command_with_its_name(tmp_path: Path):
    result = run(tmp_path, "curriculum", "check", STAGECRAFT_WORKERS="lots")
    assert result.exit_code == 1 and "STAGECRAFT_WORKERS" in result.output


def test_one_exercise_can_be_worked_on_while_another_is_broken(tmp_path: Path):
    from stagecraft.cli import _load_one_exercise
    from stagecraft.curriculum.loader import CurriculumError
    from tests.conftest import make_settings

    copy = tmp_path / "curriculum"
    shutil.copytree(REPO_ROOT / "curriculum", copy)
    (copy / "stages/02-apis/exercises/blogging-api/README.md").unlink()  # another author's work in progress
    settings = make_settings(tmp_path, STAGECRAFT_CURRICULUM_DIR=str(copy))

    assert _load_one_exercise(settings, "http-basics").slug == "http-basics"
    assert _load_one_exercise(settings, "no-such-exercise") is None
    with pytest.raises(CurriculumError) as raised:
        _load_one_exercise(settings, "blogging-api")
    assert [p.path for p in raised.value.problems] == ["curriculum/stages/02-apis/exercises/blogging-api/README.md"]


def test_faults_lists_recent_suite_errors_for_authors(tmp_path: Path):
    from datetime import UTC, datetime, timedelta

    from stagecraft.accounts.services import create_user
    from stagecraft.db import close_database, open_database
    from stagecraft.submissions.tables import GradedTest, Submission

    quiet = run(tmp_path, "curriculum", "faults")
    assert quiet.exit_code == 0 and "no platform faults in the last 7 days" in quiet.output

    async def seed() -> None:
        await open_database(f"sqlite:///{tmp_path / 'data' / 'stagecraft.sqlite3'}")
        try:
            user = await create_user("ada@example.com", "a long enough password", "learner")
            now = datetime.now(UTC)
            rows = [
                ("todo-api", "infra_error", now - timedelta(hours=1), "grader exited 3\nTraceback ..."),
                ("http-basics", "infra_error", now - timedelta(days=30), "too old to list"),
                ("blogging-api", "failed", now, ""),
            ]
            for exercise, verdict, finished, detail in rows:
                submission = Submission(
                    user=user.id,
                    exercise=exercise,
                    runtime="python",
                    archive_sha256="0" * 64,
                    archive_name="p.zip",
                    state="finished",
                    verdict=verdict,
                    attempts=3,
                    operator_detail=detail,
                    created_at=finished,
                    finished_at=finished,
                )
                await submission.save()
                status = "error" if verdict == "infra_error" else "failed"
                await GradedTest(
                    submission=submission.id,
                    position=0,
                    test_id="login",
                    status=status,
                    message="KeyError: 'token' in the suite's fixture",
                ).save()
        finally:
            await close_database()

    asyncio.run(seed())
    listed = run(tmp_path, "curriculum", "faults")

    assert listed.exit_code == 1
    lines = listed.output.splitlines()
    assert lines[0].startswith("todo-api: submission ") and lines[0].endswith(", 3 attempt(s)")
    assert lines[1:] == [
        "  suite error in test login: KeyError: 'token' in the suite's fixture",
        "  platform detail: grader exited 3",
    ]
    assert "http-basics" in run(tmp_path, "curriculum", "faults", "--days", "60").output


@pytest.mark.parametrize(
    ("files", "says"),
    [
        ({"package.json": '{\n  "dependencies": {"express": "^4"},\n}\n'}, "package.json"),
        ({"requirements.txt": "flask\nflask ===> 2\n"}, "line 2"),
        ({"pyproject.toml": "[project\n"}, "pyproject.toml"),
    ],
)
def test_grade_refuses_an_unreadable_dependency_file_with_exit_2_and_no_traceback(tmp_path: Path, files, says):
    project = tmp_path / "project"
    project.mkdir()
    runtime, start = ("node", "node server.js") if "package.json" in files else ("python", "python app.py")
    (project / "stagecraft.toml").write_text(f'runtime = "{runtime}"\nstart = "{start}"\n')
    for name, text in files.items():
        (project / name).write_text(text)

    result = run(tmp_path, "grade", "http-basics", str(project))

    assert result.exit_code == 2, result.output
    assert "error:" in result.output and says in result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def _fake_grading(monkeypatch, tests, *, verdict: str, polished: bool, message: str) -> None:
    """`stagecraft grade` without Docker: the grading reports `tests` as they end, then the outcome."""
    from stagecraft.grading import local
    from stagecraft.grading.pipeline import GradeOutcome

    def grade_directory(exercise, folder, jobs_dir, *, deps, on_event, on_step):
        for test in tests:
            on_event(test)
        score, max_score = sum(t.score for t in tests), sum(t.max_score for t in tests)
        return GradeOutcome(
            verdict=verdict, message=message, score=score, max_score=max_score, tests=tests, polished=polished
        )

    monkeypatch.setattr(local, "grade_directory", grade_directory)


def _tiered_tests(craft_status: str):
    from stagecraft.grading.events import TestEnd

    return [
        TestEnd(id="create", title="POST /todos creates", status="passed", score=2, max_score=2),
        TestEnd(
            id="duplicate",
            title="A duplicate answers 409",
            status=craft_status,
            score=1 if craft_status == "passed" else 0,
            max_score=1,
            message="" if craft_status == "passed" else "expected status 409, got 500",
            tier="craft",
            rule="A 409 tells the client what to fix.",
        ),
        TestEnd(
            id="delete",
            title="DELETE answers 204",
            status="failed" if craft_status == "failed" else "passed",
            score=0 if craft_status == "failed" else 1,
            max_score=1,
            message="expected status 204, got 200" if craft_status == "failed" else "",
            rule="Respond with status code 204.",
        ),
    ]


def test_grade_prints_spec_tests_then_extra_practice(tmp_path: Path, monkeypatch):
    _fake_grading(monkeypatch, _tiered_tests("failed"), verdict="failed", polished=False, message="1 of 2 failed.")

    result = run(tmp_path, "grade", "http-basics", str(tmp_path))

    assert result.exit_code == 1, result.output
    lines = result.output.splitlines()
    assert lines[:5] == [
        "PASS create: POST /todos creates  (2/2)",
        "FAIL delete: DELETE answers 204  (0/1)",
        "     expected status 204, got 200",
        "     the spec says: Respond with status code 204.",
        "",
    ]
    assert lines[5:9] == [
        "---- Extra practice (not needed to pass): 0/1",
        "FAIL duplicate: A duplicate answers 409  (0/1)",
        "     expected status 409, got 500",
        "     extra practice from the brief, not required to pass: A 409 tells the client what to fix.",
    ]
    assert lines[-1] == "FAILED: 1 of 2 failed.  score 2/4"


def test_grade_says_polished_and_json_carries_tiers(tmp_path: Path, monkeypatch):
    _fake_grading(monkeypatch, _tiered_tests("passed"), verdict="passed", polished=True, message="Every test passed.")

    printed = run(tmp_path, "grade", "http-basics", str(tmp_path))
    as_json = run(tmp_path, "grade", "http-basics", str(tmp_path), "--json")

    assert printed.exit_code == 0, printed.output
    assert printed.output.splitlines()[-1] == "PASSED (polished): Every test passed.  score 4/4"
    assert "---- Extra practice (not needed to pass): 1/1" in printed.output
    result = json.loads(as_json.output)
    assert result["status"] == "passed" and result["polished"] is True
    assert [(t["id"], t["tier"], t["rule"]) for t in result["tests"]] == [
        ("create", "spec", ""),
        ("duplicate", "craft", "A 409 tells the client what to fix."),
        ("delete", "spec", "Respond with status code 204."),
    ]
