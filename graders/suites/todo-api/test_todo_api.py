"""Grader suite for the stage 4 exercise todo-api (see the exercise's README for the brief).

The app keeps running for the whole suite, so every test registers its own users, with a random
e-mail address that holds the test's name, and never assumes the store is empty: ids are compared
with the ones the app handed out, and lists are checked for the caller's own todos only.
"""

from stagecraft_grader import WORDS, check, check_equal, checkpoint, hint, points, title

NAMES = [
    "Ada Lovelace",
    "Alan Turing",
    "Grace Hopper",
    "Edsger Dijkstra",
    "Barbara Liskov",
    "Donald Knuth",
    "Margaret Hamilton",
    "Ken Thompson",
]
TODO_FIELDS = ("id", "title", "description")


# --- random data ------------------------------------------------------------------------------


def _user(rng, tag):
    """Registration fields; the e-mail holds `tag` (the test's name) so no two tests share one."""
    word = rng.choice(WORDS)
    return {
        "name": rng.choice(NAMES),
        "email": f"{word}.{tag}.{rng.randint(10**6, 10**9)}@example.com",
        "password": f"{rng.choice(WORDS)}-{rng.randint(10**8, 10**9)}-{rng.choice(WORDS).upper()}",
    }


def _todo_body(rng):
    return {
        "title": f"{rng.choice(['Buy', 'Fix', 'Write', 'Call', 'Clean', 'Plan'])} "
        f"{rng.choice(WORDS)} {rng.randint(1, 9999)}",
        "description": " ".join(rng.choice(WORDS) for _ in range(rng.randint(3, 8))) + ".",
    }


def _missing_id(rng):
    return rng.randint(10**6, 10**9)


def _auth(token):
    return {"Authorization": f"Bearer {token}"}


# --- checks shared by the tests ---------------------------------------------------------------


def _json(r, status, what):
    check_equal(r.status_code, status, f"the status code of {what}")
    check_equal(r.content_type, "application/json", f"the Content-Type media type of {what}")
    return r.json()


def _check_error(r, status, what):
    data = _json(r, status, what)
    check(
        isinstance(data, dict) and isinstance(data.get("error"), str),
        f'expected {what} to answer a JSON object with a string "error"',
        got=data,
    )


def _check_token(data, what):
    check(
        isinstance(data, dict) and isinstance(data.get("token"), str) and data["token"].strip(),
        f'expected {what} to answer a JSON object with a non-empty string "token"',
        got=data,
    )
    return data["token"]


def _check_todo(data, body, what):
    """`data` is a todo object holding `body`'s title and description and an integer id."""
    check(isinstance(data, dict), f"expected {what} to be a JSON object", got=data)
    todo_id = data.get("id")
    check(
        isinstance(todo_id, int) and not isinstance(todo_id, bool),
        f'expected {what} to have an integer "id"',
        got=todo_id,
    )
    for field in ("title", "description"):
        check_equal(data.get(field), body[field], f'the "{field}" of {what}')
    return {field: data[field] for field in TODO_FIELDS}


def _register(app, user):
    """POST /register as a precondition of a test about something else: the user's token."""
    r = app.post("/register", json=user)
    check_equal(
        r.status_code,
        201,
        "the status code of POST /register (registering a user)",
        hint="This test needs POST /register to work first: make the register test pass.",
    )
    return _check_token(r.json(), "POST /register")


def _create(app, token, body):
    """POST /todos as a precondition: the created todo, reduced to id, title and description."""
    r = app.post("/todos", json=body, headers=_auth(token))
    check_equal(
        r.status_code,
        201,
        "the status code of POST /todos (creating a todo)",
        hint="This test needs POST /todos to work first: make the create test pass.",
    )
    return _check_todo(r.json(), body, "the created todo")


def _page(app, token, page, limit):
    what = f"GET /todos?page={page}&limit={limit}"
    data = _json(app.get("/todos", params={"page": page, "limit": limit}, headers=_auth(token)), 200, what)
    check(
        isinstance(data, dict)
        and isinstance(data.get("data"), list)
        and all(isinstance(t, dict) for t in data["data"]),
        f'expected {what} to answer a JSON object whose "data" is an array of todos',
        got=data,
    )
    todos = [{field: t.get(field) for field in TODO_FIELDS} for t in data["data"]]
    return todos, {key: data.get(key) for key in ("page", "limit", "total")}, what


def _list_all(app, token):
    todos, _, _ = _page(app, token, 1, 100)
    return todos


def _tampered(token):
    """The token with one character in its middle changed: no longer valid, opaque or JWT."""
    i = len(token) // 2
    while token[i] == ".":  # a JWT's dots: change a character of the payload instead
        i += 1
    return token[:i] + ("A" if token[i] != "A" else "B") + token[i + 1 :]


def _places(paths):
    """The files as a learner finds them: "$DATA_DIR/users.db", "./app.db (in your project folder)"."""
    return ", ".join(f"{p} (in your project folder)" if p.startswith("./") else f"$DATA_DIR/{p}" for p in paths)


# --- tests ------------------------------------------------------------------------------------


@title("POST /register creates a user and answers 201 with a token")
@points(2)
@hint(
    'Store the user and answer 201 with {"token": "..."}: a JWT or a random opaque string that '
    "identifies the user in the Authorization header of later requests."
)
def test_register(app, rng):
    data = _json(app.post("/register", json=_user(rng, "register")), 201, "POST /register")
    _check_token(data, "POST /register")


@title("POST /register rejects an invalid registration with 400 and a JSON error")
@points(2)
@hint(
    'Check the body before storing it: name a non-empty string, email a string with one "@" and '
    "something on each side, password a string of at least 8 characters. Otherwise answer 400 "
    'with {"error": "..."}.'
)
def test_register_validation(app, rng):
    missing = rng.choice(["name", "email", "password"])
    with checkpoint(f"rejected a registration without {missing}", points=1):
        user = _user(rng, "regvalid")
        del user[missing]
        _check_error(app.post("/register", json=user), 400, f'POST /register without "{missing}"')
    invalid = [
        ('an empty "name"', {**_user(rng, "regvalid"), "name": rng.choice(["", "   "])}),
        ('an "email" without "@"', {**_user(rng, "regvalid"), "email": f"{rng.choice(WORDS)}.example.com"}),
        ('a 5-character "password"', {**_user(rng, "regvalid"), "password": f"{rng.randint(10000, 99999)}"}),
        ('a number as "password"', {**_user(rng, "regvalid"), "password": rng.randint(10**8, 10**9)}),
        ("a JSON array instead of an object", [_user(rng, "regvalid")]),
    ]
    for what, body in invalid:
        _check_error(app.post("/register", json=body), 400, f"POST /register with {what}")
    r = app.post("/register", content=b'{"name": "unfinished', headers={"Content-Type": "application/json"})
    _check_error(r, 400, "POST /register with a body that is not valid JSON")


@title("POST /register answers 409 for an e-mail address already taken")
@points(1)
@hint(
    "Before storing a user, look the e-mail up: when a user already has it, answer 409 with "
    '{"error": "..."} and store nothing.'
)
def test_register_duplicate_email(app, rng):
    first = _user(rng, "duplicate")
    _register(app, first)
    second = {**_user(rng, "duplicate"), "email": first["email"]}
    _check_error(app.post("/register", json=second), 409, "a second POST /register with the same email")
    r = app.post("/login", json={"email": first["email"], "password": second["password"]})
    check_equal(
        r.status_code,
        401,
        "the status code of POST /login with the rejected second password",
        hint="A rejected registration must not replace the first user's password.",
    )


@title("Passwords are not stored in plain text")
@points(2)
@hint(
    "Keep your users in a database file (under $DATA_DIR, or next to your code) and store a salted hash "
    "of the password (argon2-cffi or bcrypt in Python, bcryptjs in Node), never the password itself, in "
    "any file: and log it nowhere either."
)
def test_password_not_plaintext(app, app_data, rng):
    user = _user(rng, "plaintext")
    _register(app, user)
    with checkpoint("the app keeps its users in a file", points=1):
        check(
            app_data.contains_plaintext(user["email"]),
            f"expected a file under $DATA_DIR or in your project folder to hold the registered e-mail "
            f"{user['email']} (your users' table), but none does",
        )
    found = app_data.contains_plaintext(user["password"])
    check(not found, f"expected no file to hold the registered password as it was sent, found it in {_places(found)}")


@title("POST /login answers 200 with a token, and 401 for wrong credentials")
@points(2)
@hint(
    "Find the user by e-mail and verify the password against the stored hash: answer 200 with "
    '{"token": "..."} when it matches, and 401 with {"error": "..."} for a wrong password or an '
    "unknown e-mail."
)
def test_login(app, rng):
    user = _user(rng, "login")
    _register(app, user)
    with checkpoint("logged in with the right password", points=1):
        data = _json(
            app.post("/login", json={"email": user["email"], "password": user["password"]}),
            200,
            "POST /login with the right password",
        )
        _check_token(data, "POST /login")
    wrong = user["password"] + rng.choice(WORDS)
    _check_error(
        app.post("/login", json={"email": user["email"], "password": wrong}), 401, "POST /login with a wrong password"
    )
    unknown = _user(rng, "login")["email"]
    _check_error(
        app.post("/login", json={"email": unknown, "password": user["password"]}),
        401,
        "POST /login with an e-mail no user has",
    )


@title("The todo routes answer 401 without a valid Bearer token")
@points(2)
@hint(
    'Check "Authorization: Bearer <token>" first, in every /todos route: when it is missing, '
    "not a Bearer token, or not a token your app issued (or it was changed), answer 401 with "
    '{"error": "..."}.'
)
def test_auth_required(app, rng):
    token = _register(app, _user(rng, "auth"))
    body = _todo_body(rng)
    todo = _create(app, token, body)  # a real todo, so a 401 below is about the token
    bogus = f"{rng.choice(WORDS)}{rng.randint(10**8, 10**9)}"
    cases = [
        ("no Authorization header", {}),
        ("a token your app never issued", _auth(bogus)),
        ("the token with one character changed", _auth(_tampered(token))),
        ("a Basic instead of a Bearer token", {"Authorization": f"Basic {token}"}),
    ]
    with checkpoint("POST /todos answered 401 without a valid token", points=1):
        for what, headers in cases:
            _check_error(app.post("/todos", json=_todo_body(rng), headers=headers), 401, f"POST /todos with {what}")
    what, headers = rng.choice(cases)
    path = f"/todos/{todo['id']}"
    _check_error(app.get("/todos", headers=headers), 401, f"GET /todos with {what}")
    _check_error(app.put(path, json=_todo_body(rng), headers=headers), 401, f"PUT {path} with {what}")
    _check_error(app.delete(path, headers=headers), 401, f"DELETE {path} with {what}")
    check_equal(_list_all(app, token), [todo], "the owner's todos after the rejected requests")


@title("POST /todos creates a todo for the token's user and answers 201")
@points(2)
@hint(
    'Answer 201 with {"id", "title", "description"}; a token from /login must work like one '
    'from /register, and a todo without a title answers 400 with {"error": "..."}.'
)
def test_create_todo(app, rng):
    user = _user(rng, "create")
    token = _register(app, user)
    with checkpoint("created a todo with the token from /register", points=1):
        body = _todo_body(rng)
        _check_todo(
            _json(app.post("/todos", json=body, headers=_auth(token)), 201, "POST /todos"), body, "the created todo"
        )
    login = app.post("/login", json={"email": user["email"], "password": user["password"]})
    login_token = _check_token(_json(login, 200, "POST /login"), "POST /login")
    body = _todo_body(rng)
    _check_todo(
        _json(app.post("/todos", json=body, headers=_auth(login_token)), 201, "POST /todos with the token from /login"),
        body,
        "the created todo",
    )
    blank = {"title": rng.choice(["", "   "]), "description": _todo_body(rng)["description"]}
    _check_error(app.post("/todos", json=blank, headers=_auth(token)), 400, "POST /todos with an empty title")


@title("PUT /todos/{id} updates the caller's todo and answers 200")
@points(2)
@hint(
    'Replace title and description, keep the id, and answer 200 with {"id", "title", '
    '"description"}; GET /todos must then show the update. An id no todo has answers 404.'
)
def test_update_todo(app, rng):
    token = _register(app, _user(rng, "update"))
    todo = _create(app, token, _todo_body(rng))
    body = _todo_body(rng)
    path = f"/todos/{todo['id']}"
    with checkpoint("PUT answered the updated todo", points=1):
        data = _json(app.put(path, json=body, headers=_auth(token)), 200, f"PUT {path}")
        updated = _check_todo(data, body, "the updated todo")
        check_equal(updated["id"], todo["id"], 'the "id" of the updated todo')
    check_equal(_list_all(app, token), [updated], "the caller's todos after the update")
    missing = _missing_id(rng)
    _check_error(app.put(f"/todos/{missing}", json=body, headers=_auth(token)), 404, f"PUT /todos/{missing}")


@title("DELETE /todos/{id} answers 204 and the todo is gone")
@points(2)
@hint("Remove the todo and answer 204 with an empty body; afterwards it is not listed and a second DELETE answers 404.")
def test_delete_todo(app, rng):
    token = _register(app, _user(rng, "delete"))
    todo = _create(app, token, _todo_body(rng))
    kept = _create(app, token, _todo_body(rng))
    path = f"/todos/{todo['id']}"
    with checkpoint("DELETE answered 204", points=1):
        r = app.delete(path, headers=_auth(token))
        check_equal(r.status_code, 204, f"the status code of DELETE {path}")
        check_equal(r.content, b"", f"the body of DELETE {path}")
    check_equal(_list_all(app, token), [kept], "the caller's todos after the delete")
    _check_error(app.delete(path, headers=_auth(token)), 404, f"a second DELETE {path}")


@title("PUT and DELETE on another user's todo answer 403")
@points(2)
@hint(
    "Compare the todo's owner with the user of the token: when they differ, answer 403 with "
    '{"error": "..."} and change nothing.'
)
def test_todo_ownership(app, rng):
    owner = _register(app, _user(rng, "owner"))
    intruder = _register(app, _user(rng, "intruder"))
    todo = _create(app, owner, _todo_body(rng))
    path = f"/todos/{todo['id']}"
    with checkpoint("PUT by another user answered 403", points=1):
        _check_error(
            app.put(path, json=_todo_body(rng), headers=_auth(intruder)), 403, f"PUT {path} with another user's token"
        )
    _check_error(app.delete(path, headers=_auth(intruder)), 403, f"DELETE {path} with another user's token")
    check_equal(_list_all(app, owner), [todo], "the owner's todos after the other user's attempts")


@title("GET /todos lists only the caller's todos, page by page")
@points(3)
@hint(
    "Select the caller's todos by ascending id, skip (page - 1) * limit of them, return at most "
    'limit, and answer {"data": [...], "page": page, "limit": limit, "total": <all the caller\'s '
    "todos>}."
)
def test_list_todos(app, rng):
    token = _register(app, _user(rng, "list"))
    other = _register(app, _user(rng, "listother"))
    created = []
    for _ in range(rng.randint(5, 7)):
        created.append(_create(app, token, _todo_body(rng)))
        _create(app, other, _todo_body(rng))  # interleaved: must never show up in the list
    limit = rng.choice([2, 3])
    total = len(created)
    with checkpoint("listed the first page", points=1):
        todos, meta, what = _page(app, token, 1, limit)
        check_equal(todos, created[:limit], f'the "data" of {what}')
        check_equal(meta, {"page": 1, "limit": limit, "total": total}, f"page, limit and total of {what}")
    with checkpoint("listed the second page", points=1):
        todos, meta, what = _page(app, token, 2, limit)
        check_equal(todos, created[limit : 2 * limit], f'the "data" of {what}')
        check_equal(meta, {"page": 2, "limit": limit, "total": total}, f"page, limit and total of {what}")
    beyond = total // limit + 2
    todos, meta, what = _page(app, token, beyond, limit)
    check_equal(todos, [], f'the "data" of {what}, a page after the last')
    check_equal(meta, {"page": beyond, "limit": limit, "total": total}, f"page, limit and total of {what}")
