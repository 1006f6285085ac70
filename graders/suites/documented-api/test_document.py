"""The documented-api suite, second half: the OpenAPI document at GET /openapi.json must describe
what the API really does (see the exercise's README).

The document tests watch the API: they send requests, note the status code and body that came
back, and look them up in the document. openapi_check.py reads the document (operations, local
$refs) and checks bodies against its schemas.
"""

import json
import re

from bookmarks import (
    CREATE,
    DOC,
    DOCUMENT_OPERATIONS,
    DOCUMENT_VALID,
    FIELDS,
    bad_url,
    bookmark_body,
    create_bookmark,
    item_path,
    json_or_none,
    missing_id,
    random_token,
)
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

from stagecraft_grader import check, check_equal, fail, hint, not_graded, points, title
from stagecraft_grader.shapes import find_id, unwrap

# --- the document -----------------------------------------------------------------------------


def _document(app, *, precondition=True):
    """The parsed OpenAPI document.

    For the test about the document itself, an unusable one fails; as a precondition of another
    test, it skips that test (worth nothing), which names the test to make pass first.
    """
    r = app.get("/openapi.json")
    try:
        doc = json.loads(r.content) if r.status_code == 200 else None
    except ValueError:
        doc = None
    if precondition:
        if not isinstance(doc, dict):
            not_graded(f"this test reads your OpenAPI document: make the test {DOCUMENT_VALID} pass first")
        return doc
    check_equal(r.status_code, 200, f"the status code of {DOC}")
    if doc is None:
        fail(f"expected {DOC} to answer a JSON document, got {describe(r.text[:120])}")
    check(isinstance(doc, dict), f"expected {DOC} to answer a JSON object", got=doc)
    return doc


def _operation(doc, method, which):
    """The documented operation; when the document lacks it, the test is not graded (another test says why)."""
    op = operation(doc, method, which)
    if op is None:
        not_graded(
            f'the document has no {method.upper()} {which} operation (under "paths"): '
            f"make the test {DOCUMENT_OPERATIONS} pass first"
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
    """`seen`: (method, which, situation, status) tuples; fails naming every undocumented one.

    An operation the document lacks is the operations test's to report: it is left out here, and
    when every operation is missing, the test is not graded.
    """
    present = [s for s in seen if operation(doc, s[0], s[1]) is not None]
    if not present:
        not_graded(f"the document lacks these operations: make the test {DOCUMENT_OPERATIONS} pass first")
    problems = [p for p in (_status_problem(doc, *s) for s in present) if p]
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
    created = app.post(COLLECTION, json=bookmark_body(rng)).status_code
    rejected = app.post(COLLECTION, json=bookmark_body(rng, url=bad_url(rng))).status_code
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
    created = create_bookmark(app, bookmark_body(rng))
    _check_statuses(
        doc,
        [
            ("get", COLLECTION, "when listing bookmarks", app.get(COLLECTION).status_code),
            ("get", ITEM, "for an existing bookmark", app.get(item_path(created["id"])).status_code),
            ("get", ITEM, "for an id no bookmark has", app.get(item_path(missing_id(rng, created["id"]))).status_code),
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
    created = create_bookmark(app, bookmark_body(rng))
    path, missing = item_path(created["id"]), item_path(missing_id(rng, created["id"]))
    _check_statuses(
        doc,
        [
            ("patch", ITEM, "when changing the title", app.patch(path, json={"title": random_token(rng)}).status_code),
            (
                "patch",
                ITEM,
                "for an id no bookmark has",
                app.patch(missing, json={"title": random_token(rng)}).status_code,
            ),
            (
                "patch",
                ITEM,
                'for a body with an invalid "url"',
                app.patch(path, json={"url": bad_url(rng)}).status_code,
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
    created = create_bookmark(app, bookmark_body(rng))
    _check_statuses(
        doc,
        [
            ("delete", ITEM, "for an existing bookmark", app.delete(item_path(created["id"])).status_code),
            (
                "delete",
                ITEM,
                "for an id no bookmark has",
                app.delete(item_path(missing_id(rng, created["id"]))).status_code,
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
    body = bookmark_body(rng)
    create = app.post(COLLECTION, json=body)
    bookmark_id = find_id(unwrap(json_or_none(create))) if 200 <= create.status_code < 300 else None
    if bookmark_id is None:
        not_graded(f"this test needs POST /bookmarks to create a bookmark first: make the test {CREATE} pass first")
    path, missing = item_path(bookmark_id), item_path(missing_id(rng, bookmark_id))
    answers = [
        ("post", COLLECTION, create, "POST /bookmarks"),
        ("get", ITEM, app.get(path), f"GET {path}"),
        (
            "get",
            COLLECTION,
            app.get(COLLECTION, params={"tag": body["tags"][0]}),
            f"GET /bookmarks?tag={body['tags'][0]}",
        ),
        ("patch", ITEM, app.patch(path, json={"title": random_token(rng)}), f"PATCH {path}"),
        (
            "post",
            COLLECTION,
            app.post(COLLECTION, json=bookmark_body(rng, title=None)),
            'POST /bookmarks without "title"',
        ),
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
