"""Grader suite for the stage 2 exercise blogging-api (see the exercise's README for the brief).

The app keeps running for the whole suite, so every test creates the posts it needs and never
assumes the store is empty: ids are compared with the ones the app handed out, and searches use a
random token that no other test writes.
"""

import re
from datetime import datetime

from stagecraft_grader import WORDS, check, check_equal, checkpoint, fail, hint, points, title

CATEGORIES = ["Technology", "Travel", "Cooking", "Science", "Music", "Gardening"]
FIELDS = ("title", "content", "category", "tags")
# ISO-8601 date and time with an explicit offset: 2026-03-01T12:30:00Z, ...00.123+00:00, ...
ISO_8601 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:?\d{2})$")


# --- random data ------------------------------------------------------------------------------


def _token(rng):
    """A word no other test (and no hard-coded answer) will contain, e.g. "quartz48213"."""
    return f"{rng.choice(WORDS)}{rng.randint(10000, 99999)}"


def _post_body(rng, **overrides):
    body = {
        "title": f"{rng.choice(WORDS).capitalize()} {rng.choice(WORDS)} {rng.randint(1, 999)}",
        "content": " ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 12))) + ".",
        "category": rng.choice(CATEGORIES),
        "tags": rng.sample(WORDS, rng.randint(1, 3)),
    }
    body.update(overrides)
    return body


def _missing_id(rng):
    return rng.randint(10**6, 10**9)


# --- checks shared by the tests ---------------------------------------------------------------


def _json(r, status, what):
    check_equal(r.status_code, status, f"the status code of {what}")
    check_equal(r.content_type, "application/json", f"the Content-Type media type of {what}")
    return r.json()


def _check_error(r, status, what):
    data = _json(r, status, what)
    check(
        isinstance(data, dict) and isinstance(data.get("error"), str),
        f'expected {what} to answer a JSON object with a string "error"',
        got=data,
    )


def _check_post(data, body, what):
    """`data` is a post object holding `body`'s fields, an integer id and two timestamps."""
    check(isinstance(data, dict), f"expected {what} to be a JSON object", got=data)
    post_id = data.get("id")
    check(
        isinstance(post_id, int) and not isinstance(post_id, bool),
        f'expected {what} to have an integer "id"',
        got=post_id,
    )
    for field in FIELDS:
        check_equal(data.get(field), body[field], f'the "{field}" of {what}')
    return post_id


def _timestamp(data, field, what):
    value = data.get(field)
    check(
        isinstance(value, str) and ISO_8601.match(value),
        f'expected the "{field}" of {what} to be an ISO-8601 date and time with a time zone, '
        'such as "2026-03-01T12:30:00.000Z"',
        got=value,
    )
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        fail(f'the "{field}" of {what} is not a real date and time: {value!r}')


def _create(app, body):
    """POST /posts as a precondition of a test about something else: the created post."""
    r = app.post("/posts", json=body)
    check_equal(
        r.status_code,
        201,
        "the status code of POST /posts (creating a post)",
        hint="This test needs POST /posts to work first: make the create test pass.",
    )
    data = r.json()
    _check_post(data, body, "the created post")
    return data


def _search_ids(app, term):
    r = app.get("/posts", params={"term": term})
    data = _json(r, 200, f"GET /posts?term={term}")
    check(isinstance(data, list), f"expected GET /posts?term={term} to answer a JSON array", got=data)
    return [post.get("id") if isinstance(post, dict) else post for post in data]


# --- tests ------------------------------------------------------------------------------------


@title("POST /posts creates a post and answers 201 with it")
@points(2)
@hint(
    "Answer 201 with the stored post as JSON: the four fields you were sent plus an integer "
    '"id" (and "createdAt", "updatedAt").'
)
def test_create_post(app, rng):
    body = _post_body(rng)
    data = _json(app.post("/posts", json=body), 201, "POST /posts")
    _check_post(data, body, "the created post")


@title("A new post has ISO-8601 createdAt and updatedAt timestamps")
@points(1)
@hint(
    'Set both "createdAt" and "updatedAt" to the current time in UTC, written like '
    '"2026-03-01T12:30:00.000Z" (new Date().toISOString(), or datetime.now(timezone.utc)'
    ".isoformat())."
)
def test_create_timestamps(app, rng):
    data = _create(app, _post_body(rng))
    created = _timestamp(data, "createdAt", "the created post")
    updated = _timestamp(data, "updatedAt", "the created post")
    check(
        updated >= created,
        'expected "updatedAt" not to be before "createdAt" on a new post',
        got={"createdAt": data["createdAt"], "updatedAt": data["updatedAt"]},
    )


@title("POST /posts rejects an invalid post with 400 and a JSON error")
@points(2)
@hint(
    "Check the body before storing it: title, content and category must be non-empty strings "
    'and tags an array of strings. Otherwise answer 400 with {"error": "..."}.'
)
def test_create_validation(app, rng):
    missing = rng.choice(FIELDS)
    with checkpoint(f"rejected a post without {missing}", points=1):
        body = _post_body(rng)
        del body[missing]
        _check_error(app.post("/posts", json=body), 400, f'POST /posts without "{missing}"')
    blank = rng.choice(["title", "content", "category"])
    invalid = [
        (f'an empty "{blank}"', _post_body(rng, **{blank: rng.choice(["", "   "])})),
        ('"tags" that is a string', _post_body(rng, tags=", ".join(rng.sample(WORDS, 2)))),
        ('a number as "title"', _post_body(rng, title=rng.randint(1, 999))),
        ("a JSON array instead of an object", [_post_body(rng)]),
    ]
    for what, body in invalid:
        _check_error(app.post("/posts", json=body), 400, f"POST /posts with {what}")
    r = app.post("/posts", content=b'{"title": "unfinished', headers={"Content-Type": "application/json"})
    _check_error(r, 400, "POST /posts with a body that is not valid JSON")


@title("GET /posts/{id} answers 200 with the post")
@points(1)
@hint("Look the post up by the id in the path and answer 200 with the same JSON object that POST /posts answered.")
def test_get_post(app, rng):
    created = _create(app, _post_body(rng))
    data = _json(app.get(f"/posts/{created['id']}"), 200, f"GET /posts/{created['id']}")
    check_equal(data, created, f"the post GET /posts/{created['id']} answered")


@title("GET, PUT and DELETE on a post that does not exist answer 404")
@points(2)
@hint(
    'When no post has the id in the path, answer 404 with {"error": "..."} for GET, PUT and '
    "DELETE alike. PUT must not create a post."
)
def test_missing_post_404(app, rng):
    _create(app, _post_body(rng))  # the API works: a 404 below is about the id, not the route
    post_id = _missing_id(rng)
    with checkpoint("GET answered 404", points=1):
        _check_error(app.get(f"/posts/{post_id}"), 404, f"GET /posts/{post_id}")
    _check_error(app.put(f"/posts/{post_id}", json=_post_body(rng)), 404, f"PUT /posts/{post_id}")
    _check_error(app.delete(f"/posts/{post_id}"), 404, f"DELETE /posts/{post_id}")
    _check_error(app.get(f"/posts/{post_id}"), 404, f"GET /posts/{post_id} after the PUT")


@title("PUT /posts/{id} updates the post and answers 200")
@points(2)
@hint(
    'Replace title, content, category and tags, keep "id" and "createdAt", set "updatedAt" to '
    "the current time, and answer 200 with the updated post. GET must then show the update."
)
def test_update_post(app, rng):
    created = _create(app, _post_body(rng))
    post_id = created["id"]
    body = _post_body(rng, title=f"Updated: {created['title']} {_token(rng)}")
    with checkpoint("PUT answered the updated post", points=1):
        data = _json(app.put(f"/posts/{post_id}", json=body), 200, f"PUT /posts/{post_id}")
        check_equal(_check_post(data, body, "the updated post"), post_id, 'the "id" of the updated post')
        check_equal(data.get("createdAt"), created.get("createdAt"), '"createdAt" after the update')
        updated = _timestamp(data, "updatedAt", "the updated post")
        check(
            updated >= _timestamp(created, "createdAt", "the created post"),
            'expected "updatedAt" not to be before "createdAt" after the update',
            got={"createdAt": data["createdAt"], "updatedAt": data["updatedAt"]},
        )
    stored = _json(app.get(f"/posts/{post_id}"), 200, f"GET /posts/{post_id} after the update")
    check_equal(stored, data, f"the post GET /posts/{post_id} answered after the update")


@title("PUT /posts/{id} rejects an invalid post with 400 and keeps the old one")
@points(1)
@hint("Validate a PUT body exactly like a POST body; on 400, leave the stored post unchanged.")
def test_update_validation(app, rng):
    created = _create(app, _post_body(rng))
    post_id = created["id"]
    field = rng.choice(["title", "content", "category"])
    body = _post_body(rng, **{field: ""})
    _check_error(app.put(f"/posts/{post_id}", json=body), 400, f'PUT /posts/{post_id} with an empty "{field}"')
    stored = _json(app.get(f"/posts/{post_id}"), 200, f"GET /posts/{post_id} after the rejected PUT")
    check_equal(stored, created, "the post after a rejected update")


@title("DELETE /posts/{id} answers 204 and the post is gone")
@points(2)
@hint("Remove the post and answer 204 with an empty body; afterwards GET and DELETE on its id answer 404.")
def test_delete_post(app, rng):
    created = _create(app, _post_body(rng))
    post_id = created["id"]
    with checkpoint("DELETE answered 204", points=1):
        r = app.delete(f"/posts/{post_id}")
        check_equal(r.status_code, 204, f"the status code of DELETE /posts/{post_id}")
        check_equal(r.content, b"", f"the body of DELETE /posts/{post_id}")
    _check_error(app.get(f"/posts/{post_id}"), 404, f"GET /posts/{post_id} after the delete")
    _check_error(app.delete(f"/posts/{post_id}"), 404, f"a second DELETE /posts/{post_id}")


@title("GET /posts lists every post, oldest first")
@points(2)
@hint(
    "Answer 200 with a JSON array of all the posts, ordered by id from smallest to largest, "
    "each the same object GET /posts/{id} answers."
)
def test_list_posts(app, rng):
    created = [_create(app, _post_body(rng)) for _ in range(rng.randint(3, 5))]
    data = _json(app.get("/posts"), 200, "GET /posts")
    check(
        isinstance(data, list) and all(isinstance(p, dict) for p in data),
        "expected GET /posts to answer a JSON array of objects",
        got=data,
    )
    ids = [p.get("id") for p in data]
    wanted = {p["id"] for p in created}
    check_equal([p for p in data if p.get("id") in wanted], created, "the posts just created, as listed")
    check(all(isinstance(i, int) for i in ids), 'expected every listed post to have an integer "id"', got=ids)
    check(ids == sorted(ids), "expected GET /posts to list the posts by ascending id", got=ids)


@title("GET /posts?term= finds posts by title, content or category")
@points(2)
@hint(
    "Keep a post when the term appears anywhere inside its title, its content or its category "
    '(a substring, like SQL\'s LIKE "%term%"); tags are not searched.'
)
def test_search_posts(app, rng):
    token = _token(rng)
    word = f"{rng.choice(WORDS)}{token}{rng.choice(WORDS)}"  # the term sits inside a longer word
    in_title = _create(app, _post_body(rng, title=f"All about {word}"))
    _create(app, _post_body(rng))
    in_content = _create(app, _post_body(rng, content=f"Today I wrote about {word} again."))
    in_category = _create(app, _post_body(rng, category=f"{rng.choice(CATEGORIES)} {word}"))
    _create(app, _post_body(rng, tags=[word]))  # only a tag: must not be found
    expected = [in_title["id"], in_content["id"], in_category["id"]]
    check_equal(_search_ids(app, token), expected, f"the ids GET /posts?term={token} answered")


@title("The search ignores upper and lower case")
@points(1)
@hint(
    'Compare lower-cased text: term "QuArTz" must find a post titled "quartz notes" and one '
    'whose content says "QUARTZ".'
)
def test_search_case_insensitive(app, rng):
    token = _token(rng)
    upper = _create(app, _post_body(rng, title=f"Notes on {token.upper()}"))
    _create(app, _post_body(rng))
    capital = _create(app, _post_body(rng, content=f"{token.capitalize()} is today's subject."))
    term = token[0] + token[1].upper() + token[2:]  # "qUartz48213": matches neither exactly
    check_equal(_search_ids(app, term), [upper["id"], capital["id"]], f"the ids GET /posts?term={term} answered")
