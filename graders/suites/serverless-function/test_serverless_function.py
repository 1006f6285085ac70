"""Grader suite for the stage 9 exercise serverless-function (see the exercise's README for the brief).

The learner writes only handler(event, context); the runtime shim shipped with the exercise turns
HTTP into API Gateway events and back, answers 502/504 when the function fails, marks every
response with X-Cold-Start and throws the execution environment away on "X-Recycle: 1". The app
runs for the whole suite, so each test creates the entries it needs and looks only at its own.
"""

import json
import re
import time
from datetime import datetime, timedelta

from stagecraft_grader import check, check_equal, fail, hint, not_graded, points, title
from stagecraft_grader.shapes import find_id, unwrap, unwrap_list

NAMES = ["Ada", "Zoë", "José", "Grace", "Linus", "Margaret", "Søren", "Amara", "Kenji", "Chidi", "Ingrid"]
WORDS = "amber falcon river copper meadow quartz lantern orbit willow harbor cinder maple thistle pebble".split()
ACCENTED = ["café", "naïve", "fjord", "crème", "über"]
ENTRY_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
RECYCLE = {"X-Recycle": "1"}
COLD_TIMEOUT = 20  # seconds: a cold start launches a new process, which is slow on a busy machine
# The tests that check what the preconditions below only need to work: a precondition that cannot
# be met skips the test (worth nothing) and names the test to make pass first (no cascades).
CREATE = '"POST /entries stores an entry and answers 201 with it"'
GET_ENTRY = '"GET /entries/{id} answers 200 with the entry"'
LIST = '"GET /entries lists the entries, newest first"'
LIST_LIMIT = '"GET /entries?limit=n answers only the n newest entries"'


# --- random data ------------------------------------------------------------------------------


def _entry_body(rng):
    return {
        "name": f"{rng.choice(NAMES)} {rng.randint(10, 9999)}",
        "message": " ".join(rng.choice(WORDS + ACCENTED) for _ in range(rng.randint(3, 9)))
        + f" #{rng.randint(1000, 99999)}",
    }


def _missing_id(rng):
    return "".join(rng.choice("0123456789abcdef") for _ in range(32))


# --- checks shared by the tests ---------------------------------------------------------------


def _status(r, status, what):
    """Check the status code; explain a 502/504 from the runtime in the learner's terms."""
    if r.status_code != status and r.status_code in (502, 504):
        try:
            data = json.loads(r.text)
        except ValueError:
            data = None
        if isinstance(data, dict) and "errorType" in data:
            fail(
                f"expected {what} to answer {status}, but the runtime answered {r.status_code}: your function "
                f"failed with {data.get('errorType')}: {data.get('errorMessage')} (the app's log has the details)"
            )
    check_equal(r.status_code, status, f"the status code of {what}")


def _json(r, status, what):
    _status(r, status, what)
    check_equal(r.content_type, "application/json", f"the Content-Type media type of {what}")
    return r.json()


def _error(r, status, what):
    data = _json(r, status, what)
    check(
        isinstance(data, dict) and isinstance(data.get("error"), str),
        f'expected {what} to answer a JSON object with a string "error"',
        got=data,
    )
    return data


def _timestamp(value, what):
    check(isinstance(value, str), f'expected the "createdAt" of {what} to be an ISO-8601 string', got=value)
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        moment = None
    check(moment is not None, f'expected the "createdAt" of {what} to be an ISO-8601 date and time', got=value)
    check(
        moment.utcoffset() == timedelta(0),
        f'expected the "createdAt" of {what} to be in UTC (ending in "Z" or "+00:00")',
        got=value,
    )
    return moment


def _check_entry(data, body, what):
    """`data` is an entry holding `body`'s name and message; return its id."""
    check(isinstance(data, dict), f"expected {what} to be a JSON object", got=data)
    entry_id = data.get("id")
    check(
        isinstance(entry_id, str) and ENTRY_ID.fullmatch(entry_id) is not None,
        f'expected the "id" of {what} to be a string of letters, digits, "-" and "_" (at most 64)',
        got=entry_id,
    )
    check_equal(data.get("name"), body["name"], f'the "name" of {what}')
    check_equal(data.get("message"), body["message"], f'the "message" of {what}')
    _timestamp(data.get("createdAt"), what)
    return entry_id


def _json_or_none(r):
    try:
        return json.loads(r.content)
    except ValueError:
        return None


def _create(app, body, headers=None):
    """POST /entries as a precondition of a test about something else: the created entry.

    Its status and fields are the create test's to check: any 2xx answering an entry with an id
    will do here, or the test is skipped.
    """
    r = app.post("/entries", json=body, headers=headers, timeout=COLD_TIMEOUT)
    data = unwrap(_json_or_none(r)) if 200 <= r.status_code < 300 else None
    if find_id(data) is None:
        not_graded(
            f"this test needs POST /entries to store an entry and answer its id (it answered {r.status_code} "
            f"{r.text[:100]!r}): make the test {CREATE} pass first"
        )
    return data


def _create_several(app, rng, count, headers=None):
    """Create `count` entries, oldest first, with distinct createdAt times."""
    entries = []
    for _ in range(count):
        entries.append(_create(app, _entry_body(rng), headers))
        time.sleep(0.02)  # createdAt has millisecond precision: keep the entries apart
    return entries


def _list(app, what, params=None, headers=None, *, strict=False):
    """GET /entries: the listed entries.

    `strict` checks the answer as the brief pins it (200, JSON, an array of objects), for the
    listing tests; as a precondition of another test the list is read bare or wrapped, or the
    test is skipped.
    """
    r = app.get("/entries", params=params, headers=headers, timeout=COLD_TIMEOUT)
    if strict:
        data = _json(r, 200, what)
        check(isinstance(data, list), f"expected {what} to answer a JSON array", got=data)
        check(all(isinstance(item, dict) for item in data), f"expected {what} to answer an array of objects", got=data)
        return data
    data = unwrap_list(_json_or_none(r), prefer=("entries",)) if r.status_code == 200 else None
    if data is None or not all(isinstance(item, dict) for item in data):
        not_graded(
            f"this test needs {what} to list the entries (it answered {r.status_code} {r.text[:100]!r}): "
            f"make the test {LIST} pass first"
        )
    return data


def _cold_start(r, expected, what):
    value = r.headers.get("x-cold-start")
    check_equal(value, "true" if expected else "false", f"the X-Cold-Start header of {what}")


# --- tests ------------------------------------------------------------------------------------


@title("POST /entries stores an entry and answers 201 with it")
@points(2)
@hint(
    'Parse event["body"] (a JSON string) and return {"statusCode": 201, "headers": {...}, "body": '
    'json.dumps(entry)} where entry has a string "id", the "name" and "message" you were sent, and '
    '"createdAt" (ISO-8601, UTC).'
)
def test_create_entry(app, rng):
    body = _entry_body(rng)
    data = _json(app.post("/entries", json=body, timeout=COLD_TIMEOUT), 201, "POST /entries")
    _check_entry(data, body, "the created entry")


@title("The 201 response carries Content-Type: application/json and a Location header")
@points(1)
@hint(
    'Headers travel in the result\'s "headers" object: return "headers": {"Content-Type": '
    '"application/json", "Location": "/entries/<id>"} with the 201.'
)
def test_create_response_headers(app, rng):
    r = app.post("/entries", json=_entry_body(rng), timeout=COLD_TIMEOUT)
    data = _json(r, 201, "POST /entries")
    check(
        isinstance(data, dict) and isinstance(data.get("id"), str),
        'expected a created entry with a string "id"',
        got=data,
    )
    check_equal(r.headers.get("location"), f"/entries/{data['id']}", "the Location header of the 201")


@title("Each entry is stored as $DATA_DIR/entries/<id>.json")
@points(1)
@hint(
    "The function's storage is the folder $DATA_DIR/entries (DATA_DIR is /data when graded): write "
    "each entry there as one JSON file named after its id, holding the entry itself."
)
def test_stored_one_file_per_entry(app, app_data, rng):
    entry = _create(app, _entry_body(rng))
    path = f"entries/{entry['id']}.json"
    check(
        app_data.exists(path),
        f"expected the file $DATA_DIR/{path} for the new entry",
        got=app_data.files()[:10] or "no file in $DATA_DIR",
    )
    try:
        stored = json.loads(app_data.read_text(path))
    except ValueError:
        fail(f"expected $DATA_DIR/{path} to hold the entry as JSON", expected=entry)
    check_equal(stored, entry, f"the JSON in $DATA_DIR/{path}")


@title("GET /entries/{id} answers 200 with the entry")
@points(1)
@hint(
    'API Gateway hands you the id as event["pathParameters"]["id"]: read that entry\'s file and answer '
    "200 with the same JSON object that POST /entries answered."
)
def test_get_entry(app, rng):
    entry = _create(app, _entry_body(rng))
    data = _json(app.get(f"/entries/{entry['id']}"), 200, f"GET /entries/{entry['id']}")
    check_equal(data, entry, f"the JSON body of GET /entries/{entry['id']}")


@title("GET /entries/{id} answers 404 for an id no entry has")
@points(1)
@hint('When no file exists for the id, answer 404 with {"error": "..."}; never a 502 (an exception).')
def test_get_unknown_entry_404(app, rng):
    missing = _missing_id(rng)
    _error(app.get(f"/entries/{missing}"), 404, f"GET /entries/{missing}")


@title("GET /entries lists the entries, newest first")
@points(2)
@hint(
    'Read every file under $DATA_DIR/entries and answer 200 with a JSON array sorted by "createdAt", '
    'newest first. Without a query string, event["queryStringParameters"] is None (null in Node), not '
    "an empty object."
)
def test_list_newest_first(app, rng):
    mine = _create_several(app, rng, rng.randint(3, 4))
    data = _list(app, "GET /entries", strict=True)
    ids = [item.get("id") for item in data]
    expected = [entry["id"] for entry in reversed(mine)]
    missing = [entry_id for entry_id in expected if entry_id not in ids]
    check(not missing, "expected GET /entries to list every entry created", got=f"{len(missing)} missing")
    check_equal(
        [entry_id for entry_id in ids if entry_id in expected],
        expected,
        "the order of the new entries in GET /entries (newest first)",
    )
    by_id = {item.get("id"): item for item in data}
    for entry in mine:
        check_equal(by_id[entry["id"]], entry, "a listed entry")


@title("GET /entries?limit=n answers only the n newest entries")
@points(2)
@hint('Read event["queryStringParameters"]["limit"] (a string): answer the first n entries of the newest-first list.')
def test_list_limit(app, rng):
    mine = _create_several(app, rng, rng.randint(3, 5))
    limit = rng.randint(1, len(mine) - 1)
    data = _list(app, f"GET /entries?limit={limit}", params={"limit": str(limit)}, strict=True)
    check_equal(
        [item.get("id") for item in data],
        [entry["id"] for entry in reversed(mine)][:limit],
        f"the ids listed by GET /entries?limit={limit} (the {limit} newest)",
    )


@title("GET /entries?limit= answers 400 for a limit that is not a positive integer")
@points(1)
@hint('A "limit" that is not made of digits, or is 0, is a client error: answer 400 with {"error": "..."}.')
def test_list_limit_invalid_400(app, rng):
    for limit in rng.sample(["0", "-3", "abc", "2.5", "ten"], 2):
        _error(app.get("/entries", params={"limit": limit}), 400, f"GET /entries?limit={limit}")


@title("POST /entries answers 400 when a field is missing, empty or not a string")
@points(2)
@hint(
    'The body must be a JSON object whose "name" and "message" are strings that are not empty or only '
    'spaces; otherwise answer 400 with {"error": "..."} and store nothing.'
)
def test_create_validation_400(app, rng):
    body = _entry_body(rng)
    field = rng.choice(["name", "message"])
    invalid = [
        (f'no "{field}"', {key: value for key, value in body.items() if key != field}),
        (f'an empty "{field}"', {**body, field: rng.choice(["", "   "])}),
        (f'a number as "{field}"', {**body, field: rng.randint(1, 999)}),
        ("a JSON array instead of an object", [body]),
    ]
    for what, payload in invalid:
        _error(app.post("/entries", json=payload), 400, f"POST /entries with {what}")


@title("POST /entries answers 400, not 502, when the body is not valid JSON")
@points(2)
@hint(
    "Parsing the body can fail: catch the error (json.JSONDecodeError, or SyntaxError from JSON.parse) "
    "and answer 400. An exception that escapes the handler becomes a 502 from the runtime."
)
def test_bad_json_400(app, rng):
    body = _entry_body(rng)
    broken = json.dumps(body)[: -rng.randint(2, 6)]
    headers = {"Content-Type": "application/json"}
    _error(app.post("/entries", content=broken, headers=headers), 400, "POST /entries with a body that is not JSON")
    _error(app.post("/entries", headers=headers), 400, "POST /entries without a body")


@title("Other paths answer 404 with a JSON error")
@points(1)
@hint(
    'The catch-all resource "/{proxy+}" sends every other path to your function: answer 404 with '
    '{"error": "not found"}. Route on the resource (or the path), not on a prefix.'
)
def test_unknown_route_404(app, rng):
    word = f"{rng.choice(WORDS)}{rng.randint(10, 999)}"
    data = _error(app.get(f"/{word}"), 404, f"GET /{word}")
    check_equal(data, {"error": "not found"}, f"the JSON body of GET /{word}")
    entry = _create(app, _entry_body(rng))
    deeper = f"/entries/{entry['id']}/{rng.choice(['comments', 'likes', 'replies'])}"
    _error(app.get(deeper), 404, f"GET {deeper}")


@title("A wrong method answers 405 with an Allow header")
@points(1)
@hint('Route on event["httpMethod"] too: /entries allows GET and POST, /entries/{id} only GET.')
def test_wrong_method_405(app, rng):
    entry = _create(app, _entry_body(rng))
    cases = [
        (rng.choice(["PUT", "PATCH", "DELETE"]), "/entries", {"GET", "POST"}),
        (rng.choice(["PUT", "PATCH", "DELETE", "POST"]), f"/entries/{entry['id']}", {"GET"}),
    ]
    for method, path, allowed in cases:
        r = app.request(method, path)
        _error(r, 405, f"{method} {path}")
        allow = {m.strip().upper() for m in r.headers.get("allow", "").split(",") if m.strip()}
        check_equal(allow, allowed, f"the methods in the Allow header of {method} {path}")


@title("An entry survives a recycled execution environment")
@points(2)
@hint(
    "Module globals live only as long as one execution environment. Keep entries in files under "
    "$DATA_DIR/entries, never in a list or dict at the top of your module."
)
def test_entry_survives_recycle(app, rng):
    entry = _create(app, _entry_body(rng))
    warm = app.get(f"/entries/{entry['id']}", timeout=COLD_TIMEOUT)
    if warm.status_code != 200:
        not_graded(
            f"this test needs GET /entries/{{id}} to answer the entry (it answered {warm.status_code}), even "
            f"without a recycle: make the test {GET_ENTRY} pass first"
        )
    r = app.get(f"/entries/{entry['id']}", headers=RECYCLE, timeout=COLD_TIMEOUT)
    what = f"GET /entries/{entry['id']} in a fresh execution environment (X-Recycle: 1)"
    _cold_start(r, True, what)
    check_equal(_json(r, 200, what), entry, f"the JSON body of {what}")


@title("Entries written in different execution environments are all listed")
@points(2)
@hint(
    "Every request here runs in a fresh environment, so nothing may be kept between invocations but "
    "the files under $DATA_DIR/entries. List by reading that folder."
)
def test_entries_across_recycles(app, rng):
    mine = _create_several(app, rng, rng.randint(3, 4), headers=RECYCLE)
    data = _list(app, "GET /entries in a fresh execution environment (X-Recycle: 1)", headers=RECYCLE)
    ids = [item.get("id") for item in data]
    expected = [entry["id"] for entry in reversed(mine)]
    missing = [entry_id for entry_id in expected if entry_id not in ids]
    check(
        not missing,
        f"expected all {len(expected)} entries, each written by another environment, to be listed",
        got=f"{len(missing)} missing",
    )
    check_equal(
        [entry_id for entry_id in ids if entry_id in expected], expected, "the order of the new entries (newest first)"
    )


@title("The first call after a recycle is a cold start, the next ones are warm")
@points(1)
@hint(
    'The runtime marks each response "X-Cold-Start: true" when it had to start a new environment. If '
    "this fails, make sure you use runtime/shim as shipped and GET /entries?limit=1 answers 200."
)
def test_cold_start_header(app):
    r = app.get("/entries", params={"limit": "1"}, headers=RECYCLE, timeout=COLD_TIMEOUT)
    if r.status_code != 200:
        not_graded(
            f"this test needs GET /entries?limit=1 to answer 200 (it answered {r.status_code}): make the test "
            f"{LIST_LIMIT} pass first"
        )
    _cold_start(r, True, "the first request after a recycle")
    for attempt in ("second", "third"):
        r = app.get("/entries", params={"limit": "1"}, timeout=COLD_TIMEOUT)
        _status(r, 200, f"the {attempt} GET /entries?limit=1")
        _cold_start(r, False, f"the {attempt} request (the environment is warm)")
