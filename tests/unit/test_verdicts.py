"""Verdict decisions from what the sandbox and the grader reported (pure logic; the Docker
tests in tests/integration cover the same paths through the real engine)."""

from __future__ import annotations

import pytest

from stagecraft.grading.events import RunEnd, RunStart, encode_event, parse_event
from stagecraft.grading.events import TestEnd as Ended
from stagecraft.grading.events import TestInfo as Info
from stagecraft.grading.pipeline import _Collector, decide_verdict, is_polished
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


CRAFT_START = RunStart(
    version=2,
    tests=[
        Info(id="a", title="A", max_score=2),
        Info(id="b", title="B", max_score=3),
        Info(id="c", title="C", max_score=1, tier="craft", rule="A 409 tells the client the name is taken."),
    ],
)
PASS_C = Ended(id="c", status="passed", score=1, max_score=1, tier="craft")
FAIL_C = Ended(id="c", status="failed", max_score=1, message="expected 409, got 200", tier="craft")


@pytest.mark.parametrize(
    ("sandbox", "events", "verdict", "message", "polished"),
    [
        (result(), [CRAFT_START, PASS_A, PASS_B, PASS_C, RunEnd()], "passed", "Every test passed.", True),
        (
            result(),
            [CRAFT_START, PASS_A, PASS_B, FAIL_C, RunEnd()],
            "passed",
            "Every test the spec requires passed. 1 of 1 extra practice tests did not",
            False,
        ),
        (
            result(),
            [CRAFT_START, PASS_A, FAIL_B, PASS_C, RunEnd()],
            "failed",
            "1 of 2 tests required by the spec failed.",
            False,
        ),
        # No craft tests: the message is as it always was, and a pass is polished.
        (result(), [START, PASS_A, PASS_B, RunEnd()], "passed", "Every test passed.", True),
        (result(), [START, PASS_A, FAIL_B, RunEnd()], "failed", "1 of 2 tests failed.", False),
        # A skipped craft test counts as a skipped spec test does.
        (
            result(),
            [CRAFT_START, PASS_A, PASS_B, Ended(id="c", status="skipped", tier="craft"), RunEnd()],
            "passed",
            "Every test passed.",
            True,
        ),
        # The app stopping is still its own verdict, whichever tier was running.
        (
            result(running=False, exit_code=1),
            [CRAFT_START, PASS_A, FAIL_B, FAIL_C, RunEnd()],
            "crashed",
            "stopped",
            False,
        ),
    ],
)
def test_spec_tests_decide_the_verdict_and_craft_tests_polish_it(sandbox, events, verdict, message, polished):
    collected = collector(*events)
    got_verdict, got_message = decide_verdict(sandbox, collected)
    assert (got_verdict, message in got_message) == (verdict, True), got_message
    assert is_polished(got_verdict, collected.tests) is polished


def test_a_craft_test_left_unrun_keeps_its_tier_and_rule():
    collected = collector(CRAFT_START, PASS_A)
    collected.fail_unrun("Not run: the time limit was reached before this test.")
    unrun = {t.id: (t.status, t.tier, t.rule) for t in collected.tests}
    assert unrun == {
        "a": ("passed", "spec", ""),
        "b": ("failed", "spec", ""),
        "c": ("failed", "craft", "A 409 tells the client the name is taken."),
    }


def test_version_1_events_still_parse_as_spec_tests():
    start = parse_event('{"event": "run_start", "version": 1, "tests": [{"id": "a", "title": "A", "max_score": 2}]}')
    end = parse_event('{"event": "test_end", "id": "a", "status": "failed", "message": "expected 404"}')
    run_end = parse_event('{"event": "run_end", "outcome": "completed", "passed": 3, "failed": 1}')
    assert (start.tests[0].tier, start.tests[0].rule) == ("spec", "")
    assert (end.tier, end.rule) == ("spec", "")
    assert (run_end.spec_passed, run_end.craft_failed) == (0, 0)
    assert parse_event('{"event": "test_end", "id": "a", "status": "passed", "tier": "bonus"}') is None


def test_an_app_that_exits_before_any_test_did_not_start_though_the_unrun_tests_are_listed():
    collected = collector(START)
    collected.fail_unrun("Not run: your app had exited (its log is below).")
    verdict, message = decide_verdict(result("app_exited", running=False, exit_code=1), collected)
    assert verdict == "did_not_start" and "exited with code 1 before it accepted connections" in message
    assert [(t.id, t.status) for t in collected.tests] == [("a", "failed"), ("b", "failed")]


def test_an_app_that_exits_mid_run_crashed_and_the_tests_after_count_as_failed():
    collected = collector(START, PASS_A)
    collected.fail_unrun("Not run: your app had exited (its log is below).")
    verdict, message = decide_verdict(result("app_exited", running=False, exit_code=7), collected)
    assert verdict == "crashed" and "exited with code 7 while it was being tested" in message
    assert [(t.id, t.status) for t in collected.tests] == [("a", "passed"), ("b", "failed")]


def test_a_long_log_is_no_flood_but_a_flood_is_output_limit():
    long_log = AppState(running=True, exit_code=None, oom_killed=False, log="...", log_truncated=True)
    flood = AppState(running=True, exit_code=None, oom_killed=False, log="...", log_truncated=True, flooded=True)
    events = [START, PASS_A, PASS_B, RunEnd()]
    assert (
        decide_verdict(SandboxResult(ending="completed", grader_exit_code=0, app=long_log), collector(*events))[0]
        == "passed"
    )
    assert (
        decide_verdict(SandboxResult(ending="completed", grader_exit_code=0, app=flood), collector(*events))[0]
        == "output_limit"
    )
