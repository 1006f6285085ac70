"""The `stagecraft` command line: `grade` and the authors' `curriculum` tools.

The operators' commands (serve, worker, migrate, images, deps, user) live in `cli_operators`, the
learner's (login, submit, status) in `client_cli`; `main` gathers them all.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click
import msgspec

from stagecraft.cli_operators import OPERATOR_COMMANDS, command_settings
from stagecraft.cli_output import EXIT_CANNOT_GRADE, EXIT_FAILED, EXIT_PASSED, TestPrinter, verdict_line
from stagecraft.client_cli import login, status, submit
from stagecraft.settings import Settings, SettingsError, load_settings

if TYPE_CHECKING:
    from stagecraft.curriculum.models import Exercise


@click.group()
@click.option("-v", "--verbose", is_flag=True, help="Log more (operators' detail).")
def main(verbose: bool) -> None:
    """Stagecraft: learn backend development by building real servers."""
    logging.basicConfig(level=logging.DEBUG if verbose else logging.INFO, format="%(levelname)s %(name)s: %(message)s")


@main.command()
@click.argument("exercise")
@click.argument("path", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print only the final result, as one JSON object.")
def grade(exercise: str, path: Path, as_json: bool) -> None:
    """Grade the project at PATH against EXERCISE, as the platform would.

    Exit code: 0 passed, 1 failed, 2 could not grade.
    """
    from stagecraft.curriculum.loader import CurriculumError
    from stagecraft.curriculum.patches import PatchError, project_folder
    from stagecraft.grading.local import grade_directory
    from stagecraft.grading.pipeline import dependency_settings
    from stagecraft.submissions.archive import ArchiveError

    try:
        settings = load_settings()
        found = _load_one_exercise(settings, exercise)
    except (SettingsError, CurriculumError) as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_CANNOT_GRADE)
    if found is None:
        click.echo(f"error: no exercise named {exercise!r} (see `stagecraft curriculum check`)", err=True)
        sys.exit(EXIT_CANNOT_GRADE)
    printer = TestPrinter()
    try:
        with project_folder(path) as folder:  # a patched broken variant is graded as its patched solution
            outcome = grade_directory(
                found,
                folder,
                settings.jobs_dir,
                deps=dependency_settings(settings),
                on_event=(lambda event: None) if as_json else printer,
                on_step=(lambda text: None) if as_json else (lambda text: click.echo(f"---- {text}")),
            )
    except (ArchiveError, PatchError) as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_CANNOT_GRADE)
    if as_json:
        result = {
            "status": outcome.verdict,
            "polished": outcome.polished,
            "score": outcome.score,
            "max_score": outcome.max_score,
            "message": outcome.message,
            "dependencies": outcome.dependencies,
            "tests": msgspec.to_builtins(outcome.tests),
            "app_log": outcome.app_log,
        }
        click.echo(json.dumps(result))
    else:
        printer.finish()
        if outcome.verdict not in ("passed",) and outcome.app_log:
            title = "the installer's log" if outcome.verdict == "dependencies_failed" else "your app's log"
            click.echo(f"--- {title} ---\n{outcome.app_log.rstrip()}\n---")
        click.echo(verdict_line(outcome))  # last, so a script can read the verdict off the end
        if outcome.verdict == "infra_error":
            click.echo(f"platform detail: {outcome.detail}", err=True)
    if outcome.verdict == "passed":
        sys.exit(EXIT_PASSED)
    sys.exit(EXIT_CANNOT_GRADE if outcome.verdict == "infra_error" else EXIT_FAILED)


def _load_one_exercise(settings: Settings, slug: str) -> Exercise | None:
    """``slug`` from the curriculum; problems elsewhere only warn, so one exercise can be worked on alone."""
    from stagecraft.curriculum.loader import CurriculumError, check_curriculum

    loaded, problems = check_curriculum(settings.curriculum_dir, settings.graders_dir)
    found = loaded.exercise(slug)
    base = settings.curriculum_dir.parent
    if found is not None:
        folders = [found.path.resolve(), found.suite_dir.resolve()]
    else:  # it did not load: its folder, wherever it is, holds the reason
        folders = [p.resolve() for p in settings.curriculum_dir.glob(f"stages/*/exercises/{slug}")]
    own = [p for p in problems if any((base / p.path).resolve().is_relative_to(f) for f in folders)]
    if own:
        raise CurriculumError(own)
    if problems:
        click.echo(
            f"warning: {len(problems)} problem(s) elsewhere in the curriculum (see `stagecraft curriculum check`)",
            err=True,
        )
    return found


for _command in (*OPERATOR_COMMANDS, login, submit, status):  # in stagecraft.cli_operators and .client_cli
    main.add_command(_command)


@main.group()
def curriculum() -> None:
    """Curriculum tools for authors."""


@curriculum.command("check")
def curriculum_check() -> None:
    """Validate every manifest; name the file and field of each problem."""
    from stagecraft.curriculum.loader import check_curriculum

    settings = command_settings()
    loaded, problems = check_curriculum(settings.curriculum_dir, settings.graders_dir)
    for problem in problems:
        click.echo(str(problem), err=True)
    if problems:
        raise click.ClickException(f"{len(problems)} problem(s) in {settings.curriculum_dir}")
    count = len(loaded.exercises())
    click.echo(f"curriculum ok: {len(loaded.stages)} stages, {count} exercise{'s' if count != 1 else ''}")


@curriculum.command("diff")
@click.argument("base", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.argument("variant", type=click.Path(exists=True, file_okay=False, path_type=Path))
def curriculum_diff(base: Path, variant: Path) -> None:
    """Print the patch from the solution BASE to the project VARIANT, for a broken variant's broken.patch."""
    from stagecraft.curriculum.patches import PATCH_FILE, PatchError, diff_trees

    try:
        patch = diff_trees(base, variant, exclude=frozenset({"broken.toml", PATCH_FILE}))
    except PatchError as exc:
        raise click.ClickException(str(exc)) from None
    if not patch:
        raise click.ClickException(f"{variant} does not differ from {base}")
    click.echo(patch, nl=False)


@curriculum.command("selftest")
@click.argument("exercise", required=False)
@click.option(
    "--runs",
    default=1,
    show_default=True,
    type=click.IntRange(1, 20),
    help="Grade each project this many times (to catch flaky tests).",
)
@click.option(
    "--jobs",
    default=1,
    show_default=True,
    type=click.IntRange(1, 16),
    help="Grade this many projects at once (each is a sandbox job with its own containers).",
)
def curriculum_selftest(exercise: str | None, runs: int, jobs: int) -> None:
    """Grade every reference solution (must pass) and broken variant (must fail exactly the tests it names)."""
    from stagecraft.authoring.selftest import selftest
    from stagecraft.curriculum.loader import CurriculumError, load_curriculum

    settings = command_settings()
    try:
        if exercise is None:
            exercises = load_curriculum(settings.curriculum_dir, settings.graders_dir).exercises()
        else:
            found = _load_one_exercise(settings, exercise)
            exercises = [] if found is None else [found]
    except CurriculumError as exc:
        raise click.ClickException(f"the curriculum has problems:\n{exc}") from None
    if not exercises:
        raise click.ClickException(f"no exercise named {exercise!r}")
    bad = 0
    click.echo(f"{'exercise':24} {'project':28} {'run':>3}  {'expected':30} {'verdict':14} result")
    from stagecraft.grading.pipeline import dependency_settings

    for row in selftest(exercises, settings.jobs_dir, runs, jobs, dependency_settings(settings)):
        bad += not row.ok
        click.echo(
            f"{row.exercise:24} {row.project:28} {row.run:>3}  {row.expected:30} {row.verdict:14} "
            f"{'ok' if row.ok else 'WRONG: ' + row.note}"
        )
    if bad:
        raise click.ClickException(f"{bad} grading run(s) did not match what the exercise promises")
    click.echo("selftest ok")


@curriculum.command("preview")
@click.argument("target", required=False)
@click.option("--port", default=8001, show_default=True, type=click.IntRange(1, 65535), help="Port to listen on.")
def curriculum_preview(target: str | None, port: int) -> None:
    """Serve the curriculum from your working folder; pages reload on change and can grade an exercise.

    TARGET is a stage number or an exercise slug to open first. The preview listens on 127.0.0.1
    only, keeps its data in its own folder (DATA_DIR/preview), and needs no account.
    """
    import uvicorn

    from stagecraft.app import create_app
    from stagecraft.authoring.preview import preview_target
    from stagecraft.curriculum.loader import CurriculumError

    settings = command_settings()
    try:
        path = preview_target(settings, target)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    # Its own data folder beside the platform's (its own database and uploads; caches kept between runs).
    data = settings.data_dir / "preview"
    for folder in (data, data / "jobs", data / "archives"):
        folder.mkdir(parents=True, exist_ok=True)
    preview_settings = dataclasses.replace(settings, data_dir=data, database_url=f"sqlite:///{data}/preview.sqlite3")
    try:
        app = create_app(preview_settings, preview=True)
    except CurriculumError as exc:
        raise click.ClickException(f"the curriculum has problems:\n{exc}") from None
    click.echo(f"Previewing {settings.curriculum_dir} on http://127.0.0.1:{port}{path}")
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")


@curriculum.command("realworld")
@click.argument("listings", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--copies",
    default=Path("/work/.mirror"),
    show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Where the fetched repositories are: one git directory per repository, named owner+name.",
)
@click.option("--exercise", "exercises", multiple=True, help="Grade only the projects of this exercise (repeatable).")
def curriculum_realworld(listings: tuple[Path, ...], copies: Path, exercises: tuple[str, ...]) -> None:
    """Grade real public projects (graders/realworld*.toml) and compare with a careful human's verdict."""
    from stagecraft.authoring.realworld import agreement, judge_all, load_projects
    from stagecraft.curriculum.loader import load_curriculum
    from stagecraft.grading.local import grade_directory
    from stagecraft.grading.pipeline import dependency_settings

    settings = command_settings()
    files = list(listings) or sorted((settings.repo_root / "graders").glob("realworld*.toml"))
    try:
        projects = load_projects(files)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    loaded = load_curriculum(settings.curriculum_dir, settings.graders_dir)
    unknown = sorted(set(exercises) - {e.slug for e in loaded.exercises()})
    if unknown:
        raise click.UsageError(f"no exercise named {', '.join(unknown)}")
    if exercises:
        projects = [p for p in projects if p.exercise in exercises]
    deps = dependency_settings(settings)

    def grade(project, folder: Path) -> tuple[str, list[str]]:
        exercise = loaded.exercise(project.exercise)
        if exercise is None:
            return "no exercise", []
        outcome = grade_directory(exercise, folder, settings.jobs_dir, deps=deps)
        return outcome.verdict, [t.id for t in outcome.tests if t.status not in ("passed", "skipped")]

    judged = []
    for row in judge_all(projects, copies, grade):
        judged.append(row)
        mark = {True: "agree", False: "DISAGREE", None: "-"}[row.agrees]
        click.echo(f"{mark:9} {row.project.spec:24} {row.project.label:50} human {row.project.human_verdict:5} "
                   f"grader {row.verdict:14} {row.note}")  # fmt: skip
    agreeing, graded = agreement(judged)
    share = f"{100 * agreeing / graded:.0f}%" if graded else "-"
    click.echo(f"\nagreement: {agreeing} of {graded} graded ({share}); {len(judged) - graded} not graded")
    for row in (j for j in judged if j.agrees is False):
        click.echo(f"- {row.project.label}: human says {row.project.human_verdict} ({row.project.why}); "
                   f"grader says {row.verdict}: {row.note}")  # fmt: skip


@curriculum.command("faults")
@click.option("--days", default=7, show_default=True, type=click.IntRange(1, 365), help="How far back to look.")
def curriculum_faults(days: int) -> None:
    """List submissions that ended in a platform fault, with the suite tests that broke.

    A test the grader SDK marks `error` is a bug in the suite, not in the learner's code: the
    submission is retried and then ends as `infra_error`. Exit code 1 when there is any, so a
    scheduled run can alert the authors.
    """
    from stagecraft.db import close_database, open_database
    from stagecraft.submissions.faults import recent_faults

    settings = command_settings()

    async def run() -> list:
        await open_database(settings.database_url)
        try:
            return await recent_faults(days)
        finally:
            await close_database()

    faults = asyncio.run(run())
    if not faults:
        click.echo(f"no platform faults in the last {days} day{'s' if days != 1 else ''}")
        return
    for fault in faults:
        when = fault.finished_at.strftime("%Y-%m-%d %H:%M UTC") if fault.finished_at else "-"
        click.echo(f"{fault.exercise}: submission {fault.submission_id}, {when}, {fault.attempts} attempt(s)")
        for test_id, message in fault.errored_tests:
            click.echo(f"  suite error in test {test_id}: {message}")
        if fault.detail:
            click.echo(f"  platform detail: {fault.detail}")
    raise SystemExit(1)
