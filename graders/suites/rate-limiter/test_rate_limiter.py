"""Grader suite for the stage 5 exercise rate-limiter (see the exercise's README for the brief)."""

import json
import os
import re
import string
import time

from stagecraft_grader import (
    GraderError,
    check,
    check_equal,
    checkpoint,
    deadline,
    hint,
    not_graded,
    points,
    run_concurrently,
    title,
)
from stagecraft_grader.shapes import field, unwrap

KEY_RE = re.compile(r"[A-Za-z0-9_-]{16,128}")
# The Redis sidecar shares the app's loopback; REDIS_URL only for running the suite by hand.
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379")
# The tests that check what the preconditions below only need to work: a precondition that cannot
# be met skips the test (worth nothing) and names the test to make pass first (no cascades).
CREATE_KEY = '"POST /keys creates an API key and answers 201"'


def _json(r, status, what):
    check_equal(r.status_code, status, f"the status code of {what}")
    check_equal(r.content_type, "application/json", f"the Content-Type media type of {what}")
    data = r.json()
    check(isinstance(data, dict), f"expected a JSON object from {what}", got=data)
    return data


def _error(r, status, what):
    data = _json(r, status, what)
    check(isinstance(data.get("error"), str), f'expected a JSON object with a string "error" from {what}', got=data)


def _create_key(app, limit, window, *, strict=False):
    """POST /keys: the new API key.

    `strict` checks the answer as the brief pins it (201, JSON, a "key" of 16 to 128 URL-safe
    characters), for the create test; as a precondition of another test any 2xx with a key in it
    will do, or the test is skipped.
    """
    body = {"limit": limit, "window_seconds": window}
    what = f"POST /keys with {json.dumps(body)}"
    r = app.post("/keys", json=body)
    if strict:
        data = _json(r, 201, what)
        key = data.get("key")
        check(
            isinstance(key, str) and KEY_RE.fullmatch(key) is not None,
            'expected "key" to be a string of 16 to 128 characters from A-Z, a-z, 0-9, "-" and "_"',
            got=data,
        )
        return key
    try:
        data = unwrap(json.loads(r.content), ("key", "api_key", "apiKey"))
    except ValueError:
        data = None
    key = field(data, "key", "api_key") if data is not None and 200 <= r.status_code < 300 else None
    if not isinstance(key, str) or not key.strip():
        not_graded(
            f"this test needs {what} to answer a new API key (it answered {r.status_code} {r.text[:100]!r}): "
            f"make the test {CREATE_KEY} pass first"
        )
    return key


def _ping(app, key, **kwargs):
    return app.get("/api/ping", headers={} if key is None else {"X-API-Key": key}, **kwargs)


def _int_header(r, name, what):
    value = r.headers.get(name)
    check(value is not None, f"expected a {name} header on {what}", got=f"no {name} header")
    check(value.strip().isdigit(), f"expected the {name} header of {what} to be a whole number", got=value)
    return int(value)


def _allowed(r, limit, remaining, what, *, strict=False):
    """Check a request that the limit lets through.

    `strict` checks the whole answer as the brief pins it ({"ok": true}, X-RateLimit-Limit and
    X-RateLimit-Remaining), for the test about allowed requests. Otherwise the request must be let
    through (200) and, when the app sends X-RateLimit-Remaining, it must count right; whether the
    headers and the body are there at all is that test's to check.
    """
    if strict:
        check_equal(_json(r, 200, what), {"ok": True}, f"the JSON body of {what}")
        check_equal(_int_header(r, "X-RateLimit-Limit", what), limit, f"the X-RateLimit-Limit header of {what}")
        check_equal(_int_header(r, "X-RateLimit-Remaining", what), remaining, f"the X-RateLimit-Remaining of {what}")
        return
    check_equal(r.status_code, 200, f"the status code of {what} (within the limit)")
    value = (r.headers.get("X-RateLimit-Remaining") or "").strip()
    if value.isdigit():
        check_equal(int(value), remaining, f"the X-RateLimit-Remaining of {what}")


def _spend(app, key, limit, count, first=0, *, strict=False):
    """Send `count` requests that must all pass, the first of them number `first + 1` in the window."""
    for i in range(first, first + count):
        _allowed(_ping(app, key), limit, limit - i - 1, f"request {i + 1} of {limit} in the window", strict=strict)


def _refused(r, what):
    """A request past the limit: 429 (the error body and headers are the 429 test's to check)."""
    check_equal(r.status_code, 429, f"the status code of {what} (past the limit)")


def _random_key(rng):
    return "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(32))


@title("POST /keys creates an API key and answers 201")
@points(2)
@hint(
    'Validate the body, make a random key (secrets.token_urlsafe(24), crypto.randomBytes(24).toString("base64url")), '
    'store its limit and window in Redis and answer 201 with {"key": "<the key>"}. Every call makes a new key.'
)
def test_create_key(app, rng):
    keys = [_create_key(app, rng.randint(1, 1000), rng.randint(1, 3600), strict=True) for _ in range(2)]
    keys.append(_create_key(app, 1000, 3600, strict=True))  # the largest values allowed
    check_equal(len(set(keys)), len(keys), f"the number of distinct keys among {keys}")


@title("POST /keys with an invalid body answers 400")
@points(1)
@hint(
    'Accept only a JSON object whose "limit" is a whole number from 1 to 1000 and whose "window_seconds" is '
    'a whole number from 1 to 3600 (not a string, not true, not 2.5); answer anything else 400 with {"error": "..."}.'
)
def test_create_key_invalid_400(app, rng):
    limit, window = rng.randint(1, 1000), rng.randint(1, 3600)
    cases = [
        ("an empty object", {}),
        ("no window_seconds", {"limit": limit}),
        ("no limit", {"window_seconds": window}),
        ("limit 0", {"limit": 0, "window_seconds": window}),
        ("limit 1001", {"limit": 1001, "window_seconds": window}),
        ("window_seconds 0", {"limit": limit, "window_seconds": 0}),
        ("window_seconds 3601", {"limit": limit, "window_seconds": 3601}),
        ("a negative limit", {"limit": -limit, "window_seconds": window}),
        ("limit as a string", {"limit": str(limit), "window_seconds": window}),
        ("limit 2.5", {"limit": 2.5, "window_seconds": window}),
        ("window_seconds true", {"limit": limit, "window_seconds": True}),
        ("an array", [limit, window]),
    ]
    for what, body in cases:
        _error(app.post("/keys", json=body), 400, f"POST /keys with {what} ({json.dumps(body)})")
    r = app.post("/keys", content=f"limit={limit}", headers={"Content-Type": "application/json"})
    _error(r, 400, "POST /keys with a body that is not JSON")
    _create_key(app, 1, 1)  # the smallest values allowed still create a key


@title("Requests within the limit answer 200 and count down X-RateLimit-Remaining")
@points(2)
@hint(
    'Each allowed GET /api/ping answers 200 with {"ok": true}, X-RateLimit-Limit: <limit> and '
    "X-RateLimit-Remaining: <requests left in this window after this one>: limit - 1 for the first, 0 for the last."
)
def test_requests_within_limit(app, rng):
    limit = rng.randint(3, 10)
    key = _create_key(app, limit, rng.randint(600, 3600))
    _spend(app, key, limit, limit, strict=True)


@title("Past the limit, requests answer 429 with Retry-After and the rate-limit headers")
@points(2)
@hint(
    'Once a key has used its limit, answer 429 with {"error": "..."}, X-RateLimit-Limit, X-RateLimit-Remaining: 0 '
    "and Retry-After: the whole seconds until the window ends (the counter's TTL, rounded up, at least 1)."
)
def test_over_limit_429(app, rng):
    limit, window = rng.randint(2, 8), rng.randint(600, 3600)
    key = _create_key(app, limit, window)
    _spend(app, key, limit, limit)
    for n in (1, 2):
        what = f"request {limit + n} with a limit of {limit}"
        r = _ping(app, key)
        _error(r, 429, what)
        check_equal(_int_header(r, "X-RateLimit-Limit", what), limit, f"the X-RateLimit-Limit header of {what}")
        check_equal(_int_header(r, "X-RateLimit-Remaining", what), 0, f"the X-RateLimit-Remaining of {what}")
        retry = _int_header(r, "Retry-After", what)
        check(
            window - 60 <= retry <= window,
            f"expected Retry-After to be the seconds left in a {window}-second window that began a moment ago",
            got=retry,
            expected=f"between {window - 60} and {window}",
        )


@title("Every API key has its own limit and its own count")
@points(1)
@hint(
    "Keep one counter per API key (a Redis key such as ratelimit:<api key>), and read each key's own limit: "
    "using up one key must not touch another."
)
def test_keys_independent(app, rng):
    limit_a = rng.randint(2, 5)
    limit_b = limit_a + rng.randint(1, 5)
    window = rng.randint(600, 3600)
    key_a, key_b = _create_key(app, limit_a, window), _create_key(app, limit_b, window)
    _spend(app, key_a, limit_a, limit_a)
    _refused(_ping(app, key_a), f"request {limit_a + 1} of the first key (limit {limit_a})")
    used = rng.randint(1, limit_b - 1)
    _spend(app, key_b, limit_b, used)
    _refused(_ping(app, key_a), "the first key, still past its limit")
    _spend(app, key_b, limit_b, limit_b - used, first=used)


@title("A missing or unknown API key answers 401")
@points(1)
@hint(
    "GET /api/ping without an X-API-Key header, or with a key your app never issued, answers 401 (not 403) "
    'with {"error": "..."}; a key from POST /keys answers 200.'
)
def test_missing_or_unknown_key_401(app, rng):
    _error(_ping(app, None), 401, "GET /api/ping without an X-API-Key header")
    unknown = _random_key(rng)
    _error(_ping(app, unknown), 401, f"GET /api/ping with the unknown key {unknown}")
    limit = rng.randint(2, 10)
    key = _create_key(app, limit, rng.randint(600, 3600))
    _allowed(_ping(app, key), limit, limit - 1, "GET /api/ping with a key from POST /keys")


@title("The window ends window_seconds after its first request, and the full limit is back")
@points(3)
@deadline(40)
@hint(
    "Give the counter an expiry of window_seconds when the window's first request creates it (INCR, then EXPIRE "
    "when INCR returned 1; or SET counter 0 EX window NX, then INCR), and never push it back. When it expires "
    "the next request starts a new window."
)
def test_window_reset(app, rng):
    limit, window = rng.randint(2, 4), rng.choice([2, 3])
    for _ in range(3):  # on a very slow machine the window may close before the limit is used up: try again
        key = _create_key(app, limit, window)
        start = time.monotonic()
        _spend(app, key, limit, limit)
        r = _ping(app, key)
        if r.status_code == 429 or time.monotonic() - start < window:
            break
    _refused(r, f"request {limit + 1} of {limit} in a {window}-second window")
    while True:
        time.sleep(0.2)
        r = _ping(app, key)
        waited = time.monotonic() - start
        if r.status_code != 429 or waited > window + 10:
            break
    check(
        r.status_code != 429,
        f"expected the limit to be lifted {window} s after the window's first request, but it was still in force "
        f"after {waited:.1f} s",
        got=r.status_code,
    )
    check(
        waited >= window - 0.1,
        f"expected the window to last {window} s from its first request, but a request was let through after only "
        f"{waited:.2f} s",
    )
    _allowed(r, limit, limit - 1, "the first request of the new window")


@title("Requests that arrive at the same moment are counted exactly")
@points(2)
@hint(
    "Count with one atomic Redis command (INCR, in a MULTI with the expiry if you like) and decide from the value "
    "it returns; reading the count, checking it and writing it back lets simultaneous requests slip through."
)
def test_concurrent_requests(app, rng):
    limit, extra = rng.randint(5, 12), rng.randint(3, 8)
    key = _create_key(app, limit, rng.randint(600, 3600))
    results = run_concurrently(lambda i: _ping(app, key, timeout=15), limit + extra, timeout=20)
    responses = [result.result() for result in results]
    statuses = [r.status_code for r in responses]
    check(set(statuses) <= {200, 429}, "expected every answer to be 200 or 429", got=statuses)
    check_equal(statuses.count(200), limit, f"the number of 200 answers among {limit + extra} simultaneous requests")
    values = [(r.headers.get("X-RateLimit-Remaining") or "").strip() for r in responses if r.status_code == 200]
    if all(value.isdigit() for value in values):  # whether the header is there is another test's to check
        remaining = sorted(int(value) for value in values)
        check_equal(remaining, list(range(limit)), "the X-RateLimit-Remaining values of the 200 answers, sorted")


@title("Keys and counts survive a restart of the app")
@points(3)
@hint(
    "Keep the keys and the counters in Redis, never only in your process's memory: after a restart (or on "
    "another copy of the app) a key keeps working and its window goes on where it was."
)
def test_state_survives_restart(app, app_control, rng):
    limit = rng.randint(6, 12)
    key = _create_key(app, limit, rng.randint(600, 3600))
    used = rng.randint(2, limit - 2)
    _spend(app, key, limit, used)
    app_control.restart()
    with checkpoint("the key still works after the restart", points=1):
        r = _ping(app, key)
        check(r.status_code != 401, "expected the key to be known after the restart", got=r.status_code)
    _allowed(r, limit, limit - used - 1, f"request {used + 1} of {limit}, the first after the restart")
    _spend(app, key, limit, limit - used - 1, first=used + 1)
    _refused(_ping(app, key), f"request {limit + 1} of {limit} (partly before, partly after the restart)")


@title("The counter is kept in Redis")
@points(1)
@hint(
    "Count each key's requests with INCR on a Redis key whose name contains the API key (ratelimit:<api key>), "
    "so that every copy of your app sees the same count."
)
def test_state_in_redis(app, rng):
    import redis  # the grader image has the client; imported here so the suite loads without it

    limit = rng.randint(10, 40)
    key = _create_key(app, limit, rng.randint(600, 3600))
    used = rng.randint(2, limit - 1)
    _spend(app, key, limit, used)
    try:
        with redis.Redis.from_url(REDIS_URL, decode_responses=True, socket_timeout=5) as client:
            names = sorted(name for name in client.scan_iter(count=1000) if key in name)
            values = {name: client.get(name) for name in names if client.type(name) == "string"}
    except redis.RedisError as exc:
        raise GraderError(f"could not read the Redis sidecar: {exc}") from exc
    check(names, f"expected Redis to hold a key whose name contains the API key {key}", got="no such key")
    check(
        str(used) in values.values(),
        f"expected a Redis string whose name contains the API key to hold the count, {used}, after {used} requests",
        got=values or names,
    )
