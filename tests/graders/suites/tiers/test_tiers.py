"""SDK test suite for tiers: spec tests (marked or not) and craft tests, run against apps/sample_app.py."""

import pytest

from stagecraft_grader import check_equal, craft, points, spec, title


def test_unmarked(app):
    check_equal(app.get("/ok").status_code, 200, "the status of GET /ok")


@spec("GET /ok answers 200 with the body ok.")
def test_quoted(app):
    check_equal(app.get("/ok").text, "ok", "the body of GET /ok")


@title("Unknown paths answer 404 with JSON")
@spec("Unknown paths answer 404 with a JSON error.")
def test_quoted_fails(app):
    check_equal(app.get("/nowhere").headers.get("content-type"), "application/json", "the Content-Type")


@craft("A 201 tells a client that something new exists, and where.")
@points(2)
def test_craft_fails(app):
    check_equal(app.get("/ok").status_code, 201, "the status of GET /ok")


@pytest.mark.parametrize("path", ["/ok", "/json"])
@craft("Every route answering 200 shows the app is healthy.")
def test_craft_passes(app, path):
    check_equal(app.get(path).status_code, 200, f"the status of GET {path}")
