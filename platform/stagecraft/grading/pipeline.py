"""Grade one learner project: run the sandbox, collect the grader's events, decide the verdict."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

import msgspec

from stagecraft.curriculum.models import Exercise, SubmissionManifest
from stagecraft.grading.events import GraderEvent, RunEnd, RunStart, TestEnd, parse_event
from stagecraft.sandbox import JobSpec, SandboxResult, run_job

log = logging.getLogger(__name__)


class GradeOutcome(msgspec.Struct, kw_only=True):
    verdict: str
    message: str
    score: float
    max_score: float
    tests: list[TestEnd]
    app_log: str = ""
    detail: str = ""  # for operators


class _Collector:
    """Keeps what the grader said, so a timeout never erases the tests already graded."""

    def __init__(self, on_event: Callable[[GraderEvent], None]):
        self.on_event = on_event
        self.start: RunStart | None = None
        self.end: RunEnd | None = None
        self.tests: list[TestEnd] = []

    def __call__(self, line: str) -> None:
        event = parse_event(line)
        if event is None:
            return
        if isinstance(event, RunStart) and self.start is None:
            self.start = event
        elif isinstance(event, TestEnd) and self.end is None:
            self.tests.append(event)
        elif isinstance(event, RunEnd) and self.end is None:
            self.end = event
        else:
            return
        self.on_event(event)

    def max_score(self) -> float:
        if self.start is not None and self.start.tests:
            return sum(t.max_score for t in self.start.tests)
        return sum(t.max_score for t in self.tests)


def _app_exit(result: SandboxResult) -> str:
    app = result.app
    if app is None or app.running:
        return ""
    return f" Your app exited with code {app.exit_code}; its log is below."


def decide_verdict(result: SandboxResult, collected: _Collector) -> tuple[str, str]:
    """(verdict, learner-facing message) from what the sandbox and the grader reported."""
    app = result.app
    all_passed = bool(collected.tests) and all(t.status in ("passed", "skipped") for t in collected.tests)
    if result.ending == "infra_error":
        return "infra_error", "The platform could not grade this submission. It will be retried; it does not count."
    if app is not None and app.oom_killed:
        return "out_of_memory", "Your app used more memory than the limit allows and was stopped."
    if result.ending == "timeout":
        return "timeout", "Grading took longer than the time limit; tests not finished by then count as failed."
    if result.ending == "output_limit":
        return "output_limit", "The grading run produced more output than allowed and was stopped."
    if app is not None and app.log_truncated:
        return "output_limit", (
            "Your app wrote more output than allowed, so its log below was cut. "
            "Printing in a loop slows your app down; log less."
        )
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
    if all_passed:
        return "passed", "Every test passed."
    if app is not None and not app.running:
        return "crashed", "Your app stopped while it was being tested." + _app_exit(result)
    failed = sum(1 for t in collected.tests if t.status not in ("passed", "skipped"))
    return "failed", f"{failed} of {len(collected.tests)} tests failed. Each one below says why."


def grade_project(
    exercise: Exercise,
    project_dir: Path,
    manifest: SubmissionManifest,
    *,
    job_id: str,
    seed: int,
    on_event: Callable[[GraderEvent], None] = lambda event: None,
) -> GradeOutcome:
    """Run one grading job to its end (blocking: call it from a worker thread)."""
    spec = JobSpec(
        job_id=job_id,
        runtime=manifest.runtime,
        code_dir=project_dir,
        start_command=manifest.start,
        suite_dir=exercise.suite_dir,
        limits=exercise.limits(),
        seed=seed,
        services=tuple(exercise.manifest.services),
        app_env=exercise.app_env(seed),
    )
    collected = _Collector(on_event)
    result = run_job(spec, collected)
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
        app_log=result.app.log if result.app else "",
        detail=result.detail,
    )
