"""The REST API with personal tokens: made in the browser, shown once, scoped, revocable; JSON errors."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from stagecraft.api.tables import ApiToken
from stagecraft.api.tokens import create_token
from stagecraft.submissions.tables import Submission
from tests.conftest import EXERCISE
from tests.helpers import zip_files

MANIFEST = 'runtime = "python"\nstart = "python app.py"\n'


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


async def test_a_token_made_in_the_browser_is_shown_once_and_works(browser, users):
    await browser.become("alice")
    made = await browser.post("/account/tokens/", {"name": "my laptop", "scopes": ["read", "submit"], "days": "30"})
    assert made.status_code == 201
    secret = made.text.split('<pre class="curl">')[1].split("</pre>")[0]
    assert secret.startswith("sc_") and len(secret) > 40
    listing = (await browser.get("/account/tokens/")).text
    assert secret not in listing and secret[:11] in listing and "never" in listing  # shown once, then its prefix
    stored = await ApiToken.objects().first()
    assert stored.token_hash != secret and secret not in stored.token_hash

    browser.client.cookies.clear()  # the API needs no session, and no CSRF token
    exercises = await browser.client.get("/api/v1/exercises", headers=bearer(secret))
    assert exercises.status_code == 200
    assert {"slug": EXERCISE}.items() <= exercises.json()[0].items() or any(
        e["slug"] == EXERCISE for e in exercises.json()
    )
    assert (await ApiToken.objects().first()).last_used_at is not None


async def test_refused_tokens_get_a_json_401_and_a_missing_scope_a_403(app, users, browser):
    alice = users["alice"]
    _, reader = await create_token(alice, "reader", ["read"], None)
    revoked, revoked_secret = await create_token(alice, "old", ["read"], None)
    expired, expired_secret = await create_token(alice, "short", ["read"], 1)
    await ApiToken.update({ApiToken.expires_at: datetime.now(UTC) - timedelta(minutes=1)}).where(
        ApiToken.id == expired.id
    )
    await browser.become("alice")
    await browser.post(f"/account/tokens/{revoked.id}/revoke")
    browser.client.cookies.clear()
    client = browser.client
    for headers in (
        {},
        bearer("sc_not-a-token"),
        bearer(revoked_secret),
        bearer(expired_secret),
        {"Authorization": "Basic x"},
    ):
        answer = await client.get("/api/v1/attempts", headers=headers)
        assert answer.status_code == 401 and answer.headers["content-type"].startswith("application/json")
        assert "detail" in answer.json() and "location" not in answer.headers
        assert answer.headers["www-authenticate"].startswith("Bearer")
    await browser.become("alice")  # a signed-in browser session is not an API token
    assert (await browser.client.get("/api/v1/attempts")).status_code == 401
    files = {"archive": ("p.zip", zip_files({"stagecraft.toml": MANIFEST, "app.py": "x"}), "application/zip")}
    refused = await client.post(f"/api/v1/exercises/{EXERCISE}/attempts", headers=bearer(reader), files=files)
    assert refused.status_code == 403 and "lacks the 'submit' scope" in refused.json()["detail"]


async def test_attempts_are_made_read_listed_and_followed_through_the_api(app, users, browser):
    _, secret = await create_token(users["alice"], "cli", ["read", "submit"], None)
    _, bobs = await create_token(users["bob"], "cli", ["read", "submit"], None)
    client = browser.client
    files = {"archive": ("p.zip", zip_files({"stagecraft.toml": MANIFEST, "app.py": "print(1)"}), "application/zip")}
    made = await client.post(f"/api/v1/exercises/{EXERCISE}/attempts", headers=bearer(secret), files=files)
    assert made.status_code == 201
    attempt = made.json()
    assert attempt["state"] == "queued" and attempt["url"] == f"/submissions/{attempt['id']}"
    bad = {"archive": ("p.zip", b"not a zip at all", "application/zip")}
    refused = await client.post(f"/api/v1/exercises/{EXERCISE}/attempts", headers=bearer(secret), files=bad)
    assert refused.status_code == 400 and "zip" in refused.json()["detail"]
    missing = await client.post("/api/v1/exercises/no-such/attempts", headers=bearer(secret), files=files)
    assert missing.status_code == 404

    listed = (await client.get(f"/api/v1/attempts?exercise={EXERCISE}", headers=bearer(secret))).json()
    assert [a["id"] for a in listed] == [attempt["id"]]
    assert (await client.get(f"/api/v1/attempts/{attempt['id']}", headers=bearer(bobs))).status_code == 404

    await Submission.update(
        {Submission.state: "finished", Submission.verdict: "failed", Submission.max_score: 10}
    ).where(Submission.id == attempt["id"])
    read = (await client.get(f"/api/v1/attempts/{attempt['id']}", headers=bearer(secret))).json()
    assert read["verdict"] == "failed" and read["verdict_label"] == "Some tests failed" and read["tests"] == []
    async with client.stream("GET", f"/api/v1/attempts/{attempt['id']}/events", headers=bearer(secret)) as stream:
        body = "".join([chunk async for chunk in stream.aiter_text()])
    events = [line for line in body.splitlines() if line.startswith(("event:", "data:"))]
    assert events[0] == "event: attempt" and json.loads(events[1].removeprefix("data: "))["state"] == "finished"
    assert events[2] == "event: done"
    progress = (await client.get("/api/v1/progress", headers=bearer(secret))).json()
    assert progress == [
        {"exercise": EXERCISE, "attempts": 1, "best_score": 0.0, "max_score": 10.0, "passed": False,
         "polished": False, "awaiting_review": False}
    ]  # fmt: skip


async def test_a_token_request_a_person_must_change_says_what(browser):
    await browser.become("alice")
    nameless = await browser.post("/account/tokens/", {"name": " ", "scopes": ["read"]})
    assert nameless.status_code == 400 and "give the token a name" in nameless.text
    scopeless = await browser.post("/account/tokens/", {"name": "x"})
    assert scopeless.status_code == 400 and "scopes among read, submit" in scopeless.text
    forever = await browser.post("/account/tokens/", {"name": "x", "scopes": ["read"], "days": "9999"})
    assert forever.status_code == 400 and "from 1 to 365 days" in forever.text


async def test_reviews_and_notifications_through_the_api(app, settings, users, browser):
    from stagecraft.reviews import services

    _, secret = await create_token(users["alice"], "cli", ["read"], None)
    files = {
        "archive": (
            "p.zip",
            zip_files({"stagecraft.toml": MANIFEST, "app.py": "print(1)\nport = 8000\n"}),
            "application/zip",
        )
    }
    await browser.become("alice")
    made = await browser.post(f"/exercises/{EXERCISE}/submissions", files=files)
    attempt_id = int(made.headers["location"].rsplit("/", 1)[1])
    await Submission.update({Submission.state: "finished", Submission.verdict: "failed"}).where(
        Submission.id == attempt_id
    )
    client = browser.client
    empty = (await client.get(f"/api/v1/attempts/{attempt_id}/review", headers=bearer(secret))).json()
    assert (empty["state"], empty["comments"]) == ("graded", [])

    submission = await Submission.objects().where(Submission.id == attempt_id).first()
    request = await services.ask_for_review(users["alice"], submission, "Is the port right?", app.state.curriculum)
    await services.claim(users["mia"], request.id)
    await services.add_comment(
        users["mia"],
        submission,
        services.Anchor(path="app.py", line_start=2),
        "Read $PORT.",
        {"app.py": "print(1)\nport = 8000\n"},
    )
    await services.decide(users["mia"], request.id, "changes_requested", "Use the environment.", ["Tests"])
    review = (await client.get(f"/api/v1/attempts/{attempt_id}/review", headers=bearer(secret))).json()
    assert review["state"] == "changes_requested" and review["summary"] == "Use the environment."
    assert review["rubric"] == ["Tests"] and review["note"] == "Is the port right?"
    assert [(c["author"], c["path"], c["line_start"], c["body"]) for c in review["comments"]] == [
        ("mia@example.com", "app.py", 2, "Read $PORT.")
    ]
    notes = (await client.get("/api/v1/notifications", headers=bearer(secret))).json()
    assert [n["kind"] for n in notes] == ["verdict", "comment", "review_started"] and not notes[0]["read"]
    assert notes[0]["url"] == f"/submissions/{attempt_id}#review"
