"""The grader SDK, end to end: the real `stagecraft-grader` CLI against real apps on loopback."""

from __future__ import annotations

import shlex
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.graders.helpers import (
    HERE,
    GraderRun,
    RunningApp,
    as_service_ports,
    free_port,
    ports_busy_now,
    ports_named,
    run_grader,
    start_project,
    stop,
)

SAMPLE = HERE / "suites" / "sample"

GARBAGE = 'the app\'s answer is not valid HTTP: its first line is not a status line such as "HTTP/1.1 200 OK"'

# (id, status, message) of every test in suites/sample, in order.
SAMPLE_RESULTS = [
    ("passes", "passed", ""),
    ("check_fails", "failed", "expected status 201, got 200"),
    ("check_equal_fails", "failed", 'expected the body to be "ko", got "ok"'),
    ("plain_assert", "failed", "expected status 404"),
    ("not_json", "failed", 'expected a JSON body, got "ok"'),
    ("connection_closed", "failed", "the app closed the connection without sending a response"),
    ("timeout", "failed", "no response within 0.5 s"),
    ("drip", "failed", "the response body did not finish within 0.5 s"),
    ("garbage", "failed", GARBAGE),
    ("huge_body", "passed", ""),
    ("invalid_utf8", "passed", ""),
    ("post_json", "passed", ""),
    ("unexpected_exception", "failed", "the test stopped on an unexpected KeyError: 'missing'"),
    ("skipped", "skipped", "not today"),
    ("random", "failed", None),  # checked in test_rng_is_seeded_per_run_and_test
    ("long_message", "failed", None),  # checked in test_messages_are_capped
    ("param[ok]", "passed", ""),
    ("param[json]", "passed", ""),
]


@pytest.fixture(scope="module")
def shared_app() -> Iterator[RunningApp]:
    running = start_project(HERE / "apps")
    yield running
    stop(running)


@pytest.fixture(scope="module")
def sample_run(shared_app: RunningApp) -> GraderRun:
    """One grading of the sample suite, shared by the tests that only read its events."""
    return run_grader(SAMPLE, shared_app.port, seed=5)


def test_events_follow_the_contract_in_order(sample_run: GraderRun) -> None:
    run = sample_run

    assert run.returncode == 0, run.stderr
    kinds = [event["event"] for event in run.events]
    assert kinds == ["run_start"] + ["test_start", "test_end"] * len(SAMPLE_RESULTS) + ["run_end"]
    ids = [test_id for test_id, _, _ in SAMPLE_RESULTS]
    assert [test["id"] for test in run.events[0]["tests"]] == ids
    assert [event["id"] for event in run.of("test_start")] == ids
    assert run.events[0]["version"] == 2
    assert run.events[0]["seed"] == 5
    got = [
        (end["id"], end["status"], None if expected is None else end["message"])
        for end, (_, _, expected) in zip(run.of("test_end"), SAMPLE_RESULTS, strict=True)
    ]
    assert got == SAMPLE_RESULTS


def test_run_start_lists_titles_and_points(sample_run: GraderRun) -> None:
    tests = sample_run.events[0]["tests"]

    spec = {"tier": "spec", "rule": ""}  # no @spec or @craft: a spec test quoting nothing
    assert tests[0] == {"id": "passes", "title": "GET /ok answers 200", "max_score": 2.0, **spec}
    assert tests[1] == {"id": "check_fails", "title": "GET /ok answers 201", "max_score": 3.0, **spec}
    # No @title: the docstring's first line, else the id in words; no @points: 1.
    assert tests[2] == {"id": "check_equal_fails", "title": 'The body is "ko".', "max_score": 1.0, **spec}
    assert tests[3] == {"id": "plain_assert", "title": "Plain assert", "max_score": 1.0, **spec}
    assert tests[16] == {"id": "param[ok]", "title": "Param [ok]", "max_score": 1.0, **spec}


def test_failed_check_carries_message_expected_hint_and_transcript(
    sample_run: GraderRun, shared_app: RunningApp
) -> None:
    end = sample_run.results["check_fails"]

    url = f"http://127.0.0.1:{shared_app.port}/ok?q=a+b"
    assert {k: v for k, v in end.items() if k not in ("duration", "transcript")} == {
        "event": "test_end",
        "id": "check_fails",
        "title": "GET /ok answers 201",
        "status": "failed",
        "score": 0.0,
        "max_score": 3.0,
        "message": "expected status 201, got 200",
        "expected": "201",
        "hint": "Answer 201 Created.",
        "tier": "spec",
        "rule": "",
    }
    assert 0 < end["duration"] < 5
    [exchange] = end["transcript"]
    assert exchange["kind"] == "http"
    assert exchange["curl"] == f"curl -i -H 'x-trace: t1' '{url}'"
    assert exchange["request"]["method"] == "GET"
    assert exchange["request"]["url"] == url
    assert exchange["request"]["headers"]["x-trace"] == "t1"
    assert exchange["response"]["status"] == 200
    assert exchange["response"]["headers"]["content-type"] == "text/plain; charset=utf-8"
    assert exchange["response"]["body"] == "ok"
    assert exchange["response"]["truncated"] is False
    assert exchange["error"] == ""


def test_passed_test_scores_and_hides_its_hint(sample_run: GraderRun, shared_app: RunningApp) -> None:
    end = sample_run.results["passes"]

    assert (end["status"], end["score"], end["max_score"]) == ("passed", 2.0, 2.0)
    assert end["message"] == end["hint"] == ""
    assert end["transcript"][0]["curl"] == f"curl -i http://127.0.0.1:{shared_app.port}/ok"


def test_check_hint_replaces_the_test_hint(sample_run: GraderRun) -> None:
    results = sample_run.results

    assert results["check_equal_fails"]["hint"] == "Say ko."
    assert results["check_equal_fails"]["expected"] == "ko"
    assert results["plain_assert"]["hint"] == "Plain asserts work too."


def test_post_transcript_has_body_and_runnable_curl(sample_run: GraderRun, shared_app: RunningApp) -> None:
    [exchange] = sample_run.results["post_json"]["transcript"]

    url = f"http://127.0.0.1:{shared_app.port}/echo"
    assert shlex.split(exchange["curl"]) == [
        "curl",
        "-i",
        "-H",
        "content-type: application/json",
        "--data-binary",
        '{"n":1}',
        url,
    ]
    assert exchange["request"]["body"] == '{"n":1}'
    assert exchange["response"]["body"] == '{"n":1}'


def test_failed_exchanges_are_recorded_with_their_error(sample_run: GraderRun, shared_app: RunningApp) -> None:
    results = sample_run.results

    [closed] = results["connection_closed"]["transcript"]
    assert closed["response"] is None
    assert closed["error"] == "the app closed the connection without sending a response"
    assert closed["curl"] == f"curl -i http://127.0.0.1:{shared_app.port}/close"
    [drip] = results["drip"]["transcript"]
    assert drip["response"]["status"] == 200
    assert drip["response"]["truncated"] is True
    assert 0 < len(drip["response"]["body"]) < 100
    assert drip["error"] == "the response body did not finish within 0.5 s"


def test_hostile_bodies_are_cut_and_decoded(sample_run: GraderRun) -> None:
    results = sample_run.results

    huge = results["huge_body"]["transcript"][0]["response"]
    assert huge["truncated"] is True
    assert len(huge["body"].encode("utf-8")) <= 4096
    binary = results["invalid_utf8"]["transcript"][0]["response"]
    assert binary["body"] == "bad \ufffd\ufffd bytes \ufffd( here"
    assert binary["truncated"] is False


def test_messages_are_capped(sample_run: GraderRun) -> None:
    message = sample_run.results["long_message"]["message"]

    assert len(message.encode("utf-8")) <= 2048
    assert message.startswith("éé") and message.endswith("…")


def test_rng_is_seeded_per_run_and_test(sample_run: GraderRun, shared_app: RunningApp) -> None:
    first = sample_run.results["random"]["message"]
    again = run_grader(SAMPLE, shared_app.port, seed=5).results["random"]["message"]
    other = run_grader(SAMPLE, shared_app.port, seed=6).results["random"]["message"]

    assert first == again
    assert first.startswith("seed=5 value=")
    assert other.startswith("seed=6 value=") and other.split("=")[-1] != first.split("=")[-1]


def test_run_end_totals(sample_run: GraderRun) -> None:
    run = sample_run

    assert run.of("run_end") == [
        {
            "event": "run_end",
            "outcome": "completed",
            "passed": 6,
            "failed": 11,
            "spec_passed": 6,
            "spec_failed": 11,
            "craft_passed": 0,
            "craft_failed": 0,
            "score": 7.0,
            "max_score": 21.0,
            "message": "6 of 17 tests passed.",
        }
    ]


def test_prints_in_the_suite_go_to_stderr_not_stdout(sample_run: GraderRun) -> None:
    run = sample_run

    # run_grader already parsed every stdout line as a contract event.
    assert "printed after the run" in run.stderr
    assert "written to fd 1 after the run" in run.stderr
    assert run.events[-1]["event"] == "run_end"


def test_app_that_never_listens_did_not_start() -> None:
    port = free_port()
    busy = ports_busy_now()  # this host's own listeners: the grader is told they are services
    run = run_grader(SAMPLE, port, startup_timeout=1, env=as_service_ports(busy))

    assert run.returncode == 0
    assert [event["event"] for event in run.events] == ["run_start", "run_end"]
    assert len(run.events[0]["tests"]) == len(SAMPLE_RESULTS)
    message = run.events[1]["message"]
    assert {key: value for key, value in run.events[1].items() if key != "message"} == {
        "event": "run_end",
        "outcome": "did_not_start",
        "passed": 0,
        "failed": 0,
        "spec_passed": 0,
        "spec_failed": 0,
        "craft_passed": 0,
        "craft_failed": 0,
        "score": 0.0,
        "max_score": 21.0,
    }
    nothing = (
        f"Your app did not accept connections on port {port} within 1 s. Check that it listens on the port "
        "given in $PORT. If your app crashed, its log is below."
    )
    # Only a port another process opened during the run could be named instead.
    assert message == nothing or not ports_named(message) & busy


def test_grader_waits_for_a_slow_starting_app() -> None:
    slow = start_project(HERE / "apps", env={"START_DELAY": "1"}, wait=False)
    try:
        run = run_grader(SAMPLE, slow.port, startup_timeout=10)
    finally:
        stop(slow)

    assert run.of("run_end")[0]["outcome"] == "completed"
    assert run.results["passes"]["status"] == "passed"


def test_app_that_crashes_mid_run_fails_the_remaining_tests(sample_app: RunningApp) -> None:
    run = run_grader(HERE / "suites" / "crash", sample_app.port)

    assert run.returncode == 0
    assert [(end["id"], end["status"], end["message"]) for end in run.of("test_end")] == [
        ("crash", "failed", "the app closed the connection without sending a response"),
        ("after_crash", "failed", "could not connect to the app (connection refused): did it stop or crash?"),
    ]
    assert run.of("run_end")[0]["outcome"] == "completed"


def test_fixture_bug_is_an_error_and_a_nonzero_exit(shared_app: RunningApp) -> None:
    run = run_grader(HERE / "suites" / "fixture-error", shared_app.port)

    assert run.returncode == 1
    broken = run.results["uses_broken_fixture"]
    assert broken["status"] == "error"
    assert "not with your code" in broken["message"]
    assert "RuntimeError" not in broken["message"]  # the learner never sees a traceback...
    assert "RuntimeError: a bug in the suite" in run.stderr  # ...the operator always does
    assert run.results["fine"]["status"] == "passed"
    assert run.of("run_end")[0]["failed"] == 1


def test_suite_that_cannot_be_collected_emits_nothing(shared_app: RunningApp) -> None:
    run = run_grader(HERE / "suites" / "import-error", shared_app.port)

    assert run.returncode == 3
    assert run.events == []
    assert "module_that_does_not_exist" in run.stderr


def test_duplicate_test_ids_are_a_suite_error(shared_app: RunningApp) -> None:
    run = run_grader(HERE / "suites" / "duplicate-ids", shared_app.port)

    assert run.returncode == 3
    assert run.events == []
    assert "two tests are named 'same'" in run.stderr


def test_grading_writes_nothing_into_the_suite_folder(sample_app: RunningApp, tmp_path: Path) -> None:
    suite = tmp_path / "suite"
    shutil.copytree(HERE / "suites" / "crash", suite)
    before = sorted(suite.rglob("*"))

    run = run_grader(suite, sample_app.port, env={"PYTHONDONTWRITEBYTECODE": ""})

    assert run.of("run_end")[0]["outcome"] == "completed"
    assert sorted(suite.rglob("*")) == before


def test_unusable_setting_is_a_usage_error_naming_the_variable() -> None:
    run = run_grader(SAMPLE, free_port(), seed="not-a-number")

    assert run.returncode == 2
    assert run.events == []
    assert "STAGECRAFT_SEED must be an integer, got 'not-a-number'" in run.stderr


def test_a_malformed_app_env_is_a_usage_error_naming_the_variable() -> None:
    run = run_grader(SAMPLE, free_port(), env={"STAGECRAFT_APP_ENV": '{"GREETING": 5}'})

    assert run.returncode == 2
    assert run.events == []
    assert "STAGECRAFT_APP_ENV must be a JSON object of strings" in run.stderr


def test_k_runs_only_the_matching_tests_and_lists_only_them(shared_app: RunningApp) -> None:
    run = run_grader(SAMPLE, shared_app.port, args=("-k", "passes or check_fails"))

    assert [t["id"] for t in run.events[0]["tests"]] == ["passes", "check_fails"]
    assert {test_id: end["status"] for test_id, end in run.results.items()} == {
        "passes": "passed",
        "check_fails": "failed",
    }


def test_a_grader_made_ahead_takes_its_settings_from_its_first_stdin_line(
    sample_run: GraderRun, shared_app: RunningApp
) -> None:
    """The warm start's grader: started with no run settings, it waits for one JSON line on stdin."""
    import json
    import os
    import subprocess

    from tests.graders.helpers import GRADER

    env = {k: v for k, v in os.environ.items() if not k.startswith(("APP_", "STAGECRAFT_", "STARTUP_"))}
    settings = {"APP_HOST": "127.0.0.1", "APP_PORT": str(shared_app.port), "STAGECRAFT_SEED": "5"}
    args = [str(GRADER), "--settings-from-stdin", str(SAMPLE)]
    done = subprocess.run(args, env=env, input=json.dumps(settings) + "\n", capture_output=True, text=True, timeout=120)
    ends = [json.loads(line) for line in done.stdout.splitlines() if '"test_end"' in line]
    assert [(e["id"], e["status"], e["message"]) for e in ends] == [
        (e["id"], e["status"], e["message"]) for e in sample_run.of("test_end")
    ]  # the same run as with the settings in its environment
    for bad, why in (("not json\n", "not JSON"), ('{"APP_PORT": 8000}\n', "object of strings"), ("", "ended")):
        refused = subprocess.run(args, env=env, input=bad, capture_output=True, text=True, timeout=60)
        assert refused.returncode == 2 and why in refused.stderr and refused.stdout == ""
