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

from shortener_client import (
    RECORD_NAMES,
    _code_of,
    _count,
    _create,
    _current_url,
    _has_any,
    _has_body,
    _record_of,
    _url_of,
    _visit,
)
from shortener_data import CREATE_RULE, VALIDATION_RULE, _random_code, _random_url

from stagecraft_grader import check, check_equal, checkpoint, hint, not_graded, points, spec, title
from stagecraft_grader.shapes import (
    VALIDATION,
    check_status,
    field,
    find_id,
    json_of,
    same_id,
    unwrap,
)

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
