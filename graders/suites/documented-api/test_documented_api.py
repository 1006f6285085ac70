"""Grader suite for the stage 2 exercise documented-api (see the exercise's README for the brief).

Two halves: the bookmarks API itself, and its OpenAPI document (GET /openapi.json), which must
describe what the API really does. The document tests watch the API: they send requests, note
the status code and body that came back, and look them up in the document. openapi_check.py
reads the document (operations, local $refs) and checks bodies against its schemas.

The app keeps running for the whole suite, so every test creates the bookmarks it needs and uses
the ids the app hands out, integers or strings.
"""

import json
import re
import uuid
from urllib.parse import quote

from openapi_check import (
    COLLECTION,
    ITEM,
    OPERATIONS,
    BadReference,
    describe,
    documented_statuses,
    json_schema_of,
    object_view,
    operation,
    parameters,
    response_schema,
    type_names,
    violations,
)

from stagecraft_grader import WORDS, check, check_equal, checkpoint, fail, hint, points, title

FIELDS = ("id", "url", "title", "tags", "created_at")
INVALID_STATUSES = (400, 422)
ISO_8601 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:?\d{2})$")
NOT_HTTP_URLS = ["ftp://files.example.com/report.pdf", "mailto:someone@example.com", "javascript:alert(1)"]
NOT_URLS = ["not a url", "example.com/page", "https://", "http//missing-colon.example.com"]
DOC = "GET /openapi.json"
NEEDS_DOC = "This test reads your OpenAPI document: make the test of GET /openapi.json pass first."


# --- random data ------------------------------------------------------------------------------


def _token(rng):
    return f"{rng.choice(WORDS)}{rng.randint(10000, 99999)}"


def _url(rng):
    scheme = rng.choice(["http", "https"])
    return f"{scheme}://{_token(rng)}.example.com/{rng.choice(WORDS)}/{rng.randint(1, 9999)}"


def _body(rng, **overrides):
    body = {
        "url": _url(rng),
        "title": f"{rng.choice(WORDS).capitalize()} {rng.choice(WORDS)} {rng.randint(1, 999)}",
        "tags": rng.sample(WORDS, rng.randint(1, 3)),
    }
    body.update(overrides)
    return {k: v for k, v in body.items() if v is not None}


def _bad_url(rng):
    return rng.choice(NOT_URLS)


def _path(bookmark_id):
    return f"/bookmarks/{quote(str(bookmark_id), safe='')}"


def _missing_id(rng, like):
    """An id no bookmark has, of the same kind as `like` (an id the app handed out)."""
    if isinstance(like, int) and not isinstance(like, bool):
        return rng.randint(10**8, 10**9)
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


# --- the API ----------------------------------------------------------------------------------


def _json(r, status, what):
    check_equal(r.status_code, status, f"the status code of {what}")
    check_equal(r.content_type, "application/json", f"the Content-Type media type of {what}")
    return r.json()


def _check_bookmark(data, body, what):
    """`data` is a bookmark holding `body`'s fields: its id."""
    check(isinstance(data, dict), f"expected {what} to be a JSON object", got=data)
    bookmark_id = data.get("id")
    check(
        (isinstance(bookmark_id, int) and not isinstance(bookmark_id, bool))
        or (isinstance(bookmark_id, str) and bookmark_id != ""),
        f'expected {what} to have an "id" that is an integer or a non-empty string',
        got=bookmark_id,
    )
    for field in ("url", "title"):
        check_equal(data.get(field), body[field], f'the "{field}" of {what}')
    check_equal(data.get("tags"), body.get("tags", []), f'the "tags" of {what}')
    stamp = data.get("created_at")
    check(
        isinstance(stamp, str) and ISO_8601.match(stamp) is not None,
        f'expected the "created_at" of {what} to be an ISO-8601 date and time with a time zone, '
        'such as "2026-03-01T12:30:00Z"',
        got=stamp,
    )
    return bookmark_id


def _create(app, body):
    """POST /bookmarks as a precondition of a test about something else: the created bookmark."""
    r = app.post(COLLECTION, json=body)
    check_equal(
        r.status_code,
        201,
        "the status code of POST /bookmarks (creating a bookmark)",
        hint="This test needs POST /bookmarks to work first: make the create test pass.",
    )
    data = r.json()
    _check_bookmark(data, body, "the created bookmark")
    return data


def _check_rejected(r, what):
    check(
        r.status_code in INVALID_STATUSES,
        f"expected {what} to be rejected with 400 or 422, but it answered {r.status_code}: {describe(r.text[:160])}",
    )


def _listed(app, params=None):
    what = "GET /bookmarks" + (f"?tag={params['tag']}" if params else "")
    data = _json(app.get(COLLECTION, params=params), 200, what)
    check(
        isinstance(data, list) and all(isinstance(b, dict) for b in data),
        f"expected {what} to answer a JSON array of bookmarks",
        got=data,
    )
    return data


# --- the document -----------------------------------------------------------------------------


def _document(app, *, precondition=True):
    """The parsed OpenAPI document; fails (with NEEDS_DOC as hint when a precondition) if unusable."""
    extra = {"hint": NEEDS_DOC} if precondition else {}
    r = app.get("/openapi.json")
    check_equal(r.status_code, 200, f"the status code of {DOC}", **extra)
    try:
        doc = json.loads(r.content)
    except ValueError:
        fail(f"expected {DOC} to answer a JSON document, got {describe(r.text[:120])}", **extra)
    check(isinstance(doc, dict), f"expected {DOC} to answer a JSON object", got=doc, **extra)
    return doc


def _operation(doc, method, which):
    op = operation(doc, method, which)
    check(
        op is not None,
        f'the document has no {method.upper()} {which} operation (under "paths")',
        hint="Document every operation of the API: make the test that lists them pass first.",
    )
    return op


def _status_problem(doc, method, which, situation, status):
    """A sentence if `status` is not among the operation's documented responses, else None."""
    op = operation(doc, method, which)
    if op is None:
        return f"the document has no {method.upper()} {which}, so its {status} {situation} is not documented"
    listed = documented_statuses(doc, op)
    if str(status) in listed:
        return None
    shown = ", ".join(c for c in listed) or "no responses at all"
    note = (
        ' ("default" and ranges such as "4XX" do not count: list the exact code)'
        if any(not c.isdigit() for c in listed)
        else ""
    )
    return f"{method.upper()} {which} returned {status} {situation}, but the document lists only {shown}{note}"


def _check_statuses(doc, seen):
    """`seen`: (method, which, situation, status) tuples; fails naming every undocumented one."""
    problems = [p for p in (_status_problem(doc, *s) for s in seen) if p]
    check(not problems, "; ".join(problems))


def _conformance_problem(doc, method, which, r, what):
    """A sentence if the body of `r` does not match the schema documented for its status, else None."""
    op = operation(doc, method, which)
    if op is None or str(r.status_code) not in documented_statuses(doc, op):
        return None  # not this test's business: the operation and status tests name those
    has_schema, schema = response_schema(doc, op, r.status_code)
    if not has_schema:
        return None
    try:
        body = json.loads(r.content)
    except ValueError:
        return (
            f"{what} answered {r.status_code} with a body that is not JSON, but the document "
            f"describes a JSON body for {r.status_code}: {describe(r.text[:80])}"
        )
    try:
        found = violations(doc, body, schema)
    except BadReference as error:
        return f"the schema documented for {method.upper()} {which} {r.status_code} is broken: {error}"
    if not found:
        return None
    return (
        f"the body of {what} ({r.status_code}) does not match the schema the document gives for "
        f"{method.upper()} {which} {r.status_code}: {found[0]} ($ is the whole body)"
    )


# --- tests: the API ---------------------------------------------------------------------------


@title("POST /bookmarks creates a bookmark and answers 201 with it")
@points(2)
@hint(
    "Answer 201 with the stored bookmark as JSON: the url, title and tags you were sent (tags "
    'defaults to [] when not sent), an "id" and a "created_at" such as "2026-03-01T12:30:00Z".'
)
def test_create_bookmark(app, rng):
    body = _body(rng)
    with checkpoint("created a bookmark with tags", points=1):
        _check_bookmark(_json(app.post(COLLECTION, json=body), 201, "POST /bookmarks"), body, "the created bookmark")
    body = _body(rng, tags=None)
    body["title"] = (body["title"] + " " + _token(rng) * 20)[:200]
    _check_bookmark(
        _json(app.post(COLLECTION, json=body), 201, "POST /bookmarks without tags and with a title of 200 characters"),
        body,
        "the bookmark created without tags",
    )


@title("POST /bookmarks rejects an invalid body with 400 or 422")
@points(2)
@hint(
    "Check the body before storing anything: url must be a string holding an http or https URL, "
    "title a string of 1 to 200 characters, tags (if sent) an array of strings. Answer 400 or "
    "422 otherwise, never 500 (a crash) and never 201."
)
def test_create_validation(app, rng):
    marker = _token(rng)
    titled = f"{marker} {rng.choice(WORDS)}"
    cases = [
        ('without "url"', _body(rng, url=None, title=titled)),
        ('without "title"', _body(rng, title=None)),
        ('with a "url" that is not http or https', _body(rng, url=rng.choice(NOT_HTTP_URLS), title=titled)),
        ('with a "url" that is not a URL', _body(rng, url=rng.choice(NOT_URLS), title=titled)),
        ('with a number as "url"', _body(rng, url=rng.randint(1, 9999), title=titled)),
        ('with an empty "title"', _body(rng, title="")),
        ('with a "title" of 201 characters', _body(rng, title=(titled + " " + "x" * 201)[:201])),
        ('with "tags" that is a string', _body(rng, title=titled, tags=",".join(rng.sample(WORDS, 2)))),
        ('with "tags" holding numbers', _body(rng, title=titled, tags=[rng.randint(1, 99), rng.randint(1, 99)])),
        ("with a JSON array instead of an object", [_body(rng, title=titled)]),
    ]
    with checkpoint(f"rejected a body {cases[0][0]} and {cases[1][0]}", points=1):
        for what, body in cases[:2]:
            _check_rejected(app.post(COLLECTION, json=body), f"POST /bookmarks {what}")
    for what, body in cases[2:]:
        _check_rejected(app.post(COLLECTION, json=body), f"POST /bookmarks {what}")
    r = app.post(COLLECTION, content=b'{"url": "https://unfinished', headers={"Content-Type": "application/json"})
    _check_rejected(r, "POST /bookmarks with a body that is not valid JSON")
    stored = [b.get("title") for b in _listed(app) if marker in str(b.get("title"))]
    check(not stored, "expected the rejected bodies to create no bookmark, but GET /bookmarks lists some", got=stored)


@title("GET /bookmarks/{id} and GET /bookmarks answer 200 with the bookmark")
@points(1)
@hint(
    "Look the bookmark up by the id in the path and answer 200 with the same JSON object that "
    "POST /bookmarks answered; GET /bookmarks answers 200 with an array of all of them."
)
def test_read_bookmark(app, rng):
    created = _create(app, _body(rng))
    path = _path(created["id"])
    check_equal(_json(app.get(path), 200, f"GET {path}"), created, f"the bookmark GET {path} answered")
    listed = [b for b in _listed(app) if b.get("id") == created["id"]]
    check_equal(listed, [created], "the bookmark just created, as GET /bookmarks lists it")


@title("GET, PATCH and DELETE on an id no bookmark has answer 404")
@points(1)
@hint(
    "When no bookmark has the id in the path, answer 404 for GET, PATCH and DELETE alike. "
    "PATCH must not create a bookmark."
)
def test_missing_bookmark_404(app, rng):
    created = _create(app, _body(rng))
    path = _path(_missing_id(rng, created["id"]))
    check_equal(app.get(path).status_code, 404, f"the status code of GET {path}")
    check_equal(app.patch(path, json={"title": _token(rng)}).status_code, 404, f"the status code of PATCH {path}")
    check_equal(app.delete(path).status_code, 404, f"the status code of DELETE {path}")
    check_equal(app.get(path).status_code, 404, f"the status code of GET {path} after the PATCH")


@title("PATCH /bookmarks/{id} changes only the fields sent")
@points(2)
@hint(
    "PATCH takes a partial body: change the fields it holds, keep the others (and id and "
    "created_at), and answer 200 with the whole bookmark. Validate the fields it holds as POST "
    "does: a bad url answers 400 or 422 and changes nothing."
)
def test_patch_bookmark(app, rng):
    created = _create(app, _body(rng))
    path = _path(created["id"])
    new_title = f"{_token(rng)} {rng.choice(WORDS)}"
    expected = {**created, "title": new_title}
    with checkpoint("PATCH changed the title alone", points=1):
        data = _json(app.patch(path, json={"title": new_title}), 200, f'PATCH {path} with only "title"')
        check_equal(data, expected, f'the bookmark PATCH {path} answered (only "title" changed)')
    new_tags = rng.sample(WORDS, rng.randint(1, 3))
    expected = {**expected, "tags": new_tags}
    data = _json(app.patch(path, json={"tags": new_tags}), 200, f'PATCH {path} with only "tags"')
    check_equal(data, expected, f'the bookmark PATCH {path} answered (only "tags" changed)')
    _check_rejected(app.patch(path, json={"url": _bad_url(rng)}), f'PATCH {path} with a bad "url"')
    check_equal(
        _json(app.get(path), 200, f"GET {path}"),
        expected,
        f"the bookmark GET {path} answers after the two PATCHes and a rejected one",
    )


@title("DELETE /bookmarks/{id} answers 204 and the bookmark is gone")
@points(1)
@hint("Remove the bookmark and answer 204 with an empty body; afterwards GET on its id answers 404.")
def test_delete_bookmark(app, rng):
    created = _create(app, _body(rng))
    path = _path(created["id"])
    r = app.delete(path)
    check_equal(r.status_code, 204, f"the status code of DELETE {path}")
    check_equal(r.content, b"", f"the body of DELETE {path}")
    check_equal(app.get(path).status_code, 404, f"the status code of GET {path} after the delete")


@title("GET /bookmarks?tag= lists only the bookmarks with that tag")
@points(2)
@hint("Keep a bookmark when the tag is one of its tags, exactly (same case). Without ?tag, list every bookmark.")
def test_tag_filter(app, rng):
    tag = _token(rng)
    tagged = [_create(app, _body(rng, tags=rng.sample(WORDS, 2) + [tag])) for _ in range(rng.randint(2, 3))]
    _create(app, _body(rng))
    _create(app, _body(rng, tags=[tag.upper()], title=f"Not {tag}"))  # another case: another tag
    found = sorted(map(str, (b.get("id") for b in _listed(app, {"tag": tag}))))
    check_equal(found, sorted(str(b["id"]) for b in tagged), f"the ids GET /bookmarks?tag={tag} answered")


# --- tests: the document ----------------------------------------------------------------------


@title("GET /openapi.json answers an OpenAPI 3 document")
@points(2)
@hint(
    'Serve a JSON object with "openapi": "3.0.3" or "3.1.0", "info" with a "title" and a '
    '"version" (strings), and "paths". FastAPI does this for you; in Express, res.json(yourDocument).'
)
def test_document_valid(app):
    doc = _document(app, precondition=False)
    version = doc.get("openapi")
    check(
        isinstance(version, str) and re.match(r"^3\.\d+(\.\d+)?$", version) is not None,
        'expected the document\'s "openapi" to be a version string such as "3.1.0"',
        got=version,
    )
    info = doc.get("info")
    check(isinstance(info, dict), 'expected the document to have an "info" object', got=info)
    check(
        isinstance(info.get("title"), str) and info["title"].strip() != "",
        'expected "info.title" to be a non-empty string',
        got=info.get("title"),
    )
    check(
        isinstance(info.get("version"), str) and info["version"].strip() != "",
        'expected "info.version" to be a non-empty string such as "1.0.0"',
        got=info.get("version"),
    )
    check(isinstance(doc.get("paths"), dict), 'expected the document to have a "paths" object', got=doc.get("paths"))


@title("The document describes every operation of the API")
@points(2)
@hint(
    'Under "paths", "/bookmarks" needs "post" and "get", and "/bookmarks/{id}" (any parameter '
    'name) needs "get", "patch" and "delete", each with its "responses".'
)
def test_document_operations(app):
    doc = _document(app)
    missing = [f"{m.upper()} {w}" for m, w in OPERATIONS if operation(doc, m, w) is None]
    check(
        not missing,
        f"the document does not describe {', '.join(missing)}",
        got=sorted(
            f"{m.upper()} {p}"
            for p, item in doc.get("paths", {}).items()
            if isinstance(item, dict)
            for m in item
            if m in {"get", "put", "post", "patch", "delete"}
        )
        or "no operations",
    )


@title("POST /bookmarks documents the status codes it returns")
@points(2)
@hint(
    'Every status code the API can return must be a key of the operation\'s "responses": '
    "201 for a created bookmark and your 400 or 422 for an invalid body. In FastAPI, "
    "status_code=201 on the route; in a hand-written document, one entry per code."
)
def test_create_statuses_documented(app, rng):
    doc = _document(app)
    created = app.post(COLLECTION, json=_body(rng)).status_code
    rejected = app.post(COLLECTION, json=_body(rng, url=_bad_url(rng))).status_code
    _check_statuses(
        doc,
        [
            ("post", COLLECTION, "when creating a bookmark", created),
            ("post", COLLECTION, 'for a body with an invalid "url"', rejected),
        ],
    )


@title("GET /bookmarks and GET /bookmarks/{id} document the status codes they return")
@points(1)
@hint(
    "List 200 for GET /bookmarks, and both 200 and 404 for GET /bookmarks/{id}. FastAPI cannot "
    "see an HTTPException's 404: declare it with responses={404: {...}} on the route."
)
def test_read_statuses_documented(app, rng):
    doc = _document(app)
    created = _create(app, _body(rng))
    _check_statuses(
        doc,
        [
            ("get", COLLECTION, "when listing bookmarks", app.get(COLLECTION).status_code),
            ("get", ITEM, "for an existing bookmark", app.get(_path(created["id"])).status_code),
            ("get", ITEM, "for an id no bookmark has", app.get(_path(_missing_id(rng, created["id"]))).status_code),
        ],
    )


@title("PATCH /bookmarks/{id} documents the status codes it returns")
@points(1)
@hint(
    "List 200 (changed), 404 (no such bookmark) and your 400 or 422 (invalid body) under the "
    'PATCH operation\'s "responses".'
)
def test_patch_statuses_documented(app, rng):
    doc = _document(app)
    created = _create(app, _body(rng))
    path, missing = _path(created["id"]), _path(_missing_id(rng, created["id"]))
    _check_statuses(
        doc,
        [
            ("patch", ITEM, "when changing the title", app.patch(path, json={"title": _token(rng)}).status_code),
            ("patch", ITEM, "for an id no bookmark has", app.patch(missing, json={"title": _token(rng)}).status_code),
            (
                "patch",
                ITEM,
                'for a body with an invalid "url"',
                app.patch(path, json={"url": _bad_url(rng)}).status_code,
            ),
        ],
    )


@title("DELETE /bookmarks/{id} documents the status codes it returns")
@points(1)
@hint(
    'List 204 (deleted) and 404 (no such bookmark) under the DELETE operation\'s "responses"; '
    "a 204 response has no content."
)
def test_delete_statuses_documented(app, rng):
    doc = _document(app)
    created = _create(app, _body(rng))
    _check_statuses(
        doc,
        [
            ("delete", ITEM, "for an existing bookmark", app.delete(_path(created["id"])).status_code),
            (
                "delete",
                ITEM,
                "for an id no bookmark has",
                app.delete(_path(_missing_id(rng, created["id"]))).status_code,
            ),
        ],
    )


@title("The document describes a bookmark and a list of bookmarks")
@points(1)
@hint(
    'Give GET /bookmarks/{id}\'s 200 response an "application/json" schema: an object (best '
    'a "$ref" to "#/components/schemas/Bookmark") whose "properties" and "required" name id, '
    "url, title, tags and created_at. GET /bookmarks's 200 is an array of it."
)
def test_bookmark_schema_documented(app):
    doc = _document(app)
    has_schema, schema = response_schema(doc, _operation(doc, "get", ITEM), 200)
    check(
        has_schema,
        'expected GET /bookmarks/{id} to document a 200 response with "application/json" content and a schema',
    )
    try:
        props, required = object_view(doc, schema)
        check(
            not set(FIELDS) - props.keys(),
            f'expected the bookmark schema\'s "properties" to name {", ".join(FIELDS)}',
            got=sorted(props),
        )
        check(
            not set(FIELDS) - required,
            f'expected the bookmark schema\'s "required" to list {", ".join(FIELDS)}: the API always sends them',
            got=sorted(required),
        )
        check(
            type_names(doc, props["id"]) & {"integer", "string"},
            'expected the bookmark schema to give "id" the type "integer" or "string"',
            got=props["id"],
        )
        has_list, listing = response_schema(doc, _operation(doc, "get", COLLECTION), 200)
        check(
            has_list and "array" in type_names(doc, listing),
            'expected GET /bookmarks to document a 200 response whose JSON schema is an "array"',
            got=listing if has_list else "no JSON schema",
        )
    except BadReference as error:
        fail(f"the bookmark schema is broken: {error}")


@title("The bodies the API returns match the documented schemas")
@points(3)
@hint(
    "Every JSON body must fit the schema the document gives for its operation and status: types "
    "(an id the API sends as a string must not be documented as an integer), required fields, "
    "array items, and your error bodies too."
)
def test_responses_match_schema(app, rng):
    doc = _document(app)
    body = _body(rng)
    create = app.post(COLLECTION, json=body)
    check_equal(
        create.status_code,
        201,
        "the status code of POST /bookmarks (creating a bookmark)",
        hint="This test needs POST /bookmarks to work first: make the create test pass.",
    )
    bookmark_id = create.json().get("id")
    path, missing = _path(bookmark_id), _path(_missing_id(rng, bookmark_id))
    answers = [
        ("post", COLLECTION, create, "POST /bookmarks"),
        ("get", ITEM, app.get(path), f"GET {path}"),
        (
            "get",
            COLLECTION,
            app.get(COLLECTION, params={"tag": body["tags"][0]}),
            f"GET /bookmarks?tag={body['tags'][0]}",
        ),
        ("patch", ITEM, app.patch(path, json={"title": _token(rng)}), f"PATCH {path}"),
        ("post", COLLECTION, app.post(COLLECTION, json=_body(rng, title=None)), 'POST /bookmarks without "title"'),
        ("get", ITEM, app.get(missing), f"GET {missing}"),
    ]
    problems = [p for p in (_conformance_problem(doc, *a) for a in answers) if p]
    check(not problems, "; ".join(problems))


@title("The request body of POST and PATCH is documented")
@points(2)
@hint(
    'POST /bookmarks needs a "requestBody" with "application/json" content whose schema has '
    '"properties" url, title and tags, and "required": ["url", "title"]. PATCH takes a partial '
    "body: its schema must not require any field."
)
def test_request_body_documented(app):
    doc = _document(app)
    try:
        has_schema, schema = json_schema_of(doc, _operation(doc, "post", COLLECTION).get("requestBody"))
        check(
            has_schema,
            'expected POST /bookmarks to document a "requestBody" with "application/json" content and a schema',
        )
        props, required = object_view(doc, schema)
        check(
            not {"url", "title", "tags"} - props.keys(),
            'expected the POST /bookmarks body schema\'s "properties" to name url, title and tags',
            got=sorted(props),
        )
        check(
            {"url", "title"} <= required,
            'expected the POST /bookmarks body schema to mark "url" and "title" as required',
            got=sorted(required),
        )
        has_patch, patch = json_schema_of(doc, _operation(doc, "patch", ITEM).get("requestBody"))
        check(
            has_patch,
            'expected PATCH /bookmarks/{id} to document a "requestBody" with "application/json" content and a schema',
        )
        patch_props, patch_required = object_view(doc, patch)
        check(
            not {"url", "title", "tags"} - patch_props.keys(),
            'expected the PATCH body schema\'s "properties" to name url, title and tags',
            got=sorted(patch_props),
        )
        check(
            not patch_required,
            "expected the PATCH body schema to require no field (a PATCH may send any of them)",
            got=sorted(patch_required),
        )
    except BadReference as error:
        fail(f"a request body schema is broken: {error}")


@title("The ?tag= filter is documented as a query parameter")
@points(1)
@hint(
    'Give GET /bookmarks a parameter {"name": "tag", "in": "query"} that is not required. In '
    "FastAPI, a function argument tag: str | None = None does it."
)
def test_tag_filter_documented(app):
    doc = _document(app)
    _operation(doc, "get", COLLECTION)
    found = [p for p in parameters(doc, COLLECTION, "get") if p.get("name") == "tag"]
    check(
        found,
        'expected GET /bookmarks to list a parameter named "tag"',
        got=[p.get("name") for p in parameters(doc, COLLECTION, "get")] or "no parameters",
    )
    check_equal(found[0].get("in"), "query", 'the "in" of the "tag" parameter')
    check(
        found[0].get("required") is not True,
        'expected the "tag" parameter not to be required: GET /bookmarks without it lists everything',
    )
