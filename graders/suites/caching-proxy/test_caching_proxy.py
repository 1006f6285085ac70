"""Grader suite for the stage 5 exercise caching-proxy (see the exercise's README for the brief).

The public spec is roadmap.sh's Caching Proxy (https://roadmap.sh/projects/caching-server): a CLI
`caching-proxy --port <number> --origin <url>` starts a proxy that forwards each request to the
origin, returns "the response along with headers", marks it `X-Cache: HIT` or `X-Cache: MISS`,
and answers a repeated request from its cache. Spec tests check that and nothing more; what the
spec leaves open (other methods, error statuses, where the cache lives, expiry, how
`--clear-cache` reaches the cache) is accepted whichever way it goes, and the brief's own
practice (only 200 GET answers cached, POSTs forwarded every time, the origin's other headers
passed on) is in craft tests.

The `origin` fixture (conftest.py) is the server the proxy forwards to. Every test uses its own
random paths, so the tests never share a cache entry, and no test restarts the proxy: a cache that
lives in a file or in Redis and survives a restart is as right as one in memory. Tests that may
crash a fragile proxy (a 404, a POST) come last, so a crash there costs no other test.
"""

import json

from stagecraft_grader import check, check_equal, checkpoint, craft, fail, hint, not_graded, points, spec, title

TOKEN_HEADER = "X-Origin-Token"  # sent by the origin (conftest.py) with every answer

WORDS = ["amber", "falcon", "river", "copper", "meadow", "quartz", "lantern", "orbit", "willow", "cedar"]

FORWARD = (
    "the caching proxy server should forward requests to http://dummyjson.com/products, return the response "
    "along with headers and cache the response"
)
X_CACHE = (
    "add the headers to the response that indicate whether the response is from the cache or the server: "
    "X-Cache: HIT if the response is from the cache, X-Cache: MISS if it is from the origin server"
)
REPEAT = (
    "If the same request is made again, the caching proxy server should return the cached response instead of "
    "forwarding the request to the server"
)


def _target(rng, kind, test):
    """A fresh request target under /<kind>/, e.g. /api/hit-falcon-4821."""
    return f"/{kind}/{test}-{rng.choice(WORDS)}-{rng.randint(1000, 99999)}"


def _query(rng):
    return f"color={rng.choice(WORDS)}&page={rng.randint(1, 99)}&q=two%20words"


def _x_cache(r):
    return r.headers.get("x-cache", "").strip().upper()


def _shown_x_cache(r):
    if "x-cache" in r.headers:
        return f"X-Cache: {r.headers.get('x-cache')}"
    others = [f"{name}: {value}" for name, value in r.headers.items() if "cache" in name.lower()]
    return "no X-Cache header" + (f" (only {'; '.join(others)})" if others else "")


def _check_x_cache(r, expected, what):
    check(
        _x_cache(r) == expected,
        f'expected the header "X-Cache: {expected}" on {what}',
        got=_shown_x_cache(r),
    )


def _media(content_type):
    """The media type of a Content-Type value, without parameters: "application/json"."""
    return (content_type or "").split(";")[0].strip().lower()


def _same_body(content, content_type, body):
    """Whether `content` is `body`: the same bytes, or for JSON the same JSON value (re-serialised is fine)."""
    if content == body:
        return True
    if _media(content_type) == "application/json" or _media(content_type).endswith("+json"):
        try:
            return json.loads(content) == json.loads(body)
        except ValueError:
            return False
    return False


def _check_same_answer(r, status, content_type, body, what, source, *, headers=True):
    """`r` is the answer `source` gave: its status, its Content-Type media type (when `headers`), its body."""
    check_equal(r.status_code, status, f"the status code of {what} ({source} answered {status})")
    if headers:
        check(
            _media(r.headers.get("content-type")) == _media(content_type),
            f"expected the Content-Type of {what} to be {source}'s, {content_type}",
            got=r.headers.get("content-type", "no Content-Type header"),
        )
    check(
        _same_body(r.content, content_type, body),
        f"expected the body of {what} to be {source}'s body {body.decode(errors='replace')!r}",
        got=r.text,
    )


def _sent(origin, method, target, what):
    """The origin's last answer to `method target`; fails when the proxy never forwarded it there."""
    sent = origin.last_sent(method, target)
    if sent is None:
        path = target.split("?")[0]
        instead = origin.targets(method, path)
        check(
            False,
            f"expected your proxy to forward {what} to the origin as {method} {target} (the same path and query "
            "string), but the origin never received it"
            + (f"; it received {', '.join(instead)} instead" if instead else ""),
        )
    return sent


def _check_forwarded(r, origin, method, target, what, *, headers=False):
    """The proxy's answer is the origin's last answer to `method target`: status and body (and Content-Type).

    Only forwards_get checks the Content-Type (`headers=True`): the other tests are about other
    things, and a proxy that drops the origin's headers fails that one test for it.
    """
    sent = _sent(origin, method, target, what)
    _check_same_answer(r, sent.status, sent.content_type, sent.body, what, "the origin", headers=headers)


def _check_calls(origin, method, path, expected, what):
    """The origin got `expected` requests for `method path`, counted on the path whatever the query string."""
    check_equal(origin.calls_on_path(method, path), expected, f"the number of requests the origin got for {what}")


# --- What the public spec requires ----------------------------------------------------------


@title("GET requests are forwarded: path, query, status, body and Content-Type")
@points(2)
@spec(FORWARD)
@hint(
    "Send the request to the origin with the same method, path and query string "
    "(origin + the raw request path, e.g. http://127.0.0.1:9000/api/x?page=2), then answer with the "
    "origin's status code, body and Content-Type header."
)
def test_forwards_get(app, origin, rng):
    for kind in ("api", "pages", "files"):
        target = f"{_target(rng, kind, 'forward')}?{_query(rng)}"
        _check_forwarded(app.get(target), origin, "GET", target, f"GET {target}", headers=True)


@title("The first GET is a MISS, the same GET again is a HIT with the same answer")
@points(2)
@spec(X_CACHE)
@hint(
    'Keep a dictionary from "GET <path>?<query>" to the origin\'s status, Content-Type and body. '
    "Answer from it when the key is there (X-Cache: HIT), otherwise ask the origin, store the answer, "
    "and send it with X-Cache: MISS."
)
def test_miss_then_hit(app, origin, rng):
    # A plain query string: how a proxy copes with encoded characters is forwards_get's business.
    target = f"{_target(rng, rng.choice(['api', 'pages', 'files']), 'hit')}?page={rng.randint(1, 99)}"
    first = app.get(target)
    check_equal(first.status_code, 200, f"the status code of the first GET {target} (the origin answers 200)")
    _check_x_cache(first, "MISS", f"the first GET {target}")
    second = app.get(target)
    _check_x_cache(second, "HIT", f"the second GET {target}")
    _check_same_answer(
        second,
        first.status_code,
        first.headers.get("content-type", ""),
        first.content,
        f"the second GET {target}",
        "the first GET (the origin answers differently every time, so another answer means it was asked again)",
    )


@title("A cache hit does not ask the origin")
@points(2)
@spec(REPEAT)
@hint(
    "Look the key up in the cache before you contact the origin, and only contact it on a miss: "
    "the grader counts the requests the origin gets."
)
def test_hit_skips_origin(app, origin, rng):
    target = _target(rng, "api", "skip")  # no query string: forwarding one is forwards_get's business
    times = rng.randint(3, 5)
    answers = [app.get(target) for _ in range(times)]
    check_equal(answers[0].status_code, 200, f"the status code of GET {target} (the origin answers 200)")
    # Counted on the path, whatever query string the proxy may add: that is forwards_get's business.
    _check_calls(origin, "GET", target, 1, f"GET {target}, sent {times} times to your proxy")
    for n, r in enumerate(answers[1:], start=2):
        check(
            _same_body(r.content, r.headers.get("content-type"), answers[0].content),
            f"expected GET {target} number {n} to return the cached body {answers[0].text!r}",
            got=r.text,
        )


@title("Different query strings are different cache entries")
@points(2)
@spec(REPEAT + " (the same request: the same path and query string)")
@hint(
    "Make the cache key the method plus the whole request target, query string included: "
    "/api/x?page=1 and /api/x?page=2 are different pages."
)
def test_query_string_separate(app, origin, rng):
    path = _target(rng, "api", "query")
    first_page, second_page = rng.sample(range(1, 50), 2)
    one, two = f"{path}?page={first_page}", f"{path}?page={second_page}"
    with checkpoint("the second query string gets its own answer from the origin", points=1):
        r1 = app.get(one)
        _check_forwarded(r1, origin, "GET", one, f"GET {one}")
        r2 = app.get(two)
        check(
            origin.calls("GET", two) == 1,
            f"expected GET {two} (after GET {one}) to reach the origin: it is another page, not the same request, "
            "but the origin never received it",
            got=f"X-Cache: {r2.headers.get('x-cache')}, body {r2.text[:200]!r}",
        )
        _check_forwarded(r2, origin, "GET", two, f"GET {two} (after GET {one})")
    again = app.get(one)
    if origin.calls("GET", one) > 1 and not _same_body(again.content, again.headers.get("content-type"), r1.content):
        not_graded(f"GET {one} again reached the origin: your proxy does not cache it; make miss_then_hit pass first")
    check(
        _same_body(again.content, again.headers.get("content-type"), r1.content),
        f"expected GET {one} again to return its own cached body {r1.text!r}",
        got=again.text,
    )


# --- The brief's extra practice --------------------------------------------------------------


@title("The origin's other headers are passed on, on a MISS and on a HIT")
@points(1)
@craft(
    "A proxy should be invisible: clients rely on the origin's headers (Cache-Control, ETag, Set-Cookie, "
    "its own X- headers), so a proxy that keeps only Content-Type changes the API it stands in front of."
)
@hint(
    "Copy the origin's response headers to your answer (leave out hop-by-hop ones such as Connection and "
    "Transfer-Encoding, and set your own Content-Length), and store them in the cache with the body."
)
def test_forwards_origin_headers(app, origin, rng):
    target = _target(rng, "api", "headers")
    first = app.get(target)
    # The answer to the path, whatever query string the proxy may add: that is forwards_get's business.
    sent = origin.last_sent_on_path("GET", target)
    if sent is None:
        not_graded(f"GET {target} never reached the origin; make forwards_get pass first")
    check_equal(
        first.headers.get(TOKEN_HEADER), sent.token, f"the {TOKEN_HEADER} header the origin sent with GET {target}"
    )
    second = app.get(target)
    latest = origin.last_sent_on_path("GET", target).token  # the same as `sent` unless the origin was asked again
    check(
        second.headers.get(TOKEN_HEADER) in (sent.token, latest),
        f"expected the second GET {target} to carry the origin's {TOKEN_HEADER} header too "
        f"({sent.token!r}, kept in the cache with the body)",
        got=second.headers.get(TOKEN_HEADER, f"no {TOKEN_HEADER} header"),
    )


# Tests a fragile proxy may crash on (an origin 404, a POST) come last, so a crash costs no other test.


@title("An error status from the origin is passed through (404 stays 404)")
@points(1)
@spec(FORWARD + " (the response: its status code too)")
@hint(
    "Answer with the origin's status code and body even when it is not 200. In Python, urllib.request "
    "raises HTTPError for a 404: catch it, and read its .code, .headers and .read() like a response. "
    "With axios, read error.response; fetch does not throw."
)
def test_forwards_status(app, origin, rng):
    target = _target(rng, "missing", "status")
    first = app.get(target)
    _check_forwarded(first, origin, "GET", target, f"GET {target}")
    # Caching a 404 or not is the developer's choice; a repeat must still be the origin's 404.
    again = app.get(target)
    sent = origin.last_sent("GET", target)
    check_equal(again.status_code, 404, f"the status code of GET {target} again (the origin answers 404)")
    check(
        _same_body(again.content, again.headers.get("content-type"), first.content)
        or _same_body(again.content, again.headers.get("content-type"), sent.body),
        f"expected GET {target} again to return the origin's 404 body (cached or asked again)",
        got=again.text,
    )


@title("A 404 from the origin is not cached")
@points(1)
@craft(
    "An error is often gone a moment later (the page is created, the origin recovers): caching it would keep "
    "serving the error long after the origin has the answer."
)
@hint(
    "Store only answers with status 200: an error may be gone a moment later. A 404 is forwarded "
    "every time, with X-Cache: MISS."
)
def test_not_found_not_cached(app, origin, rng):
    target = _target(rng, "missing", "notfound")
    first = app.get(target)
    if first.status_code != 404:
        not_graded(f"GET {target} did not answer the origin's 404; make forwards_status pass first")
    second = app.get(target)
    check(
        _x_cache(second) != "HIT",
        f"expected GET {target} again to be answered by the origin, not from the cache",
        got=_shown_x_cache(second),
    )
    _check_calls(origin, "GET", target, 2, f"GET {target}, sent twice to your proxy")
    check_equal(second.status_code, 404, f"the status code of GET {target} number 2")


@title("POST requests are forwarded every time, with their body, and never cached")
@points(2)
@craft(
    "A POST changes something on the server: answering it from a cache drops the change and replays an old "
    "answer, so caches only ever keep safe requests (GET)."
)
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
        check(
            _x_cache(r) != "HIT",
            f"expected {what} to be answered by the origin, not from the cache",
            got=_shown_x_cache(r),
        )
        _check_forwarded(r, origin, "POST", target, what)
        echoed = json.loads(origin.last_sent("POST", target).body)
        try:
            received = json.loads(echoed.get("received") or "null")
        except ValueError:
            fail(f"expected the origin to receive the JSON body of {what}, got {echoed.get('received')!r}")
        check_equal(received, payload, f"the body the origin received for {what}")
        check_equal(
            _media(echoed.get("contentType")),
            "application/json",
            f"the Content-Type the origin received for {what}",
        )
    _check_calls(origin, "POST", target, 2, f"two POST {target}")
