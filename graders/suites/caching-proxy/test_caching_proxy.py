"""Grader suite for the stage 5 exercise caching-proxy (see the exercise's README for the brief).

The `origin` fixture (conftest.py) is the server the proxy forwards to. Every test uses its own
random paths, so the tests never share a cache entry.
"""

import json

from stagecraft_grader import check, check_equal, checkpoint, hint, points, title

WORDS = ["amber", "falcon", "river", "copper", "meadow", "quartz", "lantern", "orbit", "willow", "cedar"]


def _target(rng, kind, test):
    """A fresh request target under /<kind>/, e.g. /api/hit-falcon-4821."""
    return f"/{kind}/{test}-{rng.choice(WORDS)}-{rng.randint(1000, 99999)}"


def _query(rng):
    return f"color={rng.choice(WORDS)}&page={rng.randint(1, 99)}&q=two%20words"


def _x_cache(r):
    return r.headers.get("x-cache", "").strip()


def _check_x_cache(r, expected, what):
    check(
        _x_cache(r) == expected,
        f'expected the header "X-Cache: {expected}" on {what}',
        got=f"X-Cache: {_x_cache(r)}" if "x-cache" in r.headers else "no X-Cache header",
    )


def _check_forwarded(r, origin, method, target, what):
    """The proxy's answer is the origin's last answer to `method target`: status, Content-Type, body."""
    sent = origin.last_sent(method, target)
    check(
        sent is not None,
        f"expected your proxy to forward {what} to the origin as {method} {target} (path and query unchanged), "
        "but the origin never received it",
    )
    status, content_type, body = sent
    check_equal(r.status_code, status, f"the status code of {what} (the origin answered {status})")
    check_equal(
        r.headers.get("content-type"), content_type, f"the Content-Type of {what} (the origin sent {content_type})"
    )
    check(r.content == body, f"expected the body of {what} to be the origin's body {body.decode()!r}", got=r.text)


def _check_calls(origin, method, target, expected, what):
    check_equal(origin.calls(method, target), expected, f"the number of requests the origin got for {what}")


@title("GET requests are forwarded: path, query, status, body and Content-Type")
@points(2)
@hint(
    "Send the request to the origin with the same method, path and query string "
    "(origin + the raw request path, e.g. http://127.0.0.1:9000/api/x?page=2), then answer with the "
    "origin's status code, body and Content-Type header."
)
def test_forwards_get(app, origin, rng):
    for kind in ("api", "pages", "files"):
        target = f"{_target(rng, kind, 'forward')}?{_query(rng)}"
        _check_forwarded(app.get(target), origin, "GET", target, f"GET {target}")


@title("An error status from the origin is passed through (404 stays 404)")
@points(1)
@hint(
    "Answer with the origin's status code and body even when it is not 200. In Python, urllib.request "
    "raises HTTPError for a 404: catch it, and read its .code, .headers and .read() like a response."
)
def test_forwards_status(app, origin, rng):
    target = _target(rng, "missing", "status")
    _check_forwarded(app.get(target), origin, "GET", target, f"GET {target}")


@title("The first GET is a MISS, the same GET again is a HIT with the same answer")
@points(2)
@hint(
    'Keep a dictionary from "GET <path>?<query>" to the origin\'s status, Content-Type and body. '
    "Answer from it when the key is there (X-Cache: HIT), otherwise ask the origin, store a 200 answer, "
    "and send it with X-Cache: MISS."
)
def test_miss_then_hit(app, origin, rng):
    target = f"{_target(rng, rng.choice(['api', 'pages', 'files']), 'hit')}?{_query(rng)}"
    first = app.get(target)
    _check_forwarded(first, origin, "GET", target, f"the first GET {target}")
    _check_x_cache(first, "MISS", f"the first GET {target}")
    second = app.get(target)
    _check_x_cache(second, "HIT", f"the second GET {target}")
    check_equal(second.status_code, first.status_code, f"the status code of the second GET {target}")
    check_equal(
        second.headers.get("content-type"),
        first.headers.get("content-type"),
        f"the Content-Type of the second GET {target}",
    )
    check(
        second.content == first.content,
        f"expected the second GET {target} to return the cached body {first.text!r} (the origin answers "
        "differently every time, so another body means it was asked again)",
        got=second.text,
    )


@title("A cache hit does not ask the origin")
@points(2)
@hint(
    "Look the key up in the cache before you contact the origin, and only contact it on a miss: "
    "the grader counts the requests the origin gets."
)
def test_hit_skips_origin(app, origin, rng):
    target = f"{_target(rng, 'api', 'skip')}?{_query(rng)}"
    times = rng.randint(3, 5)
    answers = [app.get(target) for _ in range(times)]
    check_equal(answers[0].status_code, 200, f"the status code of GET {target}")
    for n, r in enumerate(answers[1:], start=2):
        _check_x_cache(r, "HIT", f"GET {target} number {n}")
    _check_calls(origin, "GET", target, 1, f"GET {target}, sent {times} times to your proxy")


@title("Different query strings are different cache entries")
@points(2)
@hint(
    "Make the cache key the method plus the whole request target, query string included: "
    "/api/x?page=1 and /api/x?page=2 are different pages."
)
def test_query_string_separate(app, origin, rng):
    path = _target(rng, "api", "query")
    first_page, second_page = rng.sample(range(1, 50), 2)
    one, two = f"{path}?page={first_page}", f"{path}?page={second_page}"
    with checkpoint("the second query string is a MISS with its own answer", points=1):
        r1 = app.get(one)
        _check_forwarded(r1, origin, "GET", one, f"GET {one}")
        r2 = app.get(two)
        _check_x_cache(r2, "MISS", f"GET {two} (after GET {one})")
        _check_forwarded(r2, origin, "GET", two, f"GET {two} (after GET {one})")
    again = app.get(one)
    _check_x_cache(again, "HIT", f"GET {one} again")
    check(again.content == r1.content, f"expected GET {one} again to return its own cached body", got=again.text)


@title("POST requests are forwarded every time, with their body, and never cached")
@points(2)
@hint(
    "Only GET answers go into the cache. Forward a POST with its method, body and Content-Type, "
    "and answer the origin's response with X-Cache: MISS, every time."
)
def test_post_not_cached(app, origin, rng):
    target = _target(rng, "api", "post")
    payloads = [{"name": rng.choice(WORDS), "n": rng.randint(1, 10**6), "round": i} for i in (1, 2)]
    for i, payload in enumerate(payloads, start=1):
        what = f"POST {target} number {i}"
        r = app.post(target, json=payload)
        _check_x_cache(r, "MISS", what)
        _check_forwarded(r, origin, "POST", target, what)
        echoed = r.json()
        check_equal(json.loads(echoed.get("received") or "null"), payload, f"the body the origin received for {what}")
        check_equal(
            (echoed.get("contentType") or "").split(";")[0].strip().lower(),
            "application/json",
            f"the Content-Type the origin received for {what}",
        )
    _check_calls(origin, "POST", target, 2, f"two POST {target}")


@title("A 404 from the origin is not cached")
@points(1)
@hint(
    "Store only answers with status 200: an error may be gone a moment later. A 404 is forwarded "
    "every time, with X-Cache: MISS."
)
def test_not_found_not_cached(app, origin, rng):
    target = _target(rng, "missing", "notfound")
    for n in (1, 2):
        r = app.get(target)
        check_equal(r.status_code, 404, f"the status code of GET {target} number {n}")
        _check_x_cache(r, "MISS", f"GET {target} number {n}")
    _check_calls(origin, "GET", target, 2, f"GET {target}, sent twice to your proxy")


@title("The cache lives in memory: after a restart it starts empty")
@points(2)
@hint(
    "Keep the cache in the process's memory (a dict or a Map), not in a file: when the app restarts, "
    "the first GET of a page is a MISS again."
)
def test_restart_starts_cold(app, app_control, origin, rng):
    target = f"{_target(rng, 'pages', 'restart')}?{_query(rng)}"
    with checkpoint("the page is cached before the restart", points=1):
        check_equal(app.get(target).status_code, 200, f"the status code of GET {target}")
        _check_x_cache(app.get(target), "HIT", f"the second GET {target}")
    app_control.restart()
    r = app.get(target)
    _check_x_cache(r, "MISS", f"GET {target} after the restart")
    _check_forwarded(r, origin, "GET", target, f"GET {target} after the restart")
