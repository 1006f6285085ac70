"""Grader suite for url-shortener, the craft tier: the extra practice of our brief (runs after the spec tests)."""

import json
import time

from shortener_client import (
    _code_of,
    _create,
    _current_url,
    _parsed,
    _record_of,
    _timestamp,
)
from shortener_data import CODE_RE, HOSTS, SPEC_FIELDS, _random_code, _random_url

from stagecraft_grader import WORDS, check, check_equal, craft, hint, not_graded, points, title
from stagecraft_grader.shapes import (
    VALIDATION,
    check_status,
    error_text,
    is_json,
)

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
