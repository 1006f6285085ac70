"""Grade one learner project: run the sandbox, collect the grader's events, decide the verdict."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

import msgspec

from stagecraft.curriculum.models import Exercise, SubmissionManifest
from stagecraft.grading.events import GraderEvent, RunEnd, RunStart, TestEnd, parse_event
from stagecraft.sandbox import DEFAULT_PORT, JobSpec, Limits, SandboxError, SandboxResult, run_job
from stagecraft.sandbox.dependencies import DependencyFailure, DependencySettings, Prepared, prepare_dependencies
from stagecraft.sandbox.warm import WarmStart
from stagecraft.settings import Settings

log = logging.getLogger(__name__)


class GradeOutcome(msgspec.Struct, kw_only=True):
    verdict: str
    message: str
    score: float
    max_score: float
    tests: list[TestEnd]
    polished: bool = False  # passed, and every craft test passed too (true of any pass without craft tests)
    app_log: str = ""
    detail: str = ""  # for operators
    dependencies: str = ""  # how the project's dependencies were prepared ("cached", "installed in 4.2 s", ...)


class _Collector:
    """Keeps what the grader said, so a timeout never erases the tests already graded."""

    def __init__(self, on_event: Callable[[GraderEvent], None]):
        self.on_event = on_event
        self.start: RunStart | None = None
        self.end: RunEnd | None = None
        self.tests: list[TestEnd] = []
        self.graded = 0  # tests the grader itself finished (fail_unrun adds the others to tests)

    def __call__(self, line: str) -> None:
        event = parse_event(line)
        if event is None:
            return
        if isinstance(event, RunStart) and self.start is None:
            self.start = event
        elif isinstance(event, TestEnd) and self.end is None:
            self.tests.append(event)
            self.graded += 1
        elif isinstance(event, RunEnd) and self.end is None:
            self.end = event
        else:
            return
        self.on_event(event)

    def fail_unrun(self, reason: str) -> None:
        """Every test the run announced but never finished counts as failed, for ``reason``."""
        if self.start is None:
            return
        ended = {t.id for t in self.tests}
        for info in self.start.tests:
            if info.id not in ended:
                test = TestEnd(
                    id=info.id,
                    title=info.title,
                    status="failed",
                    max_score=info.max_score,
                    message=reason,
                    tier=info.tier,
                    rule=info.rule,
                )
                self.tests.append(test)
                self.on_event(test)

    def max_score(self) -> float:
        if self.start is not None and self.start.tests:
            return sum(t.max_score for t in self.start.tests)
        return sum(t.max_score for t in self.tests)


def _app_exit(result: SandboxResult) -> str:
    app = result.app
    if app is None or app.running:
        return ""
    return f" Your app exited with code {app.exit_code}; its log is below."


def _exited_early(result: SandboxResult, collected: _Collector) -> tuple[str, str]:
    """The app exited on its own and the job ended at once (SandboxResult.ending "app_exited")."""
    code = result.app.exit_code if result.app is not None else None
    if not collected.graded:  # only tests the grader finished count: fail_unrun adds the others
        return "did_not_start", (
            f"Your app exited with code {code} before it accepted connections, so no test could run. "
            "Its log below shows why."
        )
    return "crashed", (
        f"Your app exited with code {code} while it was being tested; the tests it did not get to count "
        "as failed. Its log below shows why."
    )


def _succeeded(test: TestEnd) -> bool:
    return test.status in ("passed", "skipped")


def is_polished(verdict: str, tests: list[TestEnd]) -> bool:
    """Passed, and every craft test passed too: an exercise without craft tests is polished when passed."""
    return verdict == "passed" and all(_succeeded(t) for t in tests if t.tier == "craft")


def _passed_message(tests: list[TestEnd]) -> str:
    craft = [t for t in tests if t.tier == "craft"]
    missed = sum(1 for t in craft if not _succeeded(t))
    if not missed:
        return "Every test passed."
    return (
        f"Every test the spec requires passed. {missed} of {len(craft)} extra practice tests did not: "
        "they do not count against you, and each one below says why it is worth doing."
    )


def _failed_message(tests: list[TestEnd]) -> str:
    spec = [t for t in tests if t.tier == "spec"]
    failed = sum(1 for t in spec if not _succeeded(t))
    which = "tests required by the spec" if len(spec) < len(tests) else "tests"
    return f"{failed} of {len(spec)} {which} failed. Each one below says why."


def decide_verdict(result: SandboxResult, collected: _Collector) -> tuple[str, str]:
    """(verdict, learner-facing message) from what the sandbox and the grader reported.

    Spec tests decide `passed`; a failing craft test never makes a run `failed`.
    """
    app = result.app
    spec_passed = bool(collected.tests) and all(_succeeded(t) for t in collected.tests if t.tier == "spec")
    if result.ending == "infra_error":
        return "infra_error", "The platform could not grade this submission. It will be retried; it does not count."
    if app is not None and app.oom_killed:
        return "out_of_memory", "Your app used more memory than the limit allows and was stopped."
    if result.ending == "timeout":
        return "timeout", "Grading took longer than the time limit; tests not finished by then count as failed."
    if result.ending == "output_limit":
        return "output_limit", "The grading run produced more output than allowed and was stopped."
    if app is not None and app.flooded:
        return "output_limit", (
            "Your app wrote far more output than allowed, so its log below was cut. "
            "Printing in a loop slows your app down; log less."
        )
    if result.ending == "app_exited":
        return _exited_early(result, collected)
    end = collected.end
    if any(t.status == "error" for t in collected.tests):
        # The SDK marks a test "error" only when the suite itself broke: the author must act.
        return "infra_error", "The grader itself failed on a test. This is not your fault; it will be retried."
    if end is None:
        if result.grader_exit_code not in (0, None) or collected.start is None:
            return "infra_error", "The grader stopped unexpectedly. This is a platform fault; it will be retried."
        return "crashed", "Grading ended early." + _app_exit(result)
    if end.outcome == "did_not_start":
        return "did_not_start", (end.message or "Your app never accepted connections.") + _app_exit(result)
    if spec_passed:
        return "passed", _passed_message(collected.tests)
    if app is not None and not app.running:
        return "crashed", "Your app stopped while it was being tested." + _app_exit(result)
    return "failed", _failed_message(collected.tests)


def grade_project(
    exercise: Exercise,
    project_dir: Path,
    manifest: SubmissionManifest,
    *,
    job_id: str,
    seed: int,
    deps: DependencySettings,
    on_event: Callable[[GraderEvent], None] = lambda event: None,
    on_step: Callable[[str], None] = lambda text: None,
    warm: WarmStart | None = None,
) -> GradeOutcome:
    """Run one grading job to its end (blocking: call it from a worker thread).

    ``on_step`` hears about the steps before the tests ("preparing dependencies: cached"); ``warm``
    is a worker's warm start (see stagecraft.sandbox.warm).
    """
    on_step("preparing dependencies")
    try:
        prepared = prepare_dependencies(manifest.runtime, project_dir, deps, client=None)
    except DependencyFailure as exc:
        on_step("preparing dependencies failed")
        return GradeOutcome(
            verdict="dependencies_failed",
            message=str(exc),
            score=0.0,
            max_score=float(exercise.manifest.points),
            tests=[],
            app_log=exc.log,
            dependencies="failed",
        )
    except SandboxError as exc:
        log.error("job %s: preparing dependencies: platform fault: %s", job_id, exc)
        return GradeOutcome(
            verdict="infra_error",
            message="The platform could not prepare your dependencies. It will be retried; it does not count.",
            score=0.0,
            max_score=float(exercise.manifest.points),
            tests=[],
            detail=str(exc),
        )
    on_step(f"preparing dependencies: {prepared.summary}")
    spec = _job_spec(exercise, project_dir, manifest, job_id=job_id, seed=seed, prepared=prepared)
    collected = _Collector(on_event)
    result = run_job(spec, collected, warm=warm)
    if result.ending == "app_exited":
        collected.fail_unrun("Not run: your app had exited (its log is below).")
    elif result.ending == "timeout":
        collected.fail_unrun("Not run: the time limit was reached before this test.")
    verdict, message = decide_verdict(result, collected)
    if verdict == "infra_error":
        log.error("job %s: platform fault: %s", job_id, result.detail)
    score = sum(t.score for t in collected.tests) if verdict not in ("infra_error",) else 0.0
    return GradeOutcome(
        verdict=verdict,
        message=message,
        score=score,
        max_score=collected.max_score() or float(exercise.manifest.points),
        tests=collected.tests,
        polished=is_polished(verdict, collected.tests),
        app_log=result.app.log if result.app else "",
        detail=result.detail,
        dependencies=prepared.summary,
    )


def dependency_settings(settings: Settings) -> DependencySettings:
    """Where prepared dependencies are kept and fetched from, as the operator configured it."""
    return DependencySettings(
        store_dir=settings.cache_dir / "deps",
        max_store_bytes=settings.deps_cache_mb * 1024 * 1024,
        max_tree_mb=settings.deps_tree_mb,
        pip_cache=settings.cache_dir / "pip",
        npm_cache=settings.cache_dir / "npm",
        pip_index_url=settings.pip_index_url,
        npm_registry=settings.npm_registry,
    )


def job_kind(exercise: Exercise) -> tuple[Limits, tuple[str, ...], Path]:
    """The limits, sidecars and grader suite of this exercise's jobs, as a warm start keys its slots
    (a learner may add sidecars of their own: those jobs make their own)."""
    return exercise.limits(), tuple(dict.fromkeys(exercise.manifest.services)), exercise.suite_dir


def _job_spec(
    exercise: Exercise, project_dir: Path, manifest: SubmissionManifest, *, job_id: str, seed: int, prepared: Prepared
) -> JobSpec:
    return JobSpec(
        job_id=job_id,
        runtime=manifest.runtime,
        code_dir=project_dir,
        start_command=manifest.start,
        suite_dir=exercise.suite_dir,
        limits=exercise.limits(),
        seed=seed,
        port=manifest.port or DEFAULT_PORT,
        # The exercise's sidecars, then the learner's own (each once).
        services=tuple(dict.fromkeys([*exercise.manifest.services, *manifest.services])),
        app_env=exercise.app_env(seed),
        deps_dir=prepared.tree,
        image=prepared.image,
    )
