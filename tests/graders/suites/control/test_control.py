"""SDK test suite for app control; a fake worker in test_app_control.py answers the requests."""

import pytest

from stagecraft_grader import ExchangeError, check, check_equal


def test_restart_gives_a_new_process(app, app_control):
    before = app.get("/pid").text
    answer = app_control.restart(timeout=5)
    check(answer.ok and answer.running, "expected the app to run after the restart", got=answer.detail)
    check(app.get("/pid").text != before, "expected a new process after the restart")


def test_stop_then_start(app, app_control):
    answer = app_control.stop(timeout=5)
    check(not answer.running, "expected the app to be stopped")
    check_equal(answer.exit_code, 0, "the exit code after stop")
    with pytest.raises(ExchangeError):
        app.get("/hello", timeout=1)
    app_control.start()
    check_equal(app.get("/hello").status_code, 200, "the status after start")


def test_graceful_sigterm(app_control):
    answer = app_control.signal("SIGTERM", timeout=5)
    check_equal((answer.running, answer.exit_code), (False, 0), "running and exit code after SIGTERM")
    app_control.start()


def test_refused_action(app_control):
    app_control.signal("SIGHUP")


def test_app_still_serves(app):
    check_equal(app.get("/hello").text, "hello", "the greeting")
