"""Grader suite for the stage 10 capstone (see the exercise's README for the brief).

A capstone is the learner's own design, so the suite checks only the platform contract every
capstone shares: /health, an OpenAPI document that the API lives up to, JSON 404s, no 5xx on
malformed JSON, Content-Type headers, and persistence across a restart through the manifest at
GET /capstone.json. A mentor reviews everything else. contract.py reads the two documents.

Tests share one running app: each signs in a fresh user (the manifest's "{random}") and creates
its own resource, and never assumes the store is empty.
"""

import json

from contract import (
    BODY_METHODS,
    ContractError,
    documents_status,
    field,
    fill,
    has_client_error,
    operations,
    parse_manifest,
    read_path,
    status_keys,
    without_parameters,
)

from stagecraft_grader import (
    WORDS,
    ExchangeError,
    check,
    check_equal,
    checkpoint,
    fail,
    hint,
    not_graded,
    points,
    title,
)

MAX_CALLS = 20  # documented operations called per test, at most
DOC = "GET /openapi.json"
# The tests that check what the preconditions below only need to work: a precondition that cannot
# be met skips the test (worth nothing) and names the test to make pass first (no cascades).
OPENAPI_DOCUMENT = '"GET /openapi.json serves an OpenAPI 3 document with a title and a description"'
OPENAPI_OPERATIONS = '"The OpenAPI document lists at least 4 operations across at least 2 paths"'
MANIFEST = '"GET /capstone.json describes how to create and read back a resource"'
CREATE_AND_READ = '"The manifest\'s create and read steps work"'
PLATFORM_GETS = {("get", "/health"), ("get", "/openapi.json"), ("get", "/capstone.json")}  # exempt if documented
MALFORMED = ['{"name": "unfinished', '{"a": 1,}', "{'single': 'quotes'}", "{name: 1}", '{"a": 1} trailing']


# --- helpers ----------------------------------------------------------------------------------


def _random(rng):
    return f"{rng.getrandbits(48):012x}"


def _is_json_type(r):
    return r.content_type == "application/json" or r.content_type.endswith("+json")


def _json(r, status, what, hint=None):
    check_equal(r.status_code, status, f"the status code of {what}", hint=hint)
    check(
        _is_json_type(r),
        f"expected {what} to answer JSON (Content-Type: application/json)",
        got=r.content_type or "none",
    )
    return r.json()


def _need(condition, message, test, *, precondition=True):
    """Check `condition`. As a precondition (what another test checks), a false one skips the test,
    worth nothing, naming `test` to make pass first; otherwise it fails the test with `message`."""
    if condition:
        return
    if precondition:
        not_graded(f"{message}: make the test {test} pass first")
    fail(message)


def _doc_or_none(app):
    """The OpenAPI document with its "paths", or None: for tests that can do without it."""
    r = app.get("/openapi.json")
    try:
        doc = json.loads(r.content) if r.status_code == 200 else None
    except ValueError:
        doc = None
    return doc if isinstance(doc, dict) and isinstance(doc.get("paths"), dict) else None


def _load_doc(app):
    """The OpenAPI document, as a precondition: when there is none, the test is skipped."""
    doc = _doc_or_none(app)
    _need(
        doc is not None, f'this test reads your OpenAPI document, but {DOC} answers none with "paths"', OPENAPI_DOCUMENT
    )
    return doc


def _ops(doc, *, precondition=True):
    try:
        return operations(doc)
    except ContractError as e:
        _need(False, f"your OpenAPI document: {e}", OPENAPI_OPERATIONS, precondition=precondition)


def _ops_or_none(doc):
    try:
        return operations(doc)
    except ContractError:
        return None


def _load_manifest(app, *, precondition=True):
    r = app.get("/capstone.json")
    test = MANIFEST
    _need(
        r.status_code == 200,
        f"expected GET /capstone.json to answer 200, got {r.status_code}",
        test,
        precondition=precondition,
    )
    try:
        return parse_manifest(json.loads(r.content))
    except ValueError:
        _need(False, "expected GET /capstone.json to answer a JSON object", test, precondition=precondition)
    except ContractError as e:
        _need(False, f"your manifest (GET /capstone.json): {e}", test, precondition=precondition)


def _auth(token):
    return {"Authorization": f"Bearer {token}"} if token else {}


def _send(app, step, random, token=None):
    return app.request(step["method"], step["path"], json=fill(step["body"], random), headers=_auth(token))


def _sign_in(app, manifest, random, *, register=True, precondition=False):
    """The Bearer token from the manifest's auth steps (None when the API needs no auth)."""
    if "login" not in manifest:
        return None
    steps = [("register", manifest["register"])] if register and "register" in manifest else []
    for name, step in [*steps, ("login", manifest["login"])]:
        r = _send(app, step, random)
        what = f"{step['method']} {step['path']} (the manifest's {name} step)"
        _need(
            200 <= r.status_code < 300,
            f"expected {what} to answer 2xx, got {r.status_code}",
            CREATE_AND_READ,
            precondition=precondition,
        )
    try:
        answer = json.loads(r.content)
    except ValueError:
        answer = None
    token = field(answer, manifest["login"]["token_field"])
    _need(
        isinstance(token, str) and token,
        f'expected the login answer to hold a token at "{manifest["login"]["token_field"]}", got {r.text[:200]!r}',
        CREATE_AND_READ,
        precondition=precondition,
    )
    return token


def _try_token(app, rng):
    """A token when the manifest has auth steps that work, else None: for tests about something else."""
    try:
        manifest = parse_manifest(app.get("/capstone.json").json())
        return _sign_in(app, manifest, _random(rng))
    except (AssertionError, ContractError, ExchangeError):
        return None


def _create(app, manifest, random, token, *, precondition=False):
    step = manifest["create"]
    what = f"{step['method']} {step['path']} (the manifest's create step)"
    r = _send(app, step, random, token)
    _need(
        r.status_code in (200, 201),
        f"expected {what} to answer 201 (or 200), got {r.status_code}",
        CREATE_AND_READ,
        precondition=precondition,
    )
    if not precondition:
        check(_is_json_type(r), f"expected {what} to answer JSON", got=r.content_type or "none")
    try:
        answer = json.loads(r.content)
    except ValueError:
        answer = None
    resource_id = field(answer, manifest["read"]["id_field"])
    _need(
        isinstance(resource_id, (str, int)) and not isinstance(resource_id, bool) and str(resource_id) != "",
        f'expected the answer of {what} to hold an id (a string or an integer) at "{manifest["read"]["id_field"]}", '
        f"got {r.text[:200]!r}",
        CREATE_AND_READ,
        precondition=precondition,
    )
    return resource_id


def _read(app, manifest, resource_id, token, when=""):
    path = read_path(manifest, resource_id)
    return _json(app.get(path, headers=_auth(token)), 200, f"GET {path}{when} (the manifest's read step)")


# --- health and the OpenAPI document ------------------------------------------------------------


@title('GET /health answers 200 with {"status": "ok"}')
@points(1)
@hint(
    'Add GET /health answering 200 with the JSON object {"status": "ok"} (lower-case "ok"; other fields are allowed).'
)
def test_health(app):
    data = _json(app.get("/health"), 200, "GET /health")
    check(isinstance(data, dict), "expected GET /health to answer a JSON object", got=data)
    check_equal(data.get("status"), "ok", 'the "status" of GET /health')


@title("GET /openapi.json serves an OpenAPI 3 document with a title and a description")
@points(2)
@hint(
    'Serve your OpenAPI document at GET /openapi.json: "openapi" "3.x.y", an "info" object with '
    '"title", "version" and a "description" of at least one sentence (three words or more), and a "paths" object.'
)
def test_openapi_document(app):
    doc = _json(app.get("/openapi.json"), 200, DOC)
    check(isinstance(doc, dict), f"expected {DOC} to answer a JSON object", got=doc)
    version = doc.get("openapi")
    check(
        isinstance(version, str) and version.startswith("3."),
        'expected "openapi" to be a version such as "3.1.0"',
        got=version,
    )
    info = doc.get("info")
    check(isinstance(info, dict), 'expected an "info" object', got=info)
    check(
        isinstance(info.get("title"), str) and info["title"].strip(),
        'expected "info.title" to be a non-empty string',
        got=info.get("title"),
    )
    check(
        isinstance(info.get("version"), str) and info["version"].strip(),
        'expected "info.version" to be a non-empty string',
        got=info.get("version"),
    )
    description = info.get("description")
    check(
        isinstance(description, str) and len(description.split()) >= 3,
        'expected "info.description" to describe the API in at least one sentence (three words or more)',
        got=description,
    )
    check(isinstance(doc.get("paths"), dict), 'expected a "paths" object', got=doc.get("paths"))


@title("The OpenAPI document lists at least 4 operations across at least 2 paths")
@points(2)
@hint(
    'Document every route of your API under "paths": at least 4 operations (a method on a path, such as '
    '"get" on "/expenses") spread over at least 2 paths, not counting /health, /openapi.json and /capstone.json.'
)
def test_openapi_operations(app):
    ops = [(m, p, op) for m, p, op in _ops(_load_doc(app), precondition=False) if (m, p) not in PLATFORM_GETS]
    listed = [f"{method.upper()} {path}" for method, path, _ in ops]
    check(len(ops) >= 4, "expected at least 4 operations in the document", got=listed)
    check(len({path for _, path, _ in ops}) >= 2, "expected the operations to span at least 2 paths", got=listed)


@title("Every documented operation lists at least one 4xx response")
@points(1)
@hint(
    'Under each operation\'s "responses", list the client errors it can answer (such as "400", "401", "404" '
    'or "422"), with a description: clients need to know how a request can fail. GET /health, /openapi.json '
    "and /capstone.json are exempt."
)
def test_openapi_error_responses(app):
    doc = _load_doc(app)
    ops = [(m, p, op) for m, p, op in _ops(doc) if (m, p) not in PLATFORM_GETS]
    _need(ops, "this test needs the document to list the operations of your API", OPENAPI_OPERATIONS)
    missing = [f"{method.upper()} {path}" for method, path, op in ops if not has_client_error(doc, op)]
    check_equal(missing, [], "the operations that list no 4xx response")


@title("Every documented GET without path parameters answers a status it documents, never 5xx")
@points(2)
@hint(
    "The grader calls each GET operation whose path has no {parameters}, without query parameters, first "
    "without a token and then (if your manifest signs in) with one. Each answer's status must be listed "
    "under that operation's responses (a 401 for a missing token too), and must never be 5xx."
)
def test_documented_gets(app, rng):
    doc = _load_doc(app)
    gets = [(path, op) for method, path, op in _ops(doc) if method == "get" and without_parameters(path)][:MAX_CALLS]
    check(gets, "expected at least one documented GET operation without path parameters")
    token = _try_token(app, rng)
    for path, op in gets:
        for label, headers in [("without a token", {})] + ([("with a token", _auth(token))] if token else []):
            r = app.get(path, headers=headers)
            what = f"GET {path} {label}"
            check(r.status_code < 500, f"expected {what} not to answer a server error", got=r.status_code)
            check(
                documents_status(doc, op, r.status_code),
                f"expected {what} to answer a status listed in its documented responses",
                got=r.status_code,
                expected=f"one of {', '.join(status_keys(doc, op))}",
            )


# --- errors and headers ---------------------------------------------------------------------------


@title("Unknown routes answer 404 with a JSON body")
@points(1)
@hint('Add a catch-all for every method that answers 404 with a JSON body such as {"error": "not found"}.')
def test_unknown_route_404(app, rng):
    path = f"/{rng.choice(WORDS)}-{_random(rng)}/{rng.randint(1, 999)}"
    _json(app.get(path), 404, f"GET {path}")
    path = f"/{rng.choice(WORDS)}-{_random(rng)}"
    method = rng.choice(["POST", "PUT", "DELETE"])
    _json(app.request(method, path, json={"word": rng.choice(WORDS)}), 404, f"{method} {path}")


@title("A malformed JSON body answers 4xx, never 5xx")
@points(2)
@hint(
    "Catch JSON parse errors and answer 400 (or 422) with a JSON error: in Express, add an error handler "
    "that maps body-parser's errors (err.status 400) to 400 instead of answering 500 for every error; in "
    "FastAPI, declare the body as a Pydantic model or catch the error of request.json()."
)
def test_malformed_json_4xx(app, rng):
    targets = {}
    doc = _doc_or_none(app)  # without a document, the manifest's steps are still worth sending
    for method, path, _ in (_ops_or_none(doc) or []) if doc is not None else []:
        if method in BODY_METHODS and without_parameters(path):
            targets.setdefault((method.upper(), path), None)
    try:
        manifest = parse_manifest(app.get("/capstone.json").json())
        for name in ("register", "login", "create"):
            if name in manifest:
                targets.setdefault((manifest[name]["method"], manifest[name]["path"]), None)
    except (AssertionError, ContractError):
        pass
    check(
        targets,
        "expected a documented POST, PUT or PATCH operation without path parameters (or a manifest) to send a body to",
    )
    token = _try_token(app, rng)
    for method, path in list(targets)[:MAX_CALLS]:
        for label, auth in [("", {})] + ([(" with a token", _auth(token))] if token else []):
            body = rng.choice(MALFORMED)
            r = app.request(method, path, content=body, headers={"Content-Type": "application/json", **auth})
            check(
                400 <= r.status_code < 500,
                f"expected {method} {path}{label} with the malformed JSON body {body} to answer 4xx",
                got=r.status_code,
            )


@title("Every response with a body carries a Content-Type")
@points(1)
@hint(
    "Send a Content-Type header with every body (application/json for JSON): frameworks do it for you "
    "when you answer with their JSON helpers; a hand-written response needs it too."
)
def test_content_type(app, rng):
    paths = ["/health", "/openapi.json", "/capstone.json", f"/{rng.choice(WORDS)}-{_random(rng)}"]
    doc = _doc_or_none(app)  # without a document, the fixed paths are checked
    ops = (_ops_or_none(doc) or []) if doc is not None else []
    paths += [path for method, path, _ in ops if method == "get" and without_parameters(path)][:MAX_CALLS]
    for path in dict.fromkeys(paths):
        r = app.get(path)
        if r.content:
            check(
                r.headers.get("content-type"),
                f"expected GET {path} (status {r.status_code}) to send a Content-Type header with its body",
                got="none",
            )


# --- the manifest and persistence ----------------------------------------------------------------


@title("GET /capstone.json describes how to create and read back a resource")
@points(1)
@hint(
    'Serve the manifest at GET /capstone.json: "create" {method, path, body}, "read" {path_template with '
    '"{id}", id_field} and, if your API needs a token, "auth" with a "login" step (method, path, body, '
    'token_field) and maybe a "register" step. The README shows an example.'
)
def test_capstone_manifest(app):
    _load_manifest(app, precondition=False)


@title("The manifest's create and read steps work")
@points(2)
@hint(
    "The grader runs your manifest: the register and login steps (each 2xx; the login answer holds the token), "
    "then create (201 or 200, the id at id_field), then GET path_template with the id, which must answer 200 "
    "with JSON holding the same id at id_field. Try the same requests with curl."
)
def test_create_and_read(app, rng):
    manifest = _load_manifest(app)
    random = _random(rng)
    with checkpoint("signed in and created the resource", points=1):
        token = _sign_in(app, manifest, random)
        resource_id = _create(app, manifest, random, token)
    data = _read(app, manifest, resource_id, token)
    check_equal(
        field(data, manifest["read"]["id_field"]),
        resource_id,
        f'the "{manifest["read"]["id_field"]}" of the resource read back',
    )


@title("Data survives a restart of the app")
@points(3)
@hint(
    "Keep users and resources in a database file (under $DATA_DIR, or next to your code) or in a database "
    "service, never only in memory: the grader creates a resource, restarts your app, signs in again with "
    "the manifest's login step and reads the resource back. It must answer exactly what it answered before "
    "the restart."
)
def test_data_survives_restart(app, app_control, rng):
    manifest = _load_manifest(app)
    random = _random(rng)
    token = _sign_in(app, manifest, random, precondition=True)
    resource_id = _create(app, manifest, random, token, precondition=True)
    r = app.get(read_path(manifest, resource_id), headers=_auth(token))
    _need(
        r.status_code == 200 and _is_json_type(r),
        f"expected the manifest's read step to answer 200 with JSON, got {r.status_code} "
        f"({r.content_type or 'no Content-Type'})",
        CREATE_AND_READ,
    )
    before = r.json()
    app_control.restart()
    with checkpoint("signed in again after the restart", points=1):
        token = _sign_in(app, manifest, random, register=False)
    with checkpoint("the resource is back after the restart", points=1):
        after = _read(app, manifest, resource_id, token, " after the restart")
    with checkpoint("the resource reads as before the restart", points=1):
        check_equal(after, before, "the resource read back after the restart (compared with the answer before it)")
