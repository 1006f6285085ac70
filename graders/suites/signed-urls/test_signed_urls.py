"""Grader suite for the stage 9 exercise signed-urls (see the exercise's README for the brief).

The app gets API_TOKEN and SIGNING_SECRET from exercise.toml's [app_env], each a fresh random
token per job; the `app_env` fixture holds the values the app was given, so the suite can compute
the signatures itself (to check the app's, and to build URLs the app never issued, such as an
expired one). Every test uploads under its own random keys, so earlier tests' objects never matter.
"""

import hashlib
import hmac
import json
import time
from urllib.parse import parse_qs, urlsplit

from stagecraft_grader import check, check_equal, checkpoint, fail, hint, not_graded, points, title
from stagecraft_grader.shapes import field, unwrap

WORDS = ["amber", "falcon", "river", "copper", "meadow", "quartz", "lantern", "orbit", "willow", "cedar"]
EXTENSIONS = [".bin", ".png", ".pdf", ".json", ".tar.gz", ".txt", ""]
CONTENT_TYPES = [
    "image/png",
    "application/pdf",
    "application/octet-stream",
    "text/plain; charset=utf-8",
    "application/vnd.stagecraft.{word}+json",
    "application/x-{word}-{n}",
]
MAX_OBJECT = 1024 * 1024
TOLERANCE = 10  # seconds of leeway around "now + expires_in" (a loaded machine)
# The tests that check what the preconditions below only need to work: a precondition that cannot
# be met skips the test (worth nothing) and names the test to make pass first (no cascades).
URL_FORMAT = '"POST /presign answers a URL with the expiry time and the HMAC-SHA256 signature"'
ROUND_TRIP = '"An object uploaded with a PUT URL downloads with a GET URL: same bytes, same Content-Type"'


# -- helpers ---------------------------------------------------------------------------------------


def _key(rng, test):
    """A random key under `test`/, with up to two more folders, dashes, underscores and dots."""
    folders = [f"{rng.choice(WORDS)}{rng.choice(['', '-', '_'])}{rng.randint(1, 99)}" for _ in range(rng.randint(0, 2))]
    name = f"{rng.choice(WORDS)}-{rng.randint(1000, 999999)}{rng.choice(EXTENSIONS)}"
    return "/".join([test, *folders, name])


def _content_type(rng):
    return rng.choice(CONTENT_TYPES).format(word=rng.choice(WORDS), n=rng.randint(1, 99))


def _blob(rng, size=None):
    """Random bytes, every byte value possible (so not valid UTF-8, and with NUL and newline bytes)."""
    size = size if size is not None else rng.randint(200, 40_000)
    return bytes([0, 10, 13, 255]) + rng.randbytes(size - 4)


def _auth(token):
    return {"Authorization": f"Bearer {token}"}


def _sign(secret, method, key, expires):
    message = f"{method}\n{key}\n{expires}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def _url(key, expires, signature):
    return f"/objects/{key}?expires={expires}&signature={signature}"


def _parse(url):
    """The key, expires and signature of an /objects URL (missing parameters are "")."""
    parts = urlsplit(url)
    query = parse_qs(parts.query, keep_blank_values=True)
    return parts.path.removeprefix("/objects/"), query.get("expires", [""])[0], query.get("signature", [""])[0]


def _presign(app, app_env, method, key, expires_in=600, *, strict=False):
    """POST /presign with the right token; the returned URL (a string starting with /objects/).

    `strict` checks the answer as the brief pins it (200, {"url": "/objects/..."}), for the test
    about the URL; as a precondition of another test any 2xx with a URL in it will do (an absolute
    URL is cut to its path and query), or the test is skipped.
    """
    body = {"method": method, "key": key, "expires_in": expires_in}
    r = app.post("/presign", json=body, headers=_auth(app_env["API_TOKEN"]))
    if strict:
        check_equal(r.status_code, 200, f"the status code of POST /presign for {method} {key}")
        data = r.json()
        url = data.get("url") if isinstance(data, dict) else None
        check(
            isinstance(url, str) and url.startswith("/objects/"),
            'expected POST /presign to answer a JSON object with a "url" starting with /objects/',
            got=data,
        )
        return url
    try:
        data = unwrap(json.loads(r.content), ("url",))
    except ValueError:
        data = None
    url = field(data, "url") if data is not None and 200 <= r.status_code < 300 else None
    if isinstance(url, str) and "/objects/" in url:
        parts = urlsplit(url)
        url = parts.path + (f"?{parts.query}" if parts.query else "")
    if not isinstance(url, str) or not url.startswith("/objects/"):
        not_graded(
            f"this test needs POST /presign to answer a URL for {method} {key} (it answered {r.status_code} "
            f"{r.text[:100]!r}): make the test {URL_FORMAT} pass first"
        )
    return url


def _put_object(app, url, content, content_type):
    """Upload with a presigned PUT URL as a precondition: any 2xx will do, or the test is skipped."""
    r = app.put(url, content=content, headers={"Content-Type": content_type})
    if not 200 <= r.status_code < 300:
        not_graded(
            f"this test needs PUT {url} to store the object (it answered {r.status_code}): make the test "
            f"{ROUND_TRIP} pass first"
        )


def _upload(app, app_env, key, content, content_type):
    """Presign a PUT for `key` and upload `content`; return the presigned GET URL for it."""
    _put_object(app, _presign(app, app_env, "PUT", key), content, content_type)
    return _presign(app, app_env, "GET", key)


def _describe(r):
    """The status and a short view of the body: the text of JSON or text, else its size."""
    if r.content_type == "application/json" or r.content_type.startswith("text/"):
        return f"{r.status_code} {r.text[:200]!r}"
    return f"{r.status_code} with a body of {len(r.content)} bytes ({r.content_type or 'no Content-Type'})"


def _expect_403(r, what):
    check(r.status_code == 403, f"expected 403 for {what}", got=_describe(r))


def _expect_body(r, content, what):
    check_equal(r.status_code, 200, f"the status code of {what}")
    if r.content != content:
        fail(
            f"expected {what} to answer the {len(content)} bytes that were uploaded, "
            f"got {len(r.content)} bytes{' (different ones)' if len(r.content) == len(content) else ''}",
            expected=f"{len(content)} bytes starting with {content[:16].hex(' ')}",
        )


# -- POST /presign ---------------------------------------------------------------------------------


@title("POST /presign needs the Bearer token from $API_TOKEN")
@points(2)
@hint(
    'Read API_TOKEN from the environment and compare the whole header with "Bearer <API_TOKEN>": '
    "without the header, with another token or another scheme, answer 401. The value changes on every run."
)
def test_presign_requires_token(app, app_env, rng):
    token = app_env["API_TOKEN"]
    body = {"method": rng.choice(["PUT", "GET"]), "key": _key(rng, "auth"), "expires_in": rng.randint(60, 3600)}
    wrong = "".join(rng.choice("0123456789abcdef") for _ in range(len(token)))
    cases = [
        ("no Authorization header", {}),
        ("a wrong token", _auth(wrong)),
        ("the token with an extra character", _auth(token + rng.choice("abc"))),
        ("the token without the Bearer scheme", {"Authorization": token}),
        ("the token in Basic form", {"Authorization": f"Basic {token}"}),
    ]
    for what, headers in cases:
        r = app.post("/presign", json=body, headers=headers)
        check_equal(r.status_code, 401, f"the status code of POST /presign with {what}")
    r = app.post("/presign", json=body, headers=_auth(token))
    check_equal(r.status_code, 200, "the status code of POST /presign with the right token")


@title("POST /presign answers a URL with the expiry time and the HMAC-SHA256 signature")
@points(2)
@hint(
    'Answer {"url": "/objects/<key>?expires=<now + expires_in, unix seconds>&signature=<hex>"}, where the '
    'signature is the lowercase hex HMAC-SHA256 with key SIGNING_SECRET of "<METHOD>\\n<key>\\n<expires>".'
)
def test_presign_url_format(app, app_env, rng):
    for method in rng.sample(["PUT", "GET"], 2):
        key = _key(rng, "format")
        expires_in = rng.randint(30, 3600)
        before = time.time()
        url = _presign(app, app_env, method, key, expires_in, strict=True)
        after = time.time()
        parts = urlsplit(url)
        check_equal(parts.path, f"/objects/{key}", f"the path of the URL for {method} {key}")
        _, expires, signature = _parse(url)
        check(expires.isdigit(), f'expected an "expires" parameter of whole unix seconds in {url}', got=expires)
        low, high = int(before) + expires_in - TOLERANCE, int(after) + expires_in + TOLERANCE
        check(
            low <= int(expires) <= high,
            f'expected "expires" to be the current unix time plus expires_in={expires_in}, around {low + TOLERANCE}',
            got=expires,
        )
        expected = _sign(app_env["SIGNING_SECRET"], method, key, expires)
        check_equal(signature, expected, f'the "signature" of {url} (HMAC-SHA256 of "{method}\\n{key}\\n{expires}")')


@title("POST /presign refuses a malformed request with 400")
@points(1)
@hint(
    'Answer 400 unless the body is a JSON object with "method" "PUT" or "GET", a "key" of 1 to 200 '
    'characters from A-Z a-z 0-9 . _ / - not starting with "/", and an integer "expires_in" from 1 to 3600.'
)
def test_presign_bad_body_400(app, app_env, rng):
    key = _key(rng, "bad")
    good = {"method": "PUT", "key": key, "expires_in": 60}
    cases = [
        ("a method that is not PUT or GET", {**good, "method": rng.choice(["DELETE", "POST", "put", ""])}),
        ("no method", {"key": key, "expires_in": 60}),
        ("no key", {"method": "GET", "expires_in": 60}),
        ("an empty key", {**good, "key": ""}),
        ("a key of 201 characters", {**good, "key": "k" * 201}),
        ("a key with a space", {**good, "key": f"{rng.choice(WORDS)} {rng.choice(WORDS)}.txt"}),
        ("a key with a question mark", {**good, "key": f"{rng.choice(WORDS)}?x=1"}),
        ("a key starting with /", {**good, "key": f"/{key}"}),
        ("a key that is not a string", {**good, "key": rng.randint(1, 1000)}),
        ("expires_in 0", {**good, "expires_in": 0}),
        ("expires_in 3601", {**good, "expires_in": 3601}),
        ("a negative expires_in", {**good, "expires_in": -rng.randint(1, 100)}),
        ("expires_in as a string", {**good, "expires_in": str(rng.randint(10, 99))}),
        ("expires_in with a fraction", {**good, "expires_in": rng.randint(10, 99) + 0.5}),
        ("no expires_in", {"method": "PUT", "key": key}),
        ("a JSON array", [good]),
    ]
    headers = _auth(app_env["API_TOKEN"])
    for what, body in cases:
        r = app.post("/presign", json=body, headers=headers)
        check_equal(r.status_code, 400, f"the status code of POST /presign with {what}")
    r = app.post("/presign", content="method=PUT", headers={**headers, "Content-Type": "application/json"})
    check_equal(r.status_code, 400, "the status code of POST /presign with a body that is not JSON")
    r = app.post("/presign", json={**good, "expires_in": rng.choice([1, 3600])}, headers=headers)
    check_equal(r.status_code, 200, "the status code of POST /presign with a valid body (expires_in 1 or 3600)")


@title('POST /presign refuses a key with a ".." segment')
@points(1)
@hint(
    'Split the key on "/" and refuse it (400) if any part is exactly "..": such a key could climb out of '
    'your storage folder. Dots inside a name ("notes..v2.txt") are fine.'
)
def test_dot_dot_key_refused(app, app_env, rng):
    word = rng.choice(WORDS)
    keys = [
        "..",
        f"../{word}.txt",
        f"{word}/../../etc/passwd",
        f"{word}/{rng.randint(1, 99)}/..",
        f"{word}/../{word}-{rng.randint(1, 99)}",
    ]
    headers = _auth(app_env["API_TOKEN"])
    for key in rng.sample(keys, len(keys)):
        body = {"method": rng.choice(["PUT", "GET"]), "key": key, "expires_in": 60}
        r = app.post("/presign", json=body, headers=headers)
        check_equal(r.status_code, 400, f'the status code of POST /presign for the key "{key}"')
    key = f"{word}/notes..v{rng.randint(2, 9)}.txt"
    r = app.post("/presign", json={"method": "PUT", "key": key, "expires_in": 60}, headers=headers)
    check_equal(r.status_code, 200, f'the status code of POST /presign for the key "{key}" (no ".." segment)')


# -- uploads and downloads -------------------------------------------------------------------------


@title("An object uploaded with a PUT URL downloads with a GET URL: same bytes, same Content-Type")
@points(3)
@hint(
    "PUT /objects/<key>?expires=...&signature=... stores the raw body bytes and the request's Content-Type "
    "under DATA_DIR and answers 201; GET with a GET URL answers 200 with exactly those bytes (read and "
    "write in binary mode) and that Content-Type."
)
def test_upload_download_round_trip(app, app_env, rng):
    objects = [(_key(rng, "round-trip"), _blob(rng), _content_type(rng)) for _ in range(2)]
    urls = []
    with checkpoint("the uploads answered 201", points=1):
        for key, content, content_type in objects:
            url = _presign(app, app_env, "PUT", key)
            r = app.put(url, content=content, headers={"Content-Type": content_type})
            check_equal(r.status_code, 201, f"the status code of PUT {url} ({len(content)} bytes)")
            urls.append(_presign(app, app_env, "GET", key))
    responses = [app.get(url) for url in urls]
    with checkpoint("the downloads answered the same bytes", points=1):
        for url, (_, content, _), r in zip(urls, objects, responses, strict=True):
            _expect_body(r, content, f"GET {url}")
    with checkpoint("the downloads answered the same Content-Type", points=1):
        for url, (_, _, content_type), r in zip(urls, objects, responses, strict=True):
            got = r.headers.get("content-type", "")
            check_equal(got.strip(), content_type, f"the Content-Type of GET {url} (as sent with the PUT)")


@title("A valid GET URL for a key that holds no object answers 404")
@points(1)
@hint(
    "Check the signature first (403 if it is wrong); when it is right but nothing is stored under the key, answer 404."
)
def test_missing_object_404(app, app_env, rng):
    key = _key(rng, "missing")
    url = _presign(app, app_env, "GET", key)
    check_equal(app.get(url).status_code, 404, f"the status code of GET {url} (nothing was uploaded there)")


@title("An upload over 1 MiB is refused with 413; exactly 1 MiB is accepted")
@points(1)
@hint(
    "Accept bodies up to 1048576 bytes. For a longer one answer 413 (read the body or let your framework "
    "drain it, so the client can read your answer) and store nothing."
)
def test_size_limit_413(app, app_env, rng):
    big_key = _key(rng, "too-big")
    url = _presign(app, app_env, "PUT", big_key)
    size = MAX_OBJECT + rng.randint(1, 50_000)
    r = app.put(url, content=_blob(rng, size), headers={"Content-Type": "application/octet-stream"}, timeout=15)
    check_equal(r.status_code, 413, f"the status code of PUT {url} with {size} bytes")
    get_url = _presign(app, app_env, "GET", big_key)
    check_equal(app.get(get_url).status_code, 404, f"the status code of GET {get_url} after the refused upload")
    key = _key(rng, "exactly-1mib")
    url = _presign(app, app_env, "PUT", key)
    r = app.put(url, content=_blob(rng, MAX_OBJECT), headers={"Content-Type": "application/octet-stream"}, timeout=15)
    check_equal(r.status_code, 201, f"the status code of PUT {url} with exactly {MAX_OBJECT} bytes")


# -- what a signature protects ---------------------------------------------------------------------


@title("A URL signed for one key does not work for another key (403)")
@points(1)
@hint(
    "Recompute the signature from the key in the request's path, not from anything remembered, and "
    "answer 403 when it does not match, even if the other key exists."
)
def test_tampered_key_403(app, app_env, rng):
    first, second = _key(rng, "key-a"), _key(rng, "key-b")
    first_url = _upload(app, app_env, first, _blob(rng), "application/octet-stream")
    _upload(app, app_env, second, _blob(rng), "application/octet-stream")
    _, expires, signature = _parse(first_url)
    for other in (second, f"{first}.{rng.choice(WORDS)}"):
        url = _url(other, expires, signature)
        _expect_403(app.get(url), f"GET {url} (the query of the URL signed for {first})")


@title("Changing a URL's expiry time breaks its signature (403)")
@points(1)
@hint(
    'The expiry is part of the signed text "<METHOD>\\n<key>\\n<expires>": a client that moves it later must '
    'get 403. A missing or non-numeric "expires" is a 403 too.'
)
def test_tampered_expires_403(app, app_env, rng):
    key = _key(rng, "expires")
    url = _upload(app, app_env, key, _blob(rng), "application/octet-stream")
    _, expires, signature = _parse(url)
    later = int(expires) + rng.randint(1, 3600)
    cases = [
        (_url(key, later, signature), "an expiry moved later"),
        (_url(key, int(expires) - 1, signature), "an expiry moved 1 s earlier"),
        (f"/objects/{key}?signature={signature}", "no expires parameter"),
        (_url(key, rng.choice(WORDS), signature), "a non-numeric expires"),
    ]
    for tampered, what in cases:
        _expect_403(app.get(tampered), f"GET {tampered} ({what})")


@title("A wrong, truncated, empty or missing signature is refused (403)")
@points(2)
@hint(
    "Compare the whole signature with the one you compute, in constant time (hmac.compare_digest, "
    "crypto.timingSafeEqual after checking the lengths). A prefix of the right signature, or an empty "
    "one, must not pass."
)
def test_tampered_signature_403(app, app_env, rng):
    key = _key(rng, "signature")
    url = _upload(app, app_env, key, _blob(rng), "application/octet-stream")
    _, expires, signature = _parse(url)
    position = rng.randrange(len(signature))
    flipped = rng.choice([c for c in "0123456789abcdef" if c != signature[position]])
    cases = [
        (_url(key, expires, signature[:position] + flipped + signature[position + 1 :]), "one character changed"),
        (_url(key, expires, signature[: rng.randint(8, len(signature) - 1)]), "a truncated signature"),
        (_url(key, expires, ""), "an empty signature"),
        (f"/objects/{key}?expires={expires}", "no signature parameter"),
    ]
    for tampered, what in cases:
        _expect_403(app.get(tampered), f"GET {tampered} ({what})")


@title("A URL signed for PUT cannot GET, and one signed for GET cannot PUT (403)")
@points(2)
@hint(
    'The method is the first line of the signed text "<METHOD>\\n<key>\\n<expires>": verify with the '
    "request's own method, so an upload link cannot read the object and a download link cannot overwrite it."
)
def test_method_bound(app, app_env, rng):
    key = _key(rng, "method")
    content = _blob(rng)
    put_url = _presign(app, app_env, "PUT", key)
    _put_object(app, put_url, content, "application/octet-stream")
    _expect_403(app.get(put_url), f"GET {put_url} (a URL signed for PUT)")
    get_url = _presign(app, app_env, "GET", key)
    r = app.put(get_url, content=_blob(rng), headers={"Content-Type": "text/plain"})
    _expect_403(r, f"PUT {get_url} (a URL signed for GET)")
    _expect_body(app.get(get_url), content, f"GET {get_url} after the refused PUT (the object unchanged)")


@title("An expired URL is refused (403)")
@points(2)
@hint(
    'Refuse with 403 when the current unix time is past "expires", even though the signature is right '
    "(the grader signs these URLs itself with SIGNING_SECRET)."
)
def test_expired_url_403(app, app_env, rng):
    secret = app_env["SIGNING_SECRET"]
    key = _key(rng, "expired")
    _upload(app, app_env, key, _blob(rng), "application/octet-stream")
    for method in ("GET", "PUT"):
        expires = int(time.time()) - rng.randint(60, 86_400)
        url = _url(key, expires, _sign(secret, method, key, expires))
        r = app.request(method, url, content=_blob(rng) if method == "PUT" else None)
        _expect_403(r, f"{method} {url} (correctly signed, but it expired at {expires})")


# -- persistence -----------------------------------------------------------------------------------


@title("Objects, and the URLs issued for them, survive a restart")
@points(2)
@hint(
    "Keep the bytes and the Content-Type in files under DATA_DIR (not in memory). URLs issued before a "
    "restart stay valid: they depend only on SIGNING_SECRET, the key, the method and the expiry."
)
def test_data_survives_restart(app, app_env, app_control, rng):
    objects = [(_key(rng, "restart"), _blob(rng), _content_type(rng)) for _ in range(2)]
    urls = [_upload(app, app_env, key, content, content_type) for key, content, content_type in objects]
    app_control.restart()
    for url, (_, content, content_type) in zip(urls, objects, strict=True):
        r = app.get(url)
        _expect_body(r, content, f"GET {url} after the restart")
        check_equal(r.headers.get("content-type", "").strip(), content_type, f"the Content-Type of GET {url}")
