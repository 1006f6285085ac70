"""SDK test suite: one test per behaviour of the grader, run against apps/sample_app.py."""

import pytest

from stagecraft_grader import check, check_equal, fail, hint, not_graded, points, title

print("printed at import time")  # must not reach the grader's stdout


@title("GET /ok answers 200")
@points(2)
@hint("never shown: the test passes")
def test_passes(app):
    print("printed inside a test")
    r = app.get("/ok")
    check(r.status_code == 200, "expected status 200", got=r.status_code)


@title("GET /ok answers 201")
@points(3)
@hint("Answer 201 Created.")
def test_check_fails(app):
    r = app.get("/ok", params={"q": "a b"}, headers={"X-Trace": "t1"})
    check(r.status_code == 201, "expected status 201", got=r.status_code, expected="201")


def test_check_equal_fails(app):
    """The body is "ko"."""
    check_equal(app.get("/ok").text, "ko", "the body", hint="Say ko.")


@hint("Plain asserts work too.")
def test_plain_assert(app):
    assert app.get("/ok").status_code == 404, "expected status 404"


def test_not_json(app):
    app.get("/ok").json()


def test_connection_closed(app):
    app.get("/close")


def test_timeout(app):
    app.get("/slow", timeout=0.5)


def test_drip(app):
    app.get("/drip", timeout=0.5)


def test_garbage(app):
    app.get("/garbage")


def test_huge_body(app):
    r = app.get("/huge")
    check(r.truncated, "expected the body to be cut")
    check_equal(len(r.content), 1024 * 1024, "the bytes read")


def test_invalid_utf8(app):
    r = app.get("/binary")
    check("\ufffd" in r.text, "expected replacement characters", got=r.text)


def test_post_json(app):
    data = app.post("/echo", json={"n": 1}).json()
    check_equal(data, {"n": 1}, "the echoed body")


def test_unexpected_exception(app):
    app.get("/json").json()["missing"]


def test_skipped(app):
    not_graded("not today")


def test_random(rng, seed):
    fail(f"seed={seed} value={rng.randint(0, 10**9)}")


def test_long_message():
    fail("é" * 5000)


@pytest.mark.parametrize("path", ["ok", "json"])
def test_param(app, path):
    check_equal(app.get(f"/{path}").status_code, 200, "the status code")
