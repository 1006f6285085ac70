"""An authorisation test for every route, for every persona.

`test_every_route_is_covered` fails when a route is added without a row here.
"""

from __future__ import annotations

import pytest

from stagecraft.curriculum.models import Exercise
from stagecraft.submissions.services import create_submission
from tests.conftest import EXERCISE
from tests.helpers import zip_files

PERSONAS = ("anonymous", "alice", "bob", "mia", "ann", "adam")
LOGIN = "login"  # redirected to the login page
MANIFEST = 'runtime = "python"\nstart = "python app.py"\n'
SIGNED_IN: dict[str, int | str] = {"anonymous": LOGIN, "alice": 200, "bob": 200, "mia": 200, "ann": 200, "adam": 200}
NO_TOKEN: dict[str, int | str] = dict.fromkeys(PERSONAS, 401)
OWNER_ONLY: dict[str, int | str] = {"anonymous": LOGIN, "alice": 404, "bob": 404, "mia": 404, "ann": 404, "adam": 404}
AUTHORS_ONLY: dict[str, int | str] = {"anonymous": LOGIN, "alice": 403, "bob": 403, "mia": 403, "ann": 200, "adam": 200}
ADMIN_ONLY: dict[str, int | str] = {"anonymous": LOGIN, "alice": 403, "bob": 403, "mia": 403, "ann": 403, "adam": 200}
REVIEWERS_ONLY: dict[str, int | str] = {
    "anonymous": LOGIN,
    "alice": 403,
    "bob": 403,
    "mia": 200,
    "ann": 403,
    "adam": 200,
}

# route template -> expected outcome per persona (alice owns submission {sid})
GET_ROUTES: dict[str, dict[str, int | str]] = {
    "/": dict.fromkeys(PERSONAS, 200),
    "/healthz": dict.fromkeys(PERSONAS, 200),
    "/static/app.css": dict.fromkeys(PERSONAS, 200),
    "/signup": dict.fromkeys(PERSONAS, 200),
    "/login": dict.fromkeys(PERSONAS, 200),
    "/stages/1": dict.fromkeys(PERSONAS, 200),
    f"/exercises/{EXERCISE}": dict.fromkeys(PERSONAS, 200),
    f"/exercises/{EXERCISE}/starter/python": dict.fromkeys(PERSONAS, 200),
    "/submissions": {"anonymous": LOGIN, "alice": 200, "bob": 200, "mia": 200, "ann": 200, "adam": 200},
    "/submissions/{sid}": {"anonymous": LOGIN, "alice": 200, "bob": 404, "mia": 200, "ann": 404, "adam": 200},
    "/submissions/{sid}/events": {"anonymous": LOGIN, "alice": 200, "bob": 404, "mia": 200, "ann": 404, "adam": 200},
    "/submissions/{sid}/review-section": {
        "anonymous": LOGIN,
        "alice": 200,
        "bob": 404,
        "mia": 200,
        "ann": 404,
        "adam": 200,
    },
    "/review": REVIEWERS_ONLY,
    "/review/{rid}": REVIEWERS_ONLY,
    "/notifications": {**SIGNED_IN},
    "/account/tokens": {**SIGNED_IN},
    f"/exercises/{EXERCISE}/editor": {**SIGNED_IN},
    # The API takes tokens only: a browser session, whoever it is, gets a JSON 401 (tokens: test_api_routes).
    "/api/v1/exercises": NO_TOKEN,
    f"/api/v1/exercises/{EXERCISE}": NO_TOKEN,
    "/api/v1/attempts": NO_TOKEN,
    "/api/v1/attempts/{sid}": NO_TOKEN,
    "/api/v1/attempts/{sid}/events": NO_TOKEN,
    "/api/v1/progress": NO_TOKEN,
    "/api/v1/attempts/{sid}/review": NO_TOKEN,
    "/api/v1/notifications": NO_TOKEN,
    # The API's description is public, like this documentation.
    "/api/v1/docs": dict.fromkeys(PERSONAS, 200),
    # git remotes take an API token as the password: a browser session is nobody there.
    f"/git/{EXERCISE}.git/info/refs?service=git-receive-pack": NO_TOKEN,
    "/api/v1/schema/openapi.json": dict.fromkeys(PERSONAS, 200),
    "/api/v1/schema": dict.fromkeys(PERSONAS, 200),
    "/api/v1/schema/openapi.yaml": dict.fromkeys(PERSONAS, 404),  # JSON is the one rendering offered
    f"/exercises/{EXERCISE}/history": {**SIGNED_IN},
    f"/exercises/{EXERCISE}/compare?a={{sid}}&b={{sid}}": {**OWNER_ONLY, "alice": 200},  # one's own attempts only
    "/submissions/{sid}/archive": {"anonymous": LOGIN, "alice": 200, "bob": 404, "mia": 200, "ann": 404, "adam": 200},
    # A form's address opened again leads back to its page, for anyone (that page then decides).
    f"/exercises/{EXERCISE}/submissions": dict.fromkeys(PERSONAS, 303),
    "/submissions/{sid}/review": dict.fromkeys(PERSONAS, 303),
    "/submissions/{sid}/comments": dict.fromkeys(PERSONAS, 303),
    "/review/{rid}/claim": dict.fromkeys(PERSONAS, 303),
    "/review/{rid}/verdict": dict.fromkeys(PERSONAS, 303),
    "/review/overview": REVIEWERS_ONLY,
    "/authors": AUTHORS_ONLY,
    f"/authors/exercises/{EXERCISE}": AUTHORS_ONLY,
    "/admin/users": ADMIN_ONLY,
}
# In this order: a mentor claims, extends, decides, and then has nothing left to release (409).
POST_ROUTES = {
    f"/exercises/{EXERCISE}/submissions": {
        "anonymous": LOGIN,
        "alice": 302,
        "bob": 302,
        "mia": 302,
        "ann": 302,
        "adam": 302,
    },
    "/submissions/{sid}/review": {"anonymous": LOGIN, "alice": 302, "bob": 404, "mia": 404, "ann": 404, "adam": 404},
    "/submissions/{sid}/comments": {"anonymous": LOGIN, "alice": 302, "bob": 404, "mia": 302, "ann": 404, "adam": 302},
    "/review/{rid}/claim": {**REVIEWERS_ONLY, "mia": 302, "adam": 302},
    "/review/{rid}/extend": {**REVIEWERS_ONLY, "mia": 302, "adam": 302},
    "/review/{rid}/verdict": {**REVIEWERS_ONLY, "mia": 302, "adam": 302},
    "/review/{rid}/release": {**REVIEWERS_ONLY, "mia": 409, "adam": 409},
    # alice's notification (a mentor started reviewing): hers to open; nobody else can tell it exists.
    "/notifications/{nid}/open": {"anonymous": LOGIN, "alice": 302, "bob": 404, "mia": 404, "ann": 404, "adam": 404},
    "/notifications/read": {**SIGNED_IN, "alice": 302, "bob": 302, "mia": 302, "ann": 302, "adam": 302},
    "/admin/users/{bob}/role": {**ADMIN_ONLY, "adam": 302},  # makes bob a mentor
    "/review/snippets": {**REVIEWERS_ONLY, "mia": 302, "adam": 302},
    "/submissions/{sid}/rerun": {**OWNER_ONLY, "alice": 302},
    "/account/tokens": {**SIGNED_IN, "alice": 201, "bob": 201, "mia": 201, "ann": 201, "adam": 201},
    "/account/tokens/{tid}/revoke": {**OWNER_ONLY, "alice": 302},  # alice's token
    # A form post without JSON is refused with what to send (the editor posts JSON); nobody gets past it.
    f"/exercises/{EXERCISE}/draft": {**SIGNED_IN, "alice": 400, "bob": 400, "mia": 400, "ann": 400, "adam": 400},
    f"/exercises/{EXERCISE}/editor/submit": {
        **SIGNED_IN,
        "alice": 400,
        "bob": 400,
        "mia": 400,
        "ann": 400,
        "adam": 400,
    },
    f"/api/v1/exercises/{EXERCISE}/attempts": NO_TOKEN,
    # mia's snippet: only she deletes it (another mentor, the admin included, cannot tell it exists).
    "/review/snippets/{snip}/delete": {**REVIEWERS_ONLY, "mia": 302, "adam": 404},
    "/logout": dict.fromkeys(PERSONAS, 302),
    "/login": dict.fromkeys(PERSONAS, 400),  # wrong password for everyone
    "/signup": dict.fromkeys(PERSONAS, 400),  # invalid email for everyone
}


@pytest.fixture
async def alice_submission(app, browser, users, settings) -> int:
    exercise: Exercise = app.state.curriculum.exercise(EXERCISE)
    data = zip_files({"stagecraft.toml": MANIFEST, "app.py": "print('hello')"})
    submission_id = await create_submission(settings, users["alice"].id, exercise, "project.zip", data)
    from stagecraft.submissions.tables import Submission

    # Finished, so the live-updates stream ends at once.
    await Submission.update({Submission.state: "finished", Submission.verdict: "failed"}).where(
        Submission.id == submission_id
    )
    return submission_id


@pytest.fixture
async def review_request(app, users, settings, alice_submission) -> int:
    """Another attempt of alice's, waiting in the mentors' queue."""
    from stagecraft.reviews.services import ask_for_review
    from stagecraft.submissions.tables import Submission

    exercise: Exercise = app.state.curriculum.exercise(EXERCISE)
    data = zip_files({"stagecraft.toml": MANIFEST, "app.py": "print('second')"})
    submission_id = await create_submission(settings, users["alice"].id, exercise, "project.zip", data)
    await Submission.update({Submission.state: "finished", Submission.verdict: "passed"}).where(
        Submission.id == submission_id
    )
    submission = await Submission.objects().where(Submission.id == submission_id).first()
    request = await ask_for_review(users["alice"], submission, "Is my routing idiomatic?", app.state.curriculum)
    return request.id


@pytest.fixture
async def snippet(app, users) -> int:
    from stagecraft.reviews.services import add_snippet

    return (await add_snippet(users["mia"], "Ports", "Read **$PORT**.", "", app.state.curriculum)).id


@pytest.fixture
async def token(users) -> int:
    from stagecraft.api.tokens import create_token

    made, _ = await create_token(users["alice"], "alice's laptop", ["read"], None)
    return made.id


@pytest.fixture
async def notification(users) -> int:
    from stagecraft.notifications.services import notify
    from stagecraft.notifications.tables import Notification

    await notify(users["alice"].id, "review_started", "A mentor started reviewing your attempt.", "/submissions")
    return (await Notification.objects().where(Notification.user == users["alice"].id).first()).id


def _check(response, expected: int | str, persona: str, route: str) -> None:
    if expected == LOGIN:
        assert response.status_code in (302, 303), (persona, route, response.status_code)
        assert response.headers["location"].startswith("/login?next="), (persona, route)
    else:
        assert response.status_code == expected, (persona, route, response.status_code, response.text[:300])


@pytest.mark.parametrize("persona", PERSONAS)
async def test_get_routes(browser, users, alice_submission, review_request, notification, snippet, token, persona):
    await browser.become(persona)
    for route, expected in GET_ROUTES.items():
        response = await browser.get(
            route.format(
                sid=alice_submission, rid=review_request, nid=notification, bob=users["bob"].id, snip=snippet, tid=token
            )
        )
        _check(response, expected[persona], persona, route)


@pytest.mark.parametrize("persona", PERSONAS)
async def test_post_routes(browser, users, alice_submission, review_request, notification, snippet, token, persona):
    bodies = {
        "/login": {"email": "alice@example.com", "password": "wrong password!"},
        "/signup": {"email": "not-an-email", "password": "long enough password"},
        "/submissions/{sid}/review": {"note": "What would you change first?"},
        "/submissions/{sid}/comments": {"body": "Thanks, that helps."},
        "/review/{rid}/verdict": {"verdict": "approved", "summary": "Clear and correct."},
        "/admin/users/{bob}/role": {"role": "mentor"},
        "/review/snippets": {"title": "Port", "body": "Read the port from $PORT."},
        "/account/tokens": {"name": "laptop", "scopes": "read"},
    }
    for route, expected in POST_ROUTES.items():
        await browser.become(persona)
        files = None
        if route.endswith("/submissions"):
            files = {"archive": ("p.zip", zip_files({"stagecraft.toml": MANIFEST, "app.py": "x"}), "application/zip")}
        response = await browser.post(
            route.format(
                sid=alice_submission, rid=review_request, nid=notification, bob=users["bob"].id, snip=snippet, tid=token
            ),
            bodies.get(route, {}),
            files=files,
        )
        _check(response, expected[persona], persona, route)


async def test_every_route_is_covered(app):
    covered = {r.split("?")[0] for r in [*GET_ROUTES, *POST_ROUTES]}
    templates = {
        "/submissions/{sid}": "/submissions/{submission_id:int}",
        "/submissions/{sid}/events": "/submissions/{submission_id:int}/events",
        "/submissions/{sid}/review": "/submissions/{submission_id:int}/review",
        "/submissions/{sid}/review-section": "/submissions/{submission_id:int}/review-section",
        "/submissions/{sid}/comments": "/submissions/{submission_id:int}/comments",
        "/review/{rid}": "/review/{request_id:int}",
        "/review/{rid}/claim": "/review/{request_id:int}/claim",
        "/review/{rid}/extend": "/review/{request_id:int}/extend",
        "/review/{rid}/verdict": "/review/{request_id:int}/verdict",
        "/review/{rid}/release": "/review/{request_id:int}/release",
        "/notifications/{nid}/open": "/notifications/{notification_id:int}/open",
        f"/authors/exercises/{EXERCISE}": "/authors/exercises/{slug:str}",
        "/admin/users/{bob}/role": "/admin/users/{user_id:int}/role",
        "/review/snippets/{snip}/delete": "/review/snippets/{snippet_id:int}/delete",
        f"/exercises/{EXERCISE}/history": "/exercises/{slug:str}/history",
        "/account/tokens/{tid}/revoke": "/account/tokens/{token_id:int}/revoke",
        f"/exercises/{EXERCISE}/editor": "/exercises/{slug:str}/editor",
        f"/exercises/{EXERCISE}/draft": "/exercises/{slug:str}/draft",
        f"/exercises/{EXERCISE}/editor/submit": "/exercises/{slug:str}/editor/submit",
        "/api/v1/schema/openapi.yaml": "/api/v1/schema/{path:str}",
        f"/git/{EXERCISE}.git/info/refs": "/git",
        f"/api/v1/exercises/{EXERCISE}": "/api/v1/exercises/{slug:str}",
        f"/api/v1/exercises/{EXERCISE}/attempts": "/api/v1/exercises/{slug:str}/attempts",
        "/api/v1/attempts/{sid}": "/api/v1/attempts/{attempt_id:int}",
        "/api/v1/attempts/{sid}/events": "/api/v1/attempts/{attempt_id:int}/events",
        "/api/v1/attempts/{sid}/review": "/api/v1/attempts/{attempt_id:int}/review",
        f"/exercises/{EXERCISE}/compare": "/exercises/{slug:str}/compare",
        "/submissions/{sid}/archive": "/submissions/{submission_id:int}/archive",
        "/submissions/{sid}/rerun": "/submissions/{submission_id:int}/rerun",
        "/stages/1": "/stages/{number:int}",
        f"/exercises/{EXERCISE}": "/exercises/{slug:str}",
        f"/exercises/{EXERCISE}/submissions": "/exercises/{slug:str}/submissions",
        "/static/app.css": "/static/{file_path:path}",
        f"/exercises/{EXERCISE}/starter/python": "/exercises/{slug:str}/starter/{runtime:str}",
    }
    covered = {templates.get(r, r) for r in covered}
    routes = {route.path for route in app.routes}
    assert routes - covered == set(), "routes without an authorisation test"


async def test_a_post_without_the_csrf_token_is_refused(browser, users):
    await browser.become("alice")
    response = await browser.client.post("/logout")
    assert response.status_code == 403
    response = await browser.client.post("/login", data={"email": "alice@example.com", "password": "x" * 12})
    assert response.status_code == 403


async def test_a_mentor_sees_any_submission_but_another_learner_cannot_tell_it_exists(browser, alice_submission):
    await browser.become("bob")
    hidden = await browser.get(f"/submissions/{alice_submission}")
    missing = await browser.get("/submissions/999999")
    assert hidden.status_code == missing.status_code == 404
    await browser.become("bob")
    mine = await browser.get("/submissions")
    assert f"/submissions/{alice_submission}" not in mine.text


@pytest.mark.parametrize("persona", ["alice", "bob", "mia", "ann", "adam"])
async def test_api_routes_with_each_personas_token(browser, users, alice_submission, persona):
    from stagecraft.api.tokens import create_token

    _, secret = await create_token(users[persona], "t", ["read", "submit"], None)
    headers = {"Authorization": f"Bearer {secret}"}
    client = browser.client
    owner = 200 if persona == "alice" else 404  # the API shows one's own attempts only, whatever the role
    expected = {
        "/api/v1/exercises": 200,
        f"/api/v1/exercises/{EXERCISE}": 200,
        "/api/v1/attempts": 200,
        f"/api/v1/attempts/{alice_submission}": owner,
        f"/api/v1/attempts/{alice_submission}/events": owner,
        f"/api/v1/attempts/{alice_submission}/review": owner,
        "/api/v1/notifications": 200,
        "/api/v1/progress": 200,
    }
    for route, status in expected.items():
        assert (await client.get(route, headers=headers)).status_code == status, (persona, route)
    listed = (await client.get("/api/v1/attempts", headers=headers)).json()
    assert (alice_submission in [a["id"] for a in listed]) is (persona == "alice")
