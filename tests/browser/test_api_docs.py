"""The API's document and its vendored viewer in a real Chromium, under the app's Content-Security-Policy."""

from __future__ import annotations

import json
import urllib.request

import pytest

from tests.browser.test_learner_journey import page, server  # noqa: F401 - the fixtures

pytestmark = [pytest.mark.browser, pytest.mark.docker]


def test_the_api_viewer_shows_every_route_from_the_document(server, page):  # noqa: F811
    with urllib.request.urlopen(f"{server}/api/v1/schema/openapi.json") as answer:
        document = json.load(answer)
    assert "/api/v1/exercises/{slug}/attempts" in document["paths"]
    assert not any(path.startswith(("/review", "/submissions", "/login")) for path in document["paths"])
    assert document["components"]["securitySchemes"]["token"]["scheme"] == "bearer"

    page.goto(f"{server}/api/v1/docs")
    page.wait_for_function(
        "() => { const d = document.querySelector('rapi-doc'); return d && d.shadowRoot"
        " && d.shadowRoot.textContent.includes('/api/v1/exercises/{slug}/attempts'); }",
        timeout=30_000,
    )
    assert page.console_errors == [], "the viewer runs under its page's CSP, from /static only, no font from a CDN"
