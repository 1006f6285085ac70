"""Shared by the documented-api suite: random bookmark data, and the API calls and checks the
tests build on."""

import json
import re
import uuid
from urllib.parse import quote

from openapi_check import COLLECTION, describe

from stagecraft_grader import WORDS, check, check_equal, not_graded
from stagecraft_grader.shapes import find_id, unwrap, unwrap_list

FIELDS = ("id", "url", "title", "tags", "created_at")
INVALID_STATUSES = (400, 422)
ISO_8601 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:?\d{2})$")
NOT_HTTP_URLS = ["ftp://files.example.com/report.pdf", "mailto:someone@example.com", "javascript:alert(1)"]
NOT_URLS = ["not a url", "example.com/page", "https://", "http//missing-colon.example.com"]
DOC = "GET /openapi.json"
# The tests that check what the preconditions below only need to work: a precondition that cannot
# be met skips the test (worth nothing) and names the test to make pass first (no cascades).
DOCUMENT_VALID = '"GET /openapi.json answers an OpenAPI 3 document"'
DOCUMENT_OPERATIONS = '"The document describes every operation of the API"'
CREATE = '"POST /bookmarks creates a bookmark and answers 201 with it"'
READ = '"GET /bookmarks/{id} and GET /bookmarks answer 200 with the bookmark"'


# --- random data ------------------------------------------------------------------------------


def random_token(rng):
    return f"{rng.choice(WORDS)}{rng.randint(10000, 99999)}"


def url(rng):
    scheme = rng.choice(["http", "https"])
    return f"{scheme}://{random_token(rng)}.example.com/{rng.choice(WORDS)}/{rng.randint(1, 9999)}"


def bookmark_body(rng, **overrides):
    body = {
        "url": url(rng),
        "title": f"{rng.choice(WORDS).capitalize()} {rng.choice(WORDS)} {rng.randint(1, 999)}",
        "tags": rng.sample(WORDS, rng.randint(1, 3)),
    }
    body.update(overrides)
    return {k: v for k, v in body.items() if v is not None}


def bad_url(rng):
    return rng.choice(NOT_URLS)


def item_path(bookmark_id):
    return f"/bookmarks/{quote(str(bookmark_id), safe='')}"


def missing_id(rng, like):
    """An id no bookmark has, of the same kind as `like` (an id the app handed out)."""
    if isinstance(like, int) and not isinstance(like, bool):
        return rng.randint(10**8, 10**9)
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


# --- the API ----------------------------------------------------------------------------------


def json_body(r, status, what):
    check_equal(r.status_code, status, f"the status code of {what}")
    check_equal(r.content_type, "application/json", f"the Content-Type media type of {what}")
    return r.json()


def check_bookmark(data, body, what):
    """`data` is a bookmark holding `body`'s fields: its id."""
    check(isinstance(data, dict), f"expected {what} to be a JSON object", got=data)
    bookmark_id = data.get("id")
    check(
        (isinstance(bookmark_id, int) and not isinstance(bookmark_id, bool))
        or (isinstance(bookmark_id, str) and bookmark_id != ""),
        f'expected {what} to have an "id" that is an integer or a non-empty string',
        got=bookmark_id,
    )
    for field in ("url", "title"):
        check_equal(data.get(field), body[field], f'the "{field}" of {what}')
    check_equal(data.get("tags"), body.get("tags", []), f'the "tags" of {what}')
    stamp = data.get("created_at")
    check(
        isinstance(stamp, str) and ISO_8601.match(stamp) is not None,
        f'expected the "created_at" of {what} to be an ISO-8601 date and time with a time zone, '
        'such as "2026-03-01T12:30:00Z"',
        got=stamp,
    )
    return bookmark_id


def json_or_none(r):
    try:
        return json.loads(r.content)
    except ValueError:
        return None


def create_bookmark(app, body):
    """POST /bookmarks as a precondition of a test about something else: the created bookmark.

    Its status and fields are the create test's to check: any 2xx answering a bookmark with an id
    will do, or the test is skipped.
    """
    r = app.post(COLLECTION, json=body)
    data = unwrap(json_or_none(r)) if 200 <= r.status_code < 300 else None
    if find_id(data) is None:
        not_graded(
            f"this test needs POST /bookmarks to create a bookmark and answer its id (it answered "
            f"{r.status_code} {describe(r.text[:100])}): make the test {CREATE} pass first"
        )
    return data


def check_rejected(r, what):
    check(
        r.status_code in INVALID_STATUSES,
        f"expected {what} to be rejected with 400 or 422, but it answered {r.status_code}: {describe(r.text[:160])}",
    )


def list_bookmarks(app, params=None, *, strict=False):
    """GET /bookmarks: the bookmarks.

    `strict` checks the answer as the brief pins it (200, JSON, an array), for the read test; as a
    precondition of another test the list is read bare or wrapped, or the test is skipped.
    """
    what = "GET /bookmarks" + (f"?tag={params['tag']}" if params else "")
    r = app.get(COLLECTION, params=params)
    if strict:
        data = json_body(r, 200, what)
        check(
            isinstance(data, list) and all(isinstance(b, dict) for b in data),
            f"expected {what} to answer a JSON array of bookmarks",
            got=data,
        )
        return data
    data = unwrap_list(json_or_none(r), prefer=("bookmarks",)) if r.status_code == 200 else None
    if data is None or not all(isinstance(b, dict) for b in data):
        not_graded(
            f"this test needs {what} to list the bookmarks (it answered {r.status_code} "
            f"{describe(r.text[:100])}): make the test {READ} pass first"
        )
    return data
