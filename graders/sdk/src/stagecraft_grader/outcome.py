"""Turn pytest's phase reports for one test into a verdict: status, message, expected, hint."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from .checks import CheckFailed, ExchangeError, GraderError
from .client import DEFAULT_TIMEOUT, describe_http_error
from .deadlines import DeadlineExceeded

GRADER_FAULT = "the grader could not run this test; this is a problem with the grader, not with your code"


@dataclass(frozen=True)
class Phase:
    when: str  # "setup", "call" or "teardown"
    report: pytest.TestReport
    excinfo: pytest.ExceptionInfo[BaseException] | None


@dataclass(frozen=True)
class Verdict:
    status: str  # passed | failed | error | skipped
    message: str = ""
    expected: str = ""
    hint: str = ""  # replaces the test's own hint when set
    duration: float = 0.0


def judge(nodeid: str, phases: list[Phase]) -> Verdict:
    duration = sum(phase.report.duration for phase in phases)
    verdict = Verdict("error", GRADER_FAULT)  # a test with no call phase never ran properly
    for phase in phases:
        if phase.report.skipped:
            verdict = Verdict("skipped", _skip_reason(phase.report))
            break
        if phase.when == "call":
            verdict = _judge_call(nodeid, phase)
        elif phase.report.failed:
            # Fixtures and teardown are grader code: a failure there is the grader's fault.
            _log_traceback(nodeid, phase)
            verdict = Verdict("error", GRADER_FAULT)
            break
    return Verdict(verdict.status, verdict.message, verdict.expected, verdict.hint, duration)


def _judge_call(nodeid: str, phase: Phase) -> Verdict:
    if phase.report.passed:
        return Verdict("passed")
    exc = phase.excinfo.value if phase.excinfo else None
    if isinstance(exc, GraderError):
        _log_traceback(nodeid, phase)
        return Verdict("error", GRADER_FAULT)
    if isinstance(exc, DeadlineExceeded):
        return Verdict("failed", exc.message)
    if isinstance(exc, CheckFailed):
        return Verdict("failed", exc.message, exc.expected, exc.hint)
    if isinstance(exc, ExchangeError):
        return Verdict("failed", exc.message)
    if isinstance(exc, httpx.HTTPError):
        return Verdict("failed", describe_http_error(exc, DEFAULT_TIMEOUT))
    if isinstance(exc, pytest.fail.Exception):
        return Verdict("failed", exc.msg or "the test failed")
    if isinstance(exc, AssertionError):
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        return Verdict("failed", first_line or "a check in this test did not hold")
    # Most often the app's answer lacked something the test relied on (a missing JSON key...).
    _log_traceback(nodeid, phase)
    detail = f"{type(exc).__name__}: {exc}" if exc is not None else "unknown error"
    return Verdict("failed", f"the test stopped on an unexpected {detail}")


def _skip_reason(report: pytest.TestReport) -> str:
    longrepr: Any = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        return str(longrepr[2]).removeprefix("Skipped: ")
    return "skipped"


def _log_traceback(nodeid: str, phase: Phase) -> None:
    # pytest's own short traceback (--tb=short), for the operator's log.
    print(f"stagecraft-grader: {nodeid} ({phase.when}):\n{phase.report.longreprtext}", file=sys.stderr)
