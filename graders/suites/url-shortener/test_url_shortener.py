"""Grader suite for the stage 3 exercise url-shortener (see the exercise's README for the brief)."""

import json
import re
from datetime import datetime, timedelta

from stagecraft_grader import WORDS, check, check_equal, checkpoint, hint, points, title

CODE_RE = re.compile(r"[A-Za-z0-9]{6}")
ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
HOSTS = ["example.com", "docs.example.org", "blog.example.net", "shop.example.io", "news.example.dev"]
FIELDS = ("id", "url", "shortCode", "createdAt", "updatedAt")


def _random_url(rng):
    return (
        f"https://{rng.choice(HOSTS)}/{rng.choice(WORDS)}/{rng.choice(WORDS)}-{rng.randint(1000, 99999)}"
        f"?ref={rng.choice(WORDS)}{rng.randint(10, 99)}"
    )


def _random_code(rng):
    return "".join(rng.choice(ALPHABET) for _ in range(6))


def _json(r, status, what):
    check_equal(r.status_code, status, f"the status code of {what}")
    check_equal(r.content_type, "application/json", f"the Content-Type media type of {what}")
    data = r.json()
    check(isinstance(data, dict), f"expected a JSON object from {what}", got=data)
    return data


def _error(r, status, what):
    data = _json(r, status, what)
    check(isinstance(data.get("error"), str), f'expected a JSON object with a string "error" from {what}', got=data)


def _timestamp(data, field):
    value = data.get(field)
    check(isinstance(value, str), f'expected "{field}" to be an ISO-8601 string', got=value)
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        moment = None
    check(moment is not None, f'expected "{field}" to be an ISO-8601 date and time', got=value)
    check(moment.utcoffset() == timedelta(0), f'expected "{field}" to be in UTC (ending in "Z" or "+00:00")', got=value)
    return moment


def _record(data, what):
    """Check that `data` is a short URL record and return it."""
    missing = [f for f in FIELDS if f not in data]
    check(
        not missing, f"expected {what} to have the fields {', '.join(FIELDS)}; missing {', '.join(missing)}", got=data
    )
    check(
        isinstance(data["id"], (int, str)) and not isinstance(data["id"], bool),
        '"id" must be a number or a string',
        got=data["id"],
    )
    code = data["shortCode"]
    check(
        isinstance(code, str) and CODE_RE.fullmatch(code) is not None,
        '"shortCode" must be exactly 6 characters from A-Z, a-z and 0-9',
        got=code,
    )
    _timestamp(data, "createdAt")
    _timestamp(data, "updatedAt")
    return data


def _create(app, url):
    data = _json(app.post("/shorten", json={"url": url}), 201, "POST /shorten")
    return _record(data, "the created short URL")


def _stats(app, code):
    data = _json(app.get(f"/shorten/{code}/stats"), 200, f"GET /shorten/{code}/stats")
    count = data.get("accessCount")
    check(isinstance(count, int) and not isinstance(count, bool), '"accessCount" must be an integer', got=data)
    return count


def _visit(app, code, times):
    for _ in range(times):
        check_equal(app.get(f"/shorten/{code}").status_code, 200, f"the status code of GET /shorten/{code}")


@title("POST /shorten creates a short URL and answers 201 with the record")
@points(2)
@hint(
    'Answer 201 with {"id", "url", "shortCode", "createdAt", "updatedAt"}: a 6-character code from '
    "A-Z, a-z, 0-9, the URL as sent, and both timestamps in ISO 8601, UTC, equal on creation."
)
def test_create_short_url(app, rng):
    url = _random_url(rng)
    data = _create(app, url)
    check_equal(data["url"], url, 'the "url" of the created short URL')
    check_equal(data["updatedAt"], data["createdAt"], '"updatedAt" of a new short URL (the same as "createdAt")')


@title("POST /shorten with a missing or invalid URL answers 400")
@points(1)
@hint(
    'Accept only a JSON object whose "url" is a string starting with http:// or https:// and naming a '
    'host; answer anything else with 400 and {"error": "..."}.'
)
def test_create_invalid_url_400(app, rng):
    word = rng.choice(WORDS)
    cases = [
        ("no url field", {"link": _random_url(rng)}),
        ("a url that is not a string", {"url": rng.randint(1, 10**6)}),
        ("an empty url", {"url": ""}),
        ("a url without a scheme", {"url": f"{rng.choice(HOSTS)}/{word}"}),
        ("a url that is plain words", {"url": f"just some {word} words"}),
        ("an ftp url", {"url": f"ftp://{rng.choice(HOSTS)}/{word}.zip"}),
        ("a url with no host", {"url": "https://"}),
    ]
    for what, body in cases:
        _error(app.post("/shorten", json=body), 400, f"POST /shorten with {what} ({json.dumps(body)})")
    r = app.post("/shorten", content=f"url={word}", headers={"Content-Type": "application/json"})
    _error(r, 400, "POST /shorten with a body that is not JSON")


@title("Every short URL gets its own code and id")
@points(1)
@hint(
    "Pick a random 6-character code for each new short URL and pick again if it is already taken "
    "(a UNIQUE column makes the database refuse a duplicate)."
)
def test_unique_short_codes(app, rng):
    created = [_create(app, _random_url(rng)) for _ in range(6)]
    codes = [d["shortCode"] for d in created]
    ids = [d["id"] for d in created]
    check_equal(len(set(codes)), len(codes), f"the number of distinct codes among {codes}")
    check_equal(len(set(map(str, ids))), len(ids), f"the number of distinct ids among {ids}")


@title("GET /shorten/{shortCode} returns the original URL")
@points(2)
@hint(
    "Look the code up in the database and answer 200 with the same record POST returned "
    "(id, url, shortCode, createdAt, updatedAt)."
)
def test_retrieve_original_url(app, rng):
    urls = [_random_url(rng) for _ in range(2)]
    created = [_create(app, url) for url in urls]
    for data in reversed(created):
        code = data["shortCode"]
        got = _record(_json(app.get(f"/shorten/{code}"), 200, f"GET /shorten/{code}"), f"GET /shorten/{code}")
        for field in FIELDS:
            check_equal(got[field], data[field], f'the "{field}" of GET /shorten/{code}')


@title("An unknown short code answers 404 with a JSON error")
@points(1)
@hint(
    'GET, PUT, DELETE and GET .../stats on a code that does not exist answer 404 with {"error": "..."}; '
    "the codes that do exist keep answering 200."
)
def test_unknown_code_404(app, rng):
    known = _create(app, _random_url(rng))["shortCode"]  # so that "404 for everything" cannot pass
    code = _random_code(rng)
    _error(app.get(f"/shorten/{code}"), 404, f"GET /shorten/{code}")
    _error(app.get(f"/shorten/{code}/stats"), 404, f"GET /shorten/{code}/stats")
    _error(app.put(f"/shorten/{code}", json={"url": _random_url(rng)}), 404, f"PUT /shorten/{code}")
    check_equal(app.delete(f"/shorten/{code}").status_code, 404, f"the status code of DELETE /shorten/{code}")
    check_equal(
        app.get(f"/shorten/{known}").status_code, 200, f"the status code of GET /shorten/{known} (a code that exists)"
    )


@title("PUT /shorten/{shortCode} changes the URL and keeps the code")
@points(2)
@hint(
    'Update the row, set "updatedAt" to now and answer 200 with the record: same id, shortCode and '
    "createdAt, the new url. A later GET must return the new URL."
)
def test_update_url(app, rng):
    with checkpoint("the update answered 200 with the updated record", points=1):
        before = _create(app, _random_url(rng))
        code = before["shortCode"]
        new_url = _random_url(rng)
        after = _record(
            _json(app.put(f"/shorten/{code}", json={"url": new_url}), 200, f"PUT /shorten/{code}"),
            f"PUT /shorten/{code}",
        )
        check_equal(after["url"], new_url, f'the "url" of PUT /shorten/{code}')
        for field in ("id", "shortCode", "createdAt"):
            check_equal(after[field], before[field], f'the "{field}" of PUT /shorten/{code} (unchanged)')
        check(
            _timestamp(after, "updatedAt") >= _timestamp(after, "createdAt"),
            '"updatedAt" must not be before "createdAt"',
            got=after,
        )
    with checkpoint("GET returns the new URL", points=1):
        got = _json(app.get(f"/shorten/{code}"), 200, f"GET /shorten/{code} after the update")
        check_equal(got.get("url"), new_url, f'the "url" of GET /shorten/{code} after the update')


@title("PUT /shorten/{shortCode} with an invalid URL answers 400 and changes nothing")
@points(1)
@hint('Validate the new URL exactly as POST does: answer 400 with {"error": "..."} and keep the old URL.')
def test_update_invalid_url_400(app, rng):
    url = _random_url(rng)
    code = _create(app, url)["shortCode"]
    for what, body in [
        ("no url field", {"link": _random_url(rng)}),
        ("a url without a scheme", {"url": f"{rng.choice(HOSTS)}/{rng.choice(WORDS)}"}),
    ]:
        _error(app.put(f"/shorten/{code}", json=body), 400, f"PUT /shorten/{code} with {what} ({json.dumps(body)})")
    got = _json(app.get(f"/shorten/{code}"), 200, f"GET /shorten/{code}")
    check_equal(got.get("url"), url, f'the "url" of GET /shorten/{code} after the refused updates')


@title("DELETE /shorten/{shortCode} removes the short URL")
@points(2)
@hint("Delete the row and answer 204 with no body; afterwards GET and a second DELETE of that code answer 404.")
def test_delete_short_url(app, rng):
    keep = _create(app, _random_url(rng))
    gone = _create(app, _random_url(rng))
    code = gone["shortCode"]
    with checkpoint("DELETE answered 204", points=1):
        r = app.delete(f"/shorten/{code}")
        check_equal(r.status_code, 204, f"the status code of DELETE /shorten/{code}")
        check_equal(r.content, b"", f"the body of DELETE /shorten/{code} (none for a 204)")
    with checkpoint("the deleted code is gone", points=1):
        _error(app.get(f"/shorten/{code}"), 404, f"GET /shorten/{code} after deleting it")
        check_equal(
            app.delete(f"/shorten/{code}").status_code, 404, f"the status code of a second DELETE /shorten/{code}"
        )
    other = keep["shortCode"]
    got = _json(app.get(f"/shorten/{other}"), 200, f"GET /shorten/{other} (another code, not deleted)")
    check_equal(got.get("url"), keep["url"], f'the "url" of GET /shorten/{other} (another code, not deleted)')


@title("GET /shorten/{shortCode}/stats counts every GET of the code")
@points(2)
@hint(
    "Add 1 to the code's access count on every GET /shorten/{shortCode}, not on GET .../stats; the stats "
    'answer the record plus "accessCount", 0 for a new code.'
)
def test_stats_access_count(app, rng):
    data = _create(app, _random_url(rng))
    code = data["shortCode"]
    with checkpoint("a new code has accessCount 0", points=1):
        check_equal(_stats(app, code), 0, "the accessCount of a new code")
    visits = rng.randint(2, 5)
    _visit(app, code, visits)
    stats = _json(app.get(f"/shorten/{code}/stats"), 200, f"GET /shorten/{code}/stats")
    check_equal(stats.get("accessCount"), visits, f"the accessCount after {visits} GETs")
    for field in FIELDS:
        check_equal(stats.get(field), data[field], f'the "{field}" of the stats')
    check_equal(_stats(app, code), visits, "the accessCount after reading the stats again (stats are not accesses)")


@title("Each short code has its own access count")
@points(1)
@hint("Keep the count per code (a column of the code's row), not one counter for the whole app.")
def test_stats_per_code(app, rng):
    codes = [_create(app, _random_url(rng))["shortCode"] for _ in range(3)]
    visits = [rng.randint(1, 4) for _ in codes]
    visits[rng.randrange(3)] = 0
    for code, times in zip(codes, visits, strict=True):
        _visit(app, code, times)
    counts = [_stats(app, code) for code in codes]
    check_equal(counts, visits, f"the accessCounts of {codes}")


@title("Short URLs and their counts survive a restart")
@points(3)
@hint(
    "Keep your data in a database file (under $DATA_DIR, or next to your code) or in a database "
    "service, never only in memory: the app is restarted and must find everything again."
)
def test_data_survives_restart(app, app_control, rng):
    created = [_create(app, _random_url(rng)) for _ in range(3)]
    gone = created.pop()
    check_equal(app.delete(f"/shorten/{gone['shortCode']}").status_code, 204, "the status code of DELETE")
    for data in created:
        _visit(app, data["shortCode"], rng.randint(1, 3))
    counts = {d["shortCode"]: _stats(app, d["shortCode"]) for d in created}
    app_control.restart()
    counts_after = {}
    with checkpoint("the short URLs are back after the restart", points=2):
        for data in created:
            code = data["shortCode"]
            counts_after[code] = _stats(app, code)  # read before the GET below, which counts
            got = _json(app.get(f"/shorten/{code}"), 200, f"GET /shorten/{code} after the restart")
            check_equal(got.get("url"), data["url"], f'the "url" of GET /shorten/{code} after the restart')
    with checkpoint("the counts and the deleted code are as before the restart", points=1):
        for code, count in counts_after.items():
            check_equal(count, counts[code], f"the accessCount of {code} after the restart")
        code = gone["shortCode"]
        _error(app.get(f"/shorten/{code}"), 404, f"GET /shorten/{code} (deleted before the restart)")
