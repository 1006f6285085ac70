"""Tolerant readers and API calls of the url-shortener suite: the preconditions of every test."""

import json
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from stagecraft_grader import check, not_graded
from stagecraft_grader.shapes import field, unwrap

# Where an app keeps the short code, the original URL and the count, whatever it names them: the
# helpers read all of these, the tests about the record's shape ask for the spec's names.
CODE_NAMES = ("shortCode", "code", "shortId", "short", "slug", "alias", "hash", "shortKey", "key")
SHORT_URL_NAMES = ("shortUrl", "shortLink", "shortenedUrl", "shortURL", "tinyUrl", "link")
URL_NAMES = ("url", "originalUrl", "longUrl", "fullUrl", "targetUrl", "destination", "redirectUrl", "original")
COUNT_NAMES = ("accessCount", "accessCounts", "accesses", "count", "clicks", "visits", "views", "hits")
RECORD_NAMES = (*CODE_NAMES, *SHORT_URL_NAMES, *URL_NAMES)


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
