"""The SDK's tools for later exercises, end to end through the real `stagecraft-grader` CLI."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.graders.helpers import HERE, GraderRun, RunningApp, run_grader

TOOLS = HERE / "suites" / "tools"
APP_DATA = HERE / "suites" / "app-data"


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("appdata")
    (folder / "users.json").write_text('{"alice": "s3cret-pass"}')
    (folder / "notes.txt").write_text("nothing to see")
    return folder


@pytest.fixture(scope="module")
def tools_run(realtime_app: RunningApp) -> GraderRun:
    return run_grader(TOOLS, realtime_app.port)


def outcome(run: GraderRun, test_id: str) -> tuple[str, float, float, str]:
    end = run.results[test_id]
    return end["status"], end["score"], end["max_score"], end["message"]


def test_failed_checkpoint_scores_the_ones_reached(tools_run: GraderRun) -> None:
    assert outcome(tools_run, "checkpoints_partial") == (
        "failed",
        1.0,
        3.0,
        'checkpoint "echoed over a WebSocket" failed: expected the echo to be "bye", got "hi"',
    )


def test_passed_test_scores_its_points_whatever_its_checkpoints(tools_run: GraderRun) -> None:
    assert outcome(tools_run, "checkpoints_all_reached") == ("passed", 2.0, 2.0, "")


def test_failure_outside_a_checkpoint_keeps_its_message(tools_run: GraderRun) -> None:
    assert outcome(tools_run, "failure_after_the_checkpoints") == ("failed", 1.0, 2.0, "the last check failed")


def test_checkpoint_misuse_is_a_suite_error(tools_run: GraderRun) -> None:
    assert tools_run.results["checkpoints_exceed_points"]["status"] == "error"
    assert "add up to 2 points, more than its @points(1)" in tools_run.stderr
    assert tools_run.results["checkpoint_never_entered"]["status"] == "error"
    assert "'forgot the with' was never entered" in tools_run.stderr
    assert tools_run.returncode == 1


def test_deadline_fails_a_slow_test_on_time(tools_run: GraderRun) -> None:
    end = tools_run.results["deadline_exceeded"]

    assert (end["status"], end["message"]) == ("failed", "this test took longer than 0.5 s")
    assert end["duration"] < 2


def test_deadline_cannot_be_swallowed_and_names_the_checkpoint(tools_run: GraderRun) -> None:
    assert outcome(tools_run, "deadline_inside_a_checkpoint") == (
        "failed",
        1.0,
        2.0,
        'checkpoint "slow" failed: this test took longer than 0.5 s',
    )
    assert tools_run.results["deadline_met"]["status"] == "passed"


def test_websocket_exchanges_are_in_the_event(tools_run: GraderRun) -> None:
    transcript = tools_run.results["websocket_transcript"]["transcript"]

    assert [x["kind"] for x in transcript] == ["websocket"] * 3
    assert transcript[0]["response"]["status"] == 101
    assert transcript[1]["request"]["body"] == '{"n": 1}'
    assert transcript[2]["response"]["body"] == '{"n": 1}'


def test_sse_and_tcp_exchanges_are_in_the_event(tools_run: GraderRun, realtime_app: RunningApp) -> None:
    sse = tools_run.results["sse_transcript"]
    tcp = tools_run.results["tcp_transcript"]

    assert sse["message"] == "no event arrived within 0.2 s"
    assert [(x["kind"], x["response"]["body"]) for x in sse["transcript"]] == [("sse", "data: one\n\n")]
    assert tcp["message"].startswith("the app sent no 'NEVER' within 0.2 s")
    [turn] = tcp["transcript"]
    assert turn["kind"] == "tcp"
    assert turn["curl"] == (f"printf 'GET /hello HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n' | nc 127.0.0.1 {realtime_app.port}")
    assert turn["response"]["body"].startswith("HTTP/1.1 200")


def test_concurrent_clients_all_land_in_the_transcript(tools_run: GraderRun) -> None:
    end = tools_run.results["concurrent_clients"]

    assert end["status"] == "passed"
    assert [x["kind"] for x in end["transcript"]] == ["http"] * 5


def test_app_data_reads_the_mounted_volume(realtime_app: RunningApp, data_dir: Path) -> None:
    run = run_grader(APP_DATA, realtime_app.port, env={"APP_DATA_DIR": str(data_dir)})

    assert run.results["app_data"]["status"] == "failed"
    assert run.results["app_data"]["message"] == (
        'expected the files holding the password to be [], got ["users.json"]'
    )


def test_app_data_searches_the_project_copy_too(realtime_app: RunningApp, data_dir: Path, tmp_path: Path) -> None:
    (tmp_path / "app.db").write_bytes(b"SQLite format 3\x00alice|s3cret-pass")
    env = {"APP_DATA_DIR": str(data_dir), "APP_CODE_DIR": str(tmp_path)}
    run = run_grader(APP_DATA, realtime_app.port, env=env)

    assert run.results["app_data"]["message"] == (
        'expected the files holding the password to be [], got ["users.json", "./app.db"]'
    )


def test_missing_data_volume_is_a_grader_error(realtime_app: RunningApp, tmp_path: Path) -> None:
    run = run_grader(APP_DATA, realtime_app.port, env={"APP_DATA_DIR": str(tmp_path / "absent")})

    assert run.results["app_data"]["status"] == "error"
    assert "the app's data volume is not mounted at" in run.stderr
