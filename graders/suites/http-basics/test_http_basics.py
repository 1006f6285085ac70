"""Grader suite for the stage 1 exercise http-basics (see the exercise's README for the brief)."""

from stagecraft_grader import WORDS, check, check_equal, hint, points, title

GREETING = "Hello, Stagecraft!"


def _random_message(rng):
    # Spaces and an "&" make sure the app decodes the query string instead of slicing it.
    return f"{rng.choice(WORDS)} {rng.choice(WORDS)} & {rng.randint(100, 999)}"


def _check_json(r, status):
    check_equal(r.status_code, status, "the status code")
    check_equal(r.content_type, "application/json", "the Content-Type media type")
    return r.json()


@title("GET / answers 200 with the greeting")
@points(1)
@hint('Answer GET / with status 200 and the body "Hello, Stagecraft!" (nothing else).')
def test_root_greeting(app):
    r = app.get("/")
    check_equal(r.status_code, 200, "the status code")
    check_equal(r.text.strip(), GREETING, "the body")


@title("GET / says its body is UTF-8 plain text")
@points(1)
@hint('Send the header "Content-Type: text/plain; charset=utf-8" with the greeting.')
def test_root_content_type(app):
    r = app.get("/")
    check_equal(r.status_code, 200, "the status code")
    content_type = r.headers.get("content-type", "")
    check_equal(r.content_type, "text/plain", "the Content-Type media type")
    params = content_type.lower().replace(" ", "").split(";")[1:]
    check("charset=utf-8" in params, "expected the Content-Type to include charset=utf-8", got=content_type)


@title('GET /health answers JSON {"status": "ok"}')
@points(1)
@hint('Serialise {"status": "ok"} with json.dumps and send "Content-Type: application/json".')
def test_health_json(app):
    data = _check_json(app.get("/health"), 200)
    check_equal(data, {"status": "ok"}, "the JSON body")


@title("GET /echo?message=... returns the decoded message as JSON")
@points(2)
@hint(
    "Parse the query string (urllib.parse.parse_qs decodes %20 and friends) and return "
    'the value of "message" as {"message": "..."}.'
)
def test_echo_query(app, rng):
    message = _random_message(rng)
    data = _check_json(app.get("/echo", params={"message": message}), 200)
    check_equal(data, {"message": message}, "the JSON body")


@title("GET /echo without a message answers 400")
@points(1)
@hint('When the query has no "message", answer 400 with a JSON body like {"error": "..."}.')
def test_echo_missing_message(app):
    data = _check_json(app.get("/echo"), 400)
    check(
        isinstance(data, dict) and isinstance(data.get("error"), str),
        'expected a JSON object with a string "error"',
        got=data,
    )


@title("POST /echo returns the message from a JSON body")
@points(2)
@hint(
    "Read exactly Content-Length bytes from the request body, parse them as JSON and return "
    'the "message" field as {"message": "..."}.'
)
def test_echo_body(app, rng):
    message = _random_message(rng)
    data = _check_json(app.post("/echo", json={"message": message}), 200)
    check_equal(data, {"message": message}, "the JSON body")


@title("An unknown path answers 404 with a JSON error")
@points(1)
@hint('Any path not in the brief must answer 404 with the JSON body {"error": "not found"}.')
def test_unknown_path_404(app, rng):
    path = f"/{rng.choice(WORDS)}-{rng.randint(1000, 9999)}"
    data = _check_json(app.get(path), 404)
    check_equal(data, {"error": "not found"}, "the JSON body")


@title("A wrong method on a known path answers 405 with an Allow header")
@points(1)
@hint('PUT, PATCH or DELETE on /health must answer 405 with the header "Allow: GET".')
def test_wrong_method_405(app, rng):
    method = rng.choice(["PUT", "PATCH", "DELETE"])
    r = app.request(method, "/health")
    check_equal(r.status_code, 405, f"the status code of {method} /health")
    allow = r.headers.get("allow", "")
    methods = {m.strip().upper() for m in allow.split(",") if m.strip()}
    check(methods == {"GET"}, 'expected the header "Allow: GET"', got=allow or "no Allow header")
