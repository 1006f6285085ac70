"""Grader suite for the stage 3 exercise url-shortener (see the exercise's README for the brief).

The exercise follows the public roadmap.sh spec (https://roadmap.sh/projects/url-shortening-service).
Spec tests check what that spec requires and accept every choice it leaves open: the record bare or
wrapped in one envelope, the id as a number or a string, camelCase or snake_case field names, any
code length and alphabet, any timestamp format, 400 or 422 for a validation error, an error body in
any shape. Craft tests check the extra practice our brief adds (6-character codes, strict URL
validation, ISO 8601 UTC timestamps, the spec's exact field names, JSON errors and Content-Type);
they never fail the exercise.

No cascades: the helpers that create a short URL or read a count (preconditions of other tests)
find the code and the URL in any shape an app answers, and skip the test with `not_graded` when
they truly cannot, so a wrong shape costs the one test that checks it.
"""

import json
import re
import time
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from stagecraft_grader import WORDS, check, check_equal, checkpoint, craft, hint, not_graded, points, spec, title
from stagecraft_grader.shapes import (
    VALIDATION,
    check_status,
    error_text,
    field,
    find_id,
    is_json,
    json_of,
    same_id,
    unwrap,
)

ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
CODE_RE = re.compile(r"[A-Za-z0-9]{6}")
HOSTS = ["example.com", "docs.example.org", "blog.example.net", "shop.example.io", "news.example.dev"]
SPEC_FIELDS = ("id", "url", "shortCode", "createdAt", "updatedAt")

# Where an app keeps the short code, the original URL and the count, whatever it names them: the
# helpers read all of these, the tests about the record's shape ask for the spec's names.
CODE_NAMES = ("shortCode", "code", "shortId", "short", "slug", "alias", "hash", "shortKey", "key")
SHORT_URL_NAMES = ("shortUrl", "shortLink", "shortenedUrl", "shortURL", "tinyUrl", "link")
URL_NAMES = ("url", "originalUrl", "longUrl", "fullUrl", "targetUrl", "destination", "redirectUrl", "original")
COUNT_NAMES = ("accessCount", "accessCounts", "accesses", "count", "clicks", "visits", "views", "hits")
RECORD_NAMES = (*CODE_NAMES, *SHORT_URL_NAMES, *URL_NAMES)

CREATE_RULE = (
    "POST /shorten with {url} returns a 201 Created status code with the newly created short URL: "
    "id, url, shortCode, createdAt, updatedAt."
)
VALIDATION_RULE = (
    "The endpoint should validate the request body and return a 400 Bad Request status code with error "
    "messages in case of validation errors."
)


def _random_url(rng):
    return (
        f"https://{rng.choice(HOSTS)}/{rng.choice(WORDS)}/{rng.choice(WORDS)}-{rng.randint(1000, 99999)}"
        f"?ref={rng.choice(WORDS)}{rng.randint(10, 99)}"
    )


def _random_code(rng):
    return "".join(rng.choice(ALPHABET) for _ in range(6))


# --- tolerant readers: the preconditions of every test ------------------------------------------


def _has_any(record, names):
    return any(field(record, name) is not None for name in names)


def _record_of(data, names=RECORD_NAMES):
    """The short URL record in an answer, bare or inside one envelope, or None."""
    return unwrap(data, looks_like=lambda value: _has_any(value, names))


def _parsed(r):
    try:
        return json.loads(r.content)
    except ValueError:
        return None


def _code_of(record):
    """The short code of a record under any common name; a short URL ("http://host/abc123") gives its last part."""
    if not isinstance(record, dict):
        return None
    value = field(record, *CODE_NAMES)
    if isinstance(value, (str, int)) and not isinstance(value, bool) and str(value).strip():
        return str(value).strip()
    value = field(record, *SHORT_URL_NAMES)
    if isinstance(value, str) and value.strip():
        last = urlsplit(value.strip()).path.rstrip("/").rsplit("/", 1)[-1]
        return last or None
    return None


def _url_of(record):
    """The original URL of a record under any common name, or None."""
    if not isinstance(record, dict):
        return None
    value = field(record, *URL_NAMES)
    return value if isinstance(value, str) else None


def _count_of(data):
    """The access count of a stats answer under any common name (bare or wrapped), or None."""
    record = unwrap(data, looks_like=lambda value: _has_any(value, COUNT_NAMES))
    if record is None:
        return None
    value = field(record, *COUNT_NAMES)
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return None


def _create(app, url, *, why="its tests"):
    """A precondition: create a short URL and return (code, record), in whatever shape the app answers."""
    r = app.post("/shorten", json={"url": url})
    if not 200 <= r.status_code < 300:
        not_graded(
            f"not graded yet: POST /shorten answered {r.status_code}, so there is no short URL to use for {why}; "
            "make the test create_short_url pass first"
        )
    record = _record_of(_parsed(r))
    code = _code_of(record)
    if code is None:
        not_graded(
            "not graded yet: POST /shorten answered no short code this grader could find "
            f"(under shortCode, short_code, code, shortUrl...), so there is nothing to use for {why}; "
            "make the test create_short_url pass first"
        )
    return code, record


def _current_url(app, code):
    """Which URL the app now gives for `code`: from GET (record or redirect), else from the stats; None if neither."""
    r = app.get(f"/shorten/{code}")
    if r.status_code == 200:
        url = _url_of(_record_of(_parsed(r)))
        if url is not None:
            return url
    if 300 <= r.status_code < 400 and r.headers.get("location"):
        return r.headers["location"]
    r = app.get(f"/shorten/{code}/stats")
    if r.status_code == 200:
        return _url_of(_record_of(_parsed(r)))
    return None


def _count(app, code):
    """The code's access count from GET .../stats under any name, or None when the stats do not give one."""
    r = app.get(f"/shorten/{code}/stats")
    if r.status_code != 200:
        return None
    return _count_of(_parsed(r))


def _visit(app, code, times):
    """GET the short code `times` times; whether GET answers correctly is the retrieve test's business."""
    for _ in range(times):
        app.get(f"/shorten/{code}")


def _timestamp(record, name):
    value = field(record, name)
    name = next((key for key in record if field({key: 0}, name) is not None), name)  # the app's own spelling
    check(isinstance(value, str), f'expected "{name}" to be an ISO 8601 string', got=value)
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        moment = None
    check(moment is not None, f'expected "{name}" to be an ISO 8601 date and time', got=value)
    check(
        moment.utcoffset() == timedelta(0),
        f'expected "{name}" to be in UTC (ending in "Z" or "+00:00")',
        got=value,
    )
    return moment


def _has_body(r):
    return bool(r.content.strip())


# --- spec tests: what the public spec requires ---------------------------------------------------


@title("POST /shorten creates a short URL and answers 201 with the record")
@points(2)
@spec(CREATE_RULE)
@hint(
    'Answer 201 with the new record: {"id", "url", "shortCode", "createdAt", "updatedAt"}, the url exactly '
    "as sent. snake_case names (short_code, created_at) and a record wrapped in one envelope are accepted."
)
def test_create_short_url(app, rng):
    url = _random_url(rng)
    r = app.post("/shorten", json={"url": url})
    check_status(r, 201, "POST /shorten", rule="201 Created")
    data = json_of(r, "POST /shorten")
    record = _record_of(data, ("shortCode", "url"))
    check(
        record is not None,
        'expected POST /shorten to answer the new short URL, e.g. {"url": ..., "shortCode": ...}',
        got=data,
    )
    check_equal(field(record, "url"), url, 'the "url" of the created short URL (the URL exactly as sent)')
    code = field(record, "shortCode")
    check(
        code is not None,
        'expected the created short URL to have a "shortCode" (or "short_code"), as in the spec\'s example',
        got=record,
    )
    check(
        isinstance(code, str) and code.strip() != "" and not re.search(r"[\s/?#]", code),
        '"shortCode" must be a non-empty string that fits in a path (no spaces, "/", "?" or "#")',
        got=code,
    )
    check(
        find_id(record) is not None, 'expected the created short URL to have an "id" (a number or a string)', got=record
    )
    missing = [name for name in ("createdAt", "updatedAt") if field(record, name) in (None, "")]
    check(
        not missing,
        f"expected the created short URL to have {' and '.join(missing)}, as in the spec's example",
        got=record,
    )


@title("POST /shorten without a url answers 400 with an error message")
@points(1)
@spec(VALIDATION_RULE)
@hint(
    'When the JSON body has no "url", answer 400 (422 is accepted too) with a message saying what is wrong, '
    'e.g. {"error": "url is required"}.'
)
def test_create_invalid_url_400(app, rng):
    for what, body in [("an empty JSON object", {}), ("no url field", {"link": _random_url(rng)})]:
        r = app.post("/shorten", json=body)
        what = f"POST /shorten with {what} ({json.dumps(body)})"
        check_status(r, VALIDATION, what, rule="400 Bad Request")
        check(_has_body(r), f"expected {what} to answer an error message, got an empty body")


@title("Every short URL gets its own random code and its own id")
@points(1)
@spec("Short codes must be unique and should be generated randomly.")
@hint(
    "Pick a random code for each new short URL (not a counter) and pick again if it is already taken "
    "(a UNIQUE column makes the database refuse a duplicate)."
)
def test_unique_short_codes(app, rng):
    created = [_create(app, _random_url(rng), why="comparing codes") for _ in range(6)]
    codes = [code for code, _ in created]
    check_equal(len(set(codes)), len(codes), f"the number of distinct codes among {codes}")
    ids = [find_id(record) for _, record in created]
    if all(i is not None for i in ids):
        check_equal(len({str(i) for i in ids}), len(ids), f"the number of distinct ids among {ids}")
    # A counter ("_1", "_2", "00000a", "00000b") changes only its last character from one code to
    # the next; random codes of even 4 characters almost never share all but their last one.
    steps = sum(1 for a, b in zip(codes, codes[1:], strict=False) if len(a) == len(b) and a[:-1] == b[:-1])
    check(
        steps < 3,
        f"expected random codes, got codes that count up one after another: {codes}",
    )


@title("GET /shorten/{shortCode} answers 200 with the original URL")
@points(2)
@spec(
    "GET /shorten/{shortCode} returns a 200 OK status code with the original URL (the short URL's record), "
    "not a redirect: your frontend redirects."
)
@hint(
    'Look the code up and answer 200 with the same record POST returned ({"id", "url", "shortCode", ...}); '
    "a redirect may live on another route, but this one answers JSON."
)
def test_retrieve_original_url(app, rng):
    urls = [_random_url(rng) for _ in range(2)]
    created = [(url, *_create(app, url, why="retrieving it")) for url in urls]
    for url, code, record in reversed(created):
        r = app.get(f"/shorten/{code}")
        check_status(r, 200, f"GET /shorten/{code}", rule="200 OK with the original URL, not a redirect")
        data = json_of(r, f"GET /shorten/{code}")
        got = _record_of(data)
        check(got is not None, f"expected GET /shorten/{code} to answer the short URL's record", got=data)
        check_equal(_url_of(got), url, f'the "url" of GET /shorten/{code}')
        if _code_of(got) is not None:
            check_equal(_code_of(got), code, f"the short code of GET /shorten/{code}")
        if find_id(got) is not None and find_id(record) is not None:
            check(
                same_id(find_id(got), find_id(record)),
                f'expected GET /shorten/{code} to answer the same "id" as POST did ({find_id(record)!r})',
                got=find_id(got),
            )


@title("An unknown short code answers 404")
@points(1)
@spec("GET, PUT, DELETE and GET .../stats return a 404 Not Found status code if the short URL was not found.")
@hint(
    "GET, PUT, DELETE and GET .../stats on a code that does not exist answer 404; the codes that do exist "
    "keep answering."
)
def test_unknown_code_404(app, rng):
    known, _ = _create(app, _random_url(rng), why="comparing a known code with an unknown one")
    code = _random_code(rng)
    while code == known:
        code = _random_code(rng)
    check_status(app.get(f"/shorten/{code}"), 404, f"GET /shorten/{code} (an unknown code)")
    check_status(app.get(f"/shorten/{code}/stats"), 404, f"GET /shorten/{code}/stats (an unknown code)")
    r = app.put(f"/shorten/{code}", json={"url": _random_url(rng)})
    check_status(r, 404, f"PUT /shorten/{code} (an unknown code)")
    check_status(app.delete(f"/shorten/{code}"), 404, f"DELETE /shorten/{code} (an unknown code)")
    r = app.get(f"/shorten/{known}")
    check(r.status_code != 404, f"expected GET /shorten/{known} (a code that exists) not to answer 404", got=404)


@title("PUT /shorten/{shortCode} changes the URL and keeps the code")
@points(2)
@spec("PUT /shorten/{shortCode} with {url} returns a 200 OK status code with the updated short URL.")
@hint(
    "Update the row, set updatedAt to now and answer 200 with the record: same id and shortCode, the new "
    "url. A later GET must give the new URL."
)
def test_update_url(app, rng):
    code, before = _create(app, _random_url(rng), why="updating it")
    new_url = _random_url(rng)
    with checkpoint("the update answered 200 with the updated record", points=1):
        r = app.put(f"/shorten/{code}", json={"url": new_url})
        check_status(r, 200, f"PUT /shorten/{code}", rule="200 OK with the updated short URL")
        data = json_of(r, f"PUT /shorten/{code}")
        after = _record_of(data)
        check(after is not None, f"expected PUT /shorten/{code} to answer the updated short URL", got=data)
        check_equal(_url_of(after), new_url, f'the "url" of PUT /shorten/{code}')
        if _code_of(after) is not None:
            check_equal(_code_of(after), code, f"the short code of PUT /shorten/{code} (unchanged)")
        if find_id(after) is not None and find_id(before) is not None:
            check(
                same_id(find_id(after), find_id(before)),
                f'expected PUT /shorten/{code} to keep the "id" ({find_id(before)!r})',
                got=find_id(after),
            )
    with checkpoint("the app now gives the new URL", points=1):
        check_equal(_current_url(app, code), new_url, f"the URL of {code} after the update (GET /shorten/{code})")


@title("PUT /shorten/{shortCode} without a url answers 400 and changes nothing")
@points(1)
@spec(VALIDATION_RULE)
@hint('Validate the body of PUT as POST does: no "url" is a 400 (or 422) with a message, and the old URL stays.')
def test_update_invalid_url_400(app, rng):
    url = _random_url(rng)
    code, _ = _create(app, url, why="updating it")
    for what, body in [("an empty JSON object", {}), ("no url field", {"link": _random_url(rng)})]:
        r = app.put(f"/shorten/{code}", json=body)
        what = f"PUT /shorten/{code} with {what} ({json.dumps(body)})"
        check_status(r, VALIDATION, what, rule="400 Bad Request")
        check(_has_body(r), f"expected {what} to answer an error message, got an empty body")
    current = _current_url(app, code)
    if current is None:
        not_graded("not graded yet: neither GET nor GET .../stats gives the URL back; make those tests pass first")
    check_equal(current, url, f"the URL of {code} after the refused updates (unchanged)")


@title("DELETE /shorten/{shortCode} answers 204 and removes the short URL")
@points(2)
@spec(
    "DELETE /shorten/{shortCode} returns a 204 No Content status code if the short URL was successfully "
    "deleted or a 404 Not Found status code if the short URL was not found."
)
@hint("Delete the row and answer 204 with no body; afterwards GET and a second DELETE of that code answer 404.")
def test_delete_short_url(app, rng):
    other, _ = _create(app, _random_url(rng), why="deleting one of two")
    code, _ = _create(app, _random_url(rng), why="deleting it")
    with checkpoint("DELETE answered 204", points=1):
        check_status(app.delete(f"/shorten/{code}"), 204, f"DELETE /shorten/{code}", rule="204 No Content")
    with checkpoint("the deleted code is gone, the others stay", points=1):
        check_status(app.get(f"/shorten/{code}"), 404, f"GET /shorten/{code} after deleting it")
        check_status(app.delete(f"/shorten/{code}"), 404, f"a second DELETE /shorten/{code}")
        r = app.get(f"/shorten/{other}")
        check(
            r.status_code != 404,
            f"expected GET /shorten/{other} (another code, not deleted) not to answer 404",
            got=404,
        )


@title("GET /shorten/{shortCode}/stats counts every GET of the code")
@points(2)
@spec(
    "GET /shorten/{shortCode}/stats returns a 200 OK status code with the short URL plus accessCount, "
    "the number of times the short URL was accessed (retrieved)."
)
@hint(
    "Add 1 to the code's access count on every GET /shorten/{shortCode}, not on GET .../stats; the stats "
    'answer the record plus "accessCount", 0 for a new code.'
)
def test_stats_access_count(app, rng):
    url = _random_url(rng)
    code, _ = _create(app, url, why="counting its accesses")

    def stats(what):
        r = app.get(f"/shorten/{code}/stats")
        check_status(r, 200, f"GET /shorten/{code}/stats", rule="200 OK with the statistics")
        data = json_of(r, f"GET /shorten/{code}/stats")
        record = unwrap(data, looks_like=lambda value: _has_any(value, ("accessCount", *RECORD_NAMES)))
        count = field(record, "accessCount") if record is not None else None
        check(
            isinstance(count, int) and not isinstance(count, bool),
            f'expected the stats to hold an integer "accessCount" ({what})',
            got=data,
        )
        return count, record

    with checkpoint("a new code has accessCount 0", points=1):
        count, record = stats("a new code")
        check_equal(count, 0, "the accessCount of a new code")
        check_equal(_url_of(record), url, 'the "url" of the stats (the short URL\'s record plus accessCount)')
    visits = rng.randint(2, 5)
    _visit(app, code, visits)
    count, _ = stats(f"after {visits} GETs")
    check_equal(count, visits, f"the accessCount after {visits} GETs of /shorten/{code}")
    count, _ = stats("read again")
    check_equal(count, visits, "the accessCount after reading the stats again (reading the stats is not an access)")


@title("Each short code has its own access count")
@points(1)
@spec("Get statistics on the short URL (e.g. number of times accessed): each short URL's own count.")
@hint("Keep the count per code (a column of the code's row), not one counter for the whole app.")
def test_stats_per_code(app, rng):
    codes = [_create(app, _random_url(rng), why="counting accesses")[0] for _ in range(3)]
    first = [_count(app, code) for code in codes]
    before = [_count(app, code) for code in codes]
    if any(count is None for count in (*first, *before)):
        not_graded(
            "not graded yet: GET /shorten/{code}/stats gives no access count; "
            "make the test stats_access_count pass first"
        )
    # Whether reading the stats counts too is the stats test's business: allow for it here.
    reads = [b - f for f, b in zip(first, before, strict=True)]
    visits = [rng.randint(1, 4) for _ in codes]
    visits[rng.randrange(3)] = 0
    for code, times in zip(codes, visits, strict=True):
        _visit(app, code, times)
    counts = [_count(app, code) for code in codes]
    if counts == [b + r for b, r in zip(before, reads, strict=True)]:
        not_graded(
            "not graded yet: GET /shorten/{code} does not change any access count; "
            "make the test stats_access_count pass first"
        )
    expected = [b + v + r for b, v, r in zip(before, visits, reads, strict=True)]
    check_equal(counts, expected, f"the access counts of {codes} after {visits} GETs")


@title("Short URLs and their counts survive a restart")
@points(3)
@spec(
    'Build the API on a database ("any programming language, framework, and database of your choice"): '
    "what it stores outlives a restart of the app."
)
@hint(
    "Keep your data in a database file (under $DATA_DIR, or next to your code) or in a database "
    "service, never only in memory: the app is restarted and must find everything again."
)
def test_data_survives_restart(app, app_control, rng):
    created = []
    for _ in range(3):
        url = _random_url(rng)
        created.append((url, _create(app, url, why="restarting the app")[0]))
    _, gone = created.pop()
    if any(_current_url(app, code) != url for url, code in created):
        not_graded(
            "not graded yet: neither GET /shorten/{code} nor its stats give back the URL before the restart; "
            "make the test retrieve_original_url pass first"
        )
    app.delete(f"/shorten/{gone}")
    deleted = _current_url(app, gone) is None and app.get(f"/shorten/{gone}").status_code == 404
    for _, code in created:
        _visit(app, code, rng.randint(1, 3))
    first = {code: _count(app, code) for _, code in created}
    counts = {code: _count(app, code) for _, code in created}
    # Whether reading the stats counts too is the stats test's business: allow for it after the restart.
    reads = {code: counts[code] - first[code] if None not in (counts[code], first[code]) else 0 for code in counts}
    app_control.restart()
    with checkpoint("the short URLs are back after the restart", points=2):
        counts_after = {code: _count(app, code) for _, code in created}  # read before the GETs below, which count
        for url, code in created:
            check_equal(_current_url(app, code), url, f"the URL of {code} after the restart (GET /shorten/{code})")
    with checkpoint("the counts and the deleted code are as before the restart", points=1):
        for code, count in counts.items():
            if count is not None:
                check_equal(counts_after[code], count + reads[code], f"the access count of {code} after the restart")
        if deleted:
            check_status(app.get(f"/shorten/{gone}"), 404, f"GET /shorten/{gone} (deleted before the restart)")


# --- craft tests: the extra practice of our brief ------------------------------------------------


@title("Short codes are 6 characters from A-Z, a-z and 0-9")
@points(1)
@craft(
    "Six characters from 62 give 56 billion codes: short enough to type and share, too many to guess, "
    "and with no character a URL or a reader could mangle."
)
@hint("Draw 6 random characters from A-Z, a-z and 0-9 (secrets.choice in Python, crypto.randomInt in Node).")
def test_short_code_format(app, rng):
    for _ in range(3):
        code, _ = _create(app, _random_url(rng), why="reading its code")
        check(
            CODE_RE.fullmatch(code) is not None,
            "expected a short code of exactly 6 characters from A-Z, a-z, 0-9",
            got=code,
        )


@title("Only http(s) URLs with a host are accepted")
@points(1)
@craft(
    "A shortener hands its links to other people: storing plain words, a missing scheme or an ftp:// link "
    "makes a short URL that leads nowhere, so the brief refuses anything but a real http(s) URL."
)
@hint(
    'Accept only a JSON object whose "url" is a string starting with http:// or https:// and naming a host, '
    "with no whitespace; answer anything else with 400, on POST and on PUT alike."
)
def test_invalid_urls_refused(app, rng):
    word = rng.choice(WORDS)
    cases = [
        ("a url that is not a string", {"url": rng.randint(1, 10**6)}),
        ("an empty url", {"url": ""}),
        ("a url without a scheme", {"url": f"{rng.choice(HOSTS)}/{word}"}),
        ("a url that is plain words", {"url": f"just some {word} words"}),
        ("an ftp url", {"url": f"ftp://{rng.choice(HOSTS)}/{word}.zip"}),
        ("a url with no host", {"url": "https://"}),
    ]
    for what, body in cases:
        check_status(app.post("/shorten", json=body), VALIDATION, f"POST /shorten with {what} ({json.dumps(body)})")
    r = app.post("/shorten", content=f"url={word}", headers={"Content-Type": "application/json"})
    check_status(r, VALIDATION, "POST /shorten with a body that is not JSON")
    url = _random_url(rng)
    code, _ = _create(app, url, why="updating it")
    body = {"url": f"{rng.choice(HOSTS)}/{word}"}
    check_status(app.put(f"/shorten/{code}", json=body), VALIDATION, f"PUT /shorten/{code} with {json.dumps(body)}")
    current = _current_url(app, code)
    if current is not None:
        check_equal(current, url, f"the URL of {code} after the refused update (unchanged)")


@title("Timestamps are ISO 8601 in UTC, and updatedAt moves on an update")
@points(1)
@craft(
    "An ISO 8601 time in UTC is read the same way by every client in every time zone; updatedAt equal to "
    "createdAt at first and later after a change lets a client tell whether a link was edited."
)
@hint(
    'Write both times as ISO 8601 in UTC ("2026-01-31T12:00:00Z"), the same instant on creation; on PUT set '
    "updatedAt to now and keep createdAt."
)
def test_timestamps_iso_utc(app, rng):
    code, record = _create(app, _random_url(rng), why="reading its timestamps")
    created = _timestamp(record, "createdAt")
    check_equal(_timestamp(record, "updatedAt"), created, '"updatedAt" of a new short URL (the same as "createdAt")')
    time.sleep(1.1)  # so that even timestamps in whole seconds must move
    r = app.put(f"/shorten/{code}", json={"url": _random_url(rng)})
    after = _record_of(_parsed(r)) if r.status_code == 200 else None
    if after is None:
        not_graded("not graded yet: PUT does not answer the updated record; make the test update_url pass first")
    check_equal(_timestamp(after, "createdAt"), created, '"createdAt" after an update (unchanged)')
    check(_timestamp(after, "updatedAt") > created, '"updatedAt" must move past "createdAt" on an update', got=after)


@title("Records are bare JSON objects with the spec's field names")
@points(1)
@craft(
    "A client written from the spec's examples reads id, url, shortCode, createdAt, updatedAt and accessCount "
    "at the top level of the answer; using exactly those names spares every client a translation."
)
@hint(
    'Answer the record itself ({"id": ..., "url": ..., "shortCode": ...}), not wrapped in {"data": ...}, with '
    "camelCase names exactly as the spec shows them; the stats add accessCount."
)
def test_record_as_in_spec(app, rng):
    r = app.post("/shorten", json={"url": _random_url(rng)})
    data = _parsed(r)
    code = _code_of(_record_of(data))
    if not 200 <= r.status_code < 300 or code is None:
        not_graded("not graded yet: POST /shorten creates no short URL; make the test create_short_url pass first")
    inner = _record_of(data)
    check(
        inner is data,
        "expected POST /shorten to answer the record itself, as the spec's example does, not wrapped in "
        "{" + ", ".join(f"{json.dumps(key)}: ..." for key in data) + "}",
        got=data,
    )
    missing = [name for name in SPEC_FIELDS if name not in data]
    check(
        not missing,
        f"expected the record POST /shorten answers to have the spec's fields {', '.join(SPEC_FIELDS)}; "
        f"missing {', '.join(missing)}",
        got=data,
    )
    stats = _parsed(app.get(f"/shorten/{code}/stats"))
    check(
        isinstance(stats, dict) and all(name in stats for name in (*SPEC_FIELDS, "accessCount")),
        f"expected GET /shorten/{code}/stats to answer the record with the fields {', '.join(SPEC_FIELDS)} "
        "and accessCount at its top level",
        got=stats,
    )


@title("Errors answer a JSON body with a message")
@points(1)
@craft(
    "A client shows the user why a request failed: a JSON body with a message it can read the same way "
    "for every error, instead of an HTML page or nothing."
)
@hint('Answer every 400 and 404 with a JSON object such as {"error": "short URL not found"}.')
def test_errors_are_json(app, rng):
    code = _random_code(rng)
    answers = [
        (f"GET /shorten/{code} (an unknown code)", app.get(f"/shorten/{code}")),
        (f"GET /shorten/{code}/stats (an unknown code)", app.get(f"/shorten/{code}/stats")),
        (f"PUT /shorten/{code} (an unknown code)", app.put(f"/shorten/{code}", json={"url": _random_url(rng)})),
        (f"DELETE /shorten/{code} (an unknown code)", app.delete(f"/shorten/{code}")),
        ("POST /shorten with {}", app.post("/shorten", json={})),
        (
            "POST /shorten with a body that is not JSON",
            app.post("/shorten", content="url=", headers={"Content-Type": "application/json"}),
        ),
    ]
    errors = [(what, r) for what, r in answers if r.status_code >= 400]
    if not errors:
        not_graded("not graded yet: none of these requests answered an error; make the 404 and 400 tests pass first")
    for what, r in errors:
        data = _parsed(r)
        check(
            error_text(data) is not None and not isinstance(data, str),
            f"expected {what} ({r.status_code}) to answer a JSON error, "
            'e.g. {"error": "..."} or {"message": "..."}',
            got=data if data is not None else r.text[:200],
        )


@title("JSON answers say Content-Type: application/json")
@points(1)
@craft(
    "Clients and tools decide how to read a body from its Content-Type: a JSON answer labelled text/html "
    "is shown as a page, or not parsed at all."
)
@hint('Send "Content-Type: application/json" with every JSON body (jsonify and res.json do it for you).')
def test_json_content_type(app, rng):
    r = app.post("/shorten", json={"url": _random_url(rng)})
    code = _code_of(_record_of(_parsed(r)))
    if not 200 <= r.status_code < 300 or code is None:
        not_graded("not graded yet: POST /shorten creates no short URL; make the test create_short_url pass first")
    unknown = _random_code(rng)
    answers = [
        ("POST /shorten", r),
        (f"GET /shorten/{code}", app.get(f"/shorten/{code}")),
        (f"GET /shorten/{code}/stats", app.get(f"/shorten/{code}/stats")),
        (f"PUT /shorten/{code}", app.put(f"/shorten/{code}", json={"url": _random_url(rng)})),
        (f"GET /shorten/{unknown} (an unknown code)", app.get(f"/shorten/{unknown}")),
    ]
    for what, answer in answers:
        if _parsed(answer) is None:
            continue  # not JSON at all (a redirect, an empty 404): other tests judge that
        check(
            is_json(answer),
            f"expected {what} to declare its JSON body with Content-Type: application/json",
            got=answer.headers.get("content-type", "(none)"),
        )
