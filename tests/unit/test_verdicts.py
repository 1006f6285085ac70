"""Verdict decisions from what the sandbox and the grader reported (pure logic; the Docker
tests in tests/integration cover the same paths through the real engine)."""

from __future__ import annotations

import pytest

from stagecraft.grading.events import RunEnd, RunStart, encode_event, parse_event
from stagecraft.grading.events import TestEnd as Ended
from stagecraft.grading.events import TestInfo as Info
from stagecraft.grading.pipeline import _Collector, decide_verdict
from stagecraft.sandbox import AppState, SandboxResult


def collector(*events) -> _Collector:
    seen = []
    collected = _Collector(seen.append)
    for event in events:
        collected(encode_event(event).decode())
    return collected


def result(ending="completed", *, running=True, oom=False, exit_code=None, grader_exit=0) -> SandboxResult:
    app = AppState(running=running, exit_code=exit_code, oom_killed=oom, log="", log_truncated=False)
    return SandboxResult(ending=ending, grader_exit_code=grader_exit, app=app)


START = RunStart(tests=[Info(id="a", title="A", max_score=2), Info(id="b", title="B", max_score=3)])
PASS_A = Ended(id="a", status="passed", score=2, max_score=2)
FAIL_B = Ended(id="b", status="failed", score=0, max_score=3, message="expected 404")
PASS_B = Ended(id="b", status="passed", score=3, max_score=3)


@pytest.mark.parametrize(
    ("sandbox", "events", "verdict"),
    [
        (result(), [START, PASS_A, PASS_B, RunEnd()], "passed"),
        (result(), [START, PASS_A, FAIL_B, RunEnd()], "failed"),
        (result(running=False, exit_code=1), [START, RunEnd(outcome="did_not_start")], "did_not_start"),
        (result(running=False, exit_code=1), [START, PASS_A, FAIL_B, RunEnd()], "crashed"),
        (result(oom=True, running=False, exit_code=137), [START, PASS_A], "out_of_memory"),
        (result("timeout"), [START, PASS_A], "timeout"),
        (result("output_limit"), [START], "output_limit"),
        (result("infra_error"), [], "infra_error"),
        (result(grader_exit=1), [START, PASS_A], "infra_error"),  # the grader itself broke
        (result(grader_exit=1), [START, PASS_A, Ended(id="b", status="error"), RunEnd()], "infra_error"),
    ],
)
def test_verdicts(sandbox, events, verdict):
    assert decide_verdict(sandbox, collector(*events))[0] == verdict


def test_tests_graded_before_a_timeout_are_kept():
    collected = collector(START, PASS_A)
    assert [t.id for t in collected.tests] == ["a"]
    assert collected.max_score() == 5


def test_garbage_and_forged_lines_are_ignored():
    assert parse_event("not json") is None
    assert parse_event('{"event": "test_end", "id": "a"}') is None  # status missing
    assert parse_event(b"\xff\xfe") is None
    collected = collector(START, PASS_A, RunEnd(), Ended(id="late", status="passed", score=99))
    assert [t.id for t in collected.tests] == ["a"], "nothing counts after run_end"
