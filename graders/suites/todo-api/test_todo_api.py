"""Grader suite for the stage 4 exercise todo-api, the roadmap.sh Todo List API.

Spec tests check what https://roadmap.sh/projects/todo-list-api requires and accept every choice it
leaves open: errors keyed `error`, `message` or `detail`; 400 or 422 for invalid input; ids as
numbers or strings; records bare or in one envelope (`{"data": {...}}`); extra fields; 200 or 201
for a creation; any order of the list, as long as the pages agree. Craft tests check the extra
practice of our brief (201, 401 for a wrong login, 409, 404, Content-Type, stricter validation).

The app keeps running for the whole suite, so every test registers its own users, with a random
e-mail address that holds the test's name, and never assumes the store is empty. Helpers that
need a user's token or a todo (preconditions of a test about something else) read them in any
shape and call `not_graded` when they cannot: a wrong shape costs the one test that checks it.
"""

from todo_client import (
    CREATED,
    REFUSED,
    _auth,
    _check_todo_answer,
    _create,
    _listed,
    _login,
    _number,
    _page,
    _places,
    _post_todo,
    _register,
    _spec_token,
    _token_in,
)
from todo_data import _missing_id, _tampered, _todo_body, _user

from stagecraft_grader import WORDS, check, check_equal, checkpoint, craft, hint, not_graded, points, spec, title
from stagecraft_grader.shapes import VALIDATION, check_error, check_status, is_json, same_id

# --- spec tests -------------------------------------------------------------------------------


@title("POST /register creates a user and answers a token")
@points(2)
@spec("POST /register {name, email, password}: respond with a token that can be used for authentication.")
@hint(
    'Store the user and answer 201 (or 200) with {"token": "..."}: a JWT or a random string that '
    "identifies the user in the Authorization header of later requests."
)
def test_register(app, rng):
    r = app.post("/register", json=_user(rng, "register"))
    check_status(r, CREATED, "POST /register")
    _spec_token(r, "POST /register")


@title("POST /register rejects an invalid registration with 400 (or 422) and a JSON error")
@points(2)
@spec("This will validate the given details (Implement proper data validation).")
@hint(
    "Check the body before storing it: name, email and password must be there, and the email "
    'must look like one (one "@"). Otherwise answer 400 (or 422) with a JSON error such as '
    '{"message": "..."}; a body that is not JSON at all is refused with 400 as well.'
)
def test_register_validation(app, rng):
    missing = rng.choice(["name", "email", "password"])
    with checkpoint(f"rejected a registration without {missing}", points=1):
        user = _user(rng, "regvalid")
        del user[missing]
        check_error(app.post("/register", json=user), VALIDATION, f'POST /register without "{missing}"')
    bad_email = {**_user(rng, "regvalid"), "email": f"{rng.choice(WORDS)}.example.com"}
    check_error(app.post("/register", json=bad_email), VALIDATION, 'POST /register with an "email" without "@"')
    array = [_user(rng, "regvalid")]
    check_error(app.post("/register", json=array), VALIDATION, "POST /register with a JSON array instead of an object")
    r = app.post("/register", content=b'{"name": "unfinished', headers={"Content-Type": "application/json"})
    check_error(r, VALIDATION, "POST /register with a body that is not valid JSON", body=False)


@title("POST /register refuses an e-mail address already taken")
@points(1)
@spec("Make sure the email is unique.")
@hint(
    "Before storing a user, look the e-mail up (or catch the unique-constraint error): when a user "
    "already has it, answer an error (409 Conflict is best, 400 is fine) and store nothing."
)
def test_register_duplicate_email(app, rng):
    first = _user(rng, "duplicate")
    _register(app, first)
    second = {**_user(rng, "duplicate"), "email": first["email"]}
    check_error(app.post("/register", json=second), REFUSED, "a second POST /register with the same email")
    r = app.post("/login", json={"email": first["email"], "password": second["password"]})
    check(
        _token_in(r) is None,
        "expected POST /login with the refused second registration's password to be refused: "
        "a refused registration must not replace the first user's password",
        got=r.status_code,
    )


@title("Passwords are not stored in plain text")
@points(2)
@spec("Make sure to hash the password before storing it in the database.")
@hint(
    "Store a salted hash of the password (argon2-cffi or bcrypt in Python, bcryptjs in Node), never the "
    "password itself, in any file: and log it nowhere either."
)
def test_password_not_plaintext(app, app_data, rng):
    user = _user(rng, "plaintext")
    _register(app, user)
    if not app_data.contains_plaintext(user["email"]):
        not_graded(
            "not graded: no file under $DATA_DIR or in your project folder holds the registered e-mail, so "
            "the grader cannot see how your users are stored (a database service, or memory). Keep them in "
            "a SQLite file to have this checked."
        )
    found = app_data.contains_plaintext(user["password"])
    check(not found, f"expected no file to hold the registered password as it was sent, found it in {_places(found)}")


@title("POST /login answers a token, and refuses wrong credentials")
@points(2)
@spec("POST /login {email, password}: validate the given email and password, and respond with a token.")
@hint(
    "Find the user by e-mail and verify the password against the stored hash: answer 200 with "
    '{"token": "..."} when it matches, and an error (401) for a wrong password or an unknown e-mail.'
)
def test_login(app, rng):
    user = _user(rng, "login")
    _register(app, user)
    with checkpoint("logged in with the right password", points=1):
        r = app.post("/login", json={"email": user["email"], "password": user["password"]})
        check_status(r, CREATED, "POST /login with the right password")
        _spec_token(r, "POST /login")
    wrong = user["password"] + rng.choice(WORDS)
    r = app.post("/login", json={"email": user["email"], "password": wrong})
    check_error(r, REFUSED, "POST /login with a wrong password")
    unknown = _user(rng, "login")["email"]
    r = app.post("/login", json={"email": unknown, "password": user["password"]})
    check_error(r, REFUSED, "POST /login with an e-mail no user has")


@title("The todo routes answer 401 without a valid token")
@points(2)
@spec("In case the token is missing or invalid, respond with an error and status code 401.")
@hint(
    "Check the Authorization header first, in every /todos route: when it is missing, or holds a "
    'token your app never issued (or one that was changed), answer 401 with a JSON error such as {"message": '
    '"Unauthorized"}.'
)
def test_auth_required(app, rng):
    token = _register(app, _user(rng, "auth"))
    bogus = f"{rng.choice(WORDS)}{rng.randint(10**8, 10**9)}"
    cases = [
        ("no Authorization header", lambda: {}),
        ("a token your app never issued", lambda: _auth(bogus)),
        ("the token with one character changed", lambda: _auth(_tampered(token))),
    ]
    with checkpoint("POST /todos answered 401 without a valid token", points=1):
        for what, headers in cases:
            r = app.post("/todos", json=_todo_body(rng), headers=headers())
            check_error(r, 401, f"POST /todos with {what}")
    what, headers = rng.choice(cases)
    check_error(app.get("/todos", headers=headers()), 401, f"GET /todos with {what}")
    todo_id = _create(app, token, _todo_body(rng))  # a real todo, so a 401 below is about the token
    path = f"/todos/{todo_id}"
    what, headers = rng.choice(cases)
    check_error(app.put(path, json=_todo_body(rng), headers=headers()), 401, f"PUT {path} with {what}")
    check_error(app.delete(path, headers=headers()), 401, f"DELETE {path} with {what}")
    listed = _listed(app, token)
    if listed is not None:
        check(str(todo_id) in listed, f"expected the todo {todo_id} to be still listed after the rejected DELETE")


@title("POST /todos creates a todo for the token's user")
@points(2)
@spec("POST /todos {title, description}: upon successful creation, respond with the details of the created item.")
@hint(
    'Answer 201 (or 200) with the todo {"id", "title", "description"}; a token from /login must work '
    "like one from /register, and a todo without a title is refused with 400 (or 422)."
)
def test_create_todo(app, rng):
    user = _user(rng, "create")
    token = _register(app, user)
    with checkpoint("created a todo with the user's token", points=1):
        body = _todo_body(rng)
        _check_todo_answer(_post_todo(app, token, body), body, "POST /todos", CREATED)
    login_token = _login(app, user)
    if login_token is not None:  # a login that fails is the login test's to report
        body = _todo_body(rng)
        r = app.post("/todos", json=body, headers=_auth(login_token))
        _check_todo_answer(r, body, "POST /todos with the token from /login", CREATED)
    untitled = {"description": _todo_body(rng)["description"]}
    check_error(app.post("/todos", json=untitled, headers=_auth(token)), VALIDATION, "POST /todos without a title")


@title("PUT /todos/{id} updates the caller's todo")
@points(2)
@spec("PUT /todos/{id}: upon successful update of the to-do item, respond with the updated details of the item.")
@hint(
    'Replace title and description, keep the id, and answer 200 with {"id", "title", "description"}; '
    "GET /todos must then show the update. An id no todo has is refused (404)."
)
def test_update_todo(app, rng):
    token = _register(app, _user(rng, "update"))
    todo_id = _create(app, token, _todo_body(rng))
    body = _todo_body(rng)
    path = f"/todos/{todo_id}"
    with checkpoint("PUT answered the updated todo", points=1):
        answered = _check_todo_answer(app.put(path, json=body, headers=_auth(token)), body, f"PUT {path}", 200)
        check(same_id(answered, todo_id), f"expected PUT {path} to keep the todo's id {todo_id}", got=answered)
    listed = _listed(app, token)
    if listed is not None:
        todo = listed.get(str(todo_id))
        check(todo is not None, f"expected the updated todo {todo_id} to be listed by GET /todos", got=list(listed))
        check_equal(todo.get("title"), body["title"], f'the listed "title" of todo {todo_id} after the update')
    missing = _missing_id(rng)
    check_error(app.put(f"/todos/{missing}", json=body, headers=_auth(token)), REFUSED, f"PUT /todos/{missing}")


@title("DELETE /todos/{id} answers 204 and the todo is gone")
@points(2)
@spec("DELETE /todos/{id}: upon successful deletion, respond with the status code 204.")
@hint("Remove the todo and answer 204 with an empty body; afterwards GET /todos no longer lists it.")
def test_delete_todo(app, rng):
    token = _register(app, _user(rng, "delete"))
    todo_id = _create(app, token, _todo_body(rng))
    kept_id = _create(app, token, _todo_body(rng))
    path = f"/todos/{todo_id}"
    with checkpoint("DELETE answered 204", points=1):
        check_status(app.delete(path, headers=_auth(token)), 204, f"DELETE {path}")
    listed = _listed(app, token)
    if listed is not None:
        check(str(todo_id) not in listed, f"expected the deleted todo {todo_id} to be no longer listed by GET /todos")
        check(str(kept_id) in listed, f"expected the other todo {kept_id} to be still listed after the delete")


@title("PUT and DELETE on another user's todo answer 403")
@points(2)
@spec(
    "Validate the user has the permission to update the to-do item, i.e. the user is the creator of the "
    "item; respond with an error and status code 403 if not. The same goes for deleting it."
)
@hint(
    "Compare the todo's owner with the user of the token: when they differ, answer 403 with a JSON "
    'error such as {"message": "Forbidden"} and change nothing.'
)
def test_todo_ownership(app, rng):
    owner = _register(app, _user(rng, "owner"))
    intruder = _register(app, _user(rng, "intruder"))
    body = _todo_body(rng)
    todo_id = _create(app, owner, body)
    path = f"/todos/{todo_id}"
    with checkpoint("PUT by another user answered 403", points=1):
        r = app.put(path, json=_todo_body(rng), headers=_auth(intruder))
        check_error(r, 403, f"PUT {path} with another user's token")
    check_error(app.delete(path, headers=_auth(intruder)), 403, f"DELETE {path} with another user's token")
    listed = _listed(app, owner)
    if listed is not None:
        todo = listed.get(str(todo_id))
        check(todo is not None, f"expected the owner's todo {todo_id} to be still listed after the other user's DELETE")
        check_equal(todo.get("title"), body["title"], f"the title of the owner's todo {todo_id} after the other's PUT")


@title("GET /todos lists only the caller's todos, page by page")
@points(3)
@spec(
    "GET /todos?page=1&limit=10: respond with the list of to-do items along with the pagination details: "
    '{"data": [...], "page": 1, "limit": 10, "total": 2}.'
)
@hint(
    "Select the caller's todos (in any stable order, e.g. by id), skip (page - 1) * limit of them, return at "
    'most limit, and answer {"data": [...], "page": page, "limit": limit, "total": <all the caller\'s todos>}.'
)
def test_list_todos(app, rng):
    token = _register(app, _user(rng, "list"))
    other = _register(app, _user(rng, "listother"))
    created = []
    for _ in range(rng.randint(5, 7)):
        created.append(str(_create(app, token, _todo_body(rng))))
        _create(app, other, _todo_body(rng))  # interleaved: must never show up in the list
    limit = rng.choice([2, 3])
    total = len(created)
    pages = -(-total // limit)
    with checkpoint("listed the first page", points=1):
        first, seen, what = _page(app, token, 1, limit, created)
        check_equal(len(seen), limit, f"the number of todos {what} listed (the caller has {total})")
    with checkpoint("listed the second page", points=1):
        _, ids, what = _page(app, token, 2, limit, created)
        expected = min(limit, total - limit)
        check_equal(len(ids), expected, f"the number of todos {what} listed (the caller has {total})")
        again = [i for i in ids if i in seen]
        check(not again, f"expected {what} to list other todos than page 1, got again the ids {again}")
        seen += ids
    for page in range(3, pages + 1):
        _, ids, what = _page(app, token, page, limit, created)
        seen += ids
    check_equal(sorted(seen), sorted(created), f"the ids of the caller's todos on pages 1 to {pages} of {limit}")
    for key, expected in (("total", total), ("page", 1), ("limit", limit)):
        check(key in first, f'expected GET /todos?page=1&limit={limit} to answer a "{key}" beside "data"', got=first)
        check_equal(_number(first[key]), expected, f'the "{key}" of GET /todos?page=1&limit={limit}')
    check(
        isinstance(first.get("data"), list),
        f'expected GET /todos?page=1&limit={limit} to answer the todos under "data", as the spec shows',
        got=first,
    )


# --- craft tests ------------------------------------------------------------------------------


@title("POST /register answers 409 for an e-mail address already taken")
@points(1)
@craft("409 Conflict tells the client exactly why the registration failed: the e-mail is taken, not malformed.")
@hint("When the e-mail is already registered, answer 409 (not 400) with a JSON error.")
def test_register_duplicate_409(app, rng):
    first = _user(rng, "dup409")
    _register(app, first)
    second = {**_user(rng, "dup409"), "email": first["email"]}
    check_error(app.post("/register", json=second), 409, "a second POST /register with the same email")


@title("POST /register refuses an empty name and a short or non-text password")
@points(1)
@craft("An account with an empty name or a password of a few characters is unusable or guessed in seconds.")
@hint(
    'Answer 400 (or 422) with a JSON error when "name" is empty or only spaces, or "password" is not a '
    "string of at least 8 characters."
)
def test_register_field_rules(app, rng):
    cases = [
        ('an empty "name"', {**_user(rng, "regrules"), "name": ""}),
        ('a "name" of spaces', {**_user(rng, "regrules"), "name": "   "}),
        ('a 5-character "password"', {**_user(rng, "regrules"), "password": f"{rng.randint(10000, 99999)}"}),
        ('a number as "password"', {**_user(rng, "regrules"), "password": rng.randint(10**8, 10**9)}),
    ]
    for what, body in cases:
        check_error(app.post("/register", json=body), VALIDATION, f"POST /register with {what}")


@title("POST /login answers 401 for a wrong password and for an unknown e-mail alike")
@points(1)
@craft(
    "401 Unauthorized is the status for failed credentials, and the same answer for both cases does not "
    "tell an attacker which e-mails have an account."
)
@hint("Answer 401 with the same JSON error whether the e-mail is unknown or the password wrong.")
def test_login_wrong_401(app, rng):
    user = _user(rng, "login401")
    _register(app, user)
    wrong = user["password"] + rng.choice(WORDS)
    r = app.post("/login", json={"email": user["email"], "password": wrong})
    check_error(r, 401, "POST /login with a wrong password")
    unknown = _user(rng, "login401")["email"]
    r = app.post("/login", json={"email": unknown, "password": user["password"]})
    check_error(r, 401, "POST /login with an e-mail no user has")


@title("POST /register and POST /todos answer 201 Created")
@points(1)
@craft("201 Created tells clients and tools that a new resource now exists; 200 only says the request went well.")
@hint("Answer 201 (not 200) when a user or a todo was created.")
def test_created_201(app, rng):
    user = _user(rng, "created")
    r = app.post("/register", json=user)
    token = _token_in(r) or _login(app, user)
    if token is None:
        not_graded("not graded yet: POST /register must register the user first. Make the register test pass first.")
    check_equal(r.status_code, 201, "the status code of POST /register")
    r = _post_todo(app, token, _todo_body(rng))
    if not 200 <= r.status_code < 300:
        not_graded("not graded yet: POST /todos must create the todo first. Make the create_todo test pass first.")
    check_equal(r.status_code, 201, "the status code of POST /todos")


@title("A blank or non-text title and a body that is not JSON answer 400 with a JSON error")
@points(1)
@craft(
    "A todo whose title is spaces shows as an empty line in every client, and a JSON error for a malformed "
    "body lets the client show what went wrong instead of an HTML error page."
)
@hint(
    'Refuse a "title" that is not a string or only spaces, on POST and PUT, and answer a body that is not '
    "valid JSON with 400 and a JSON error too (Express's default answer is an HTML page)."
)
def test_todo_validation(app, rng):
    token = _register(app, _user(rng, "todovalid"))
    description = _todo_body(rng)["description"]
    cases = [
        ("a title of spaces", {"title": "   ", "description": description}),
        ("a number as title", {"title": rng.randint(1, 999), "description": description}),
    ]
    for what, body in cases:
        check_error(app.post("/todos", json=body, headers=_auth(token)), VALIDATION, f"POST /todos with {what}")
    headers = {**_auth(token), "Content-Type": "application/json"}
    r = app.post("/todos", content=b'{"title": "unfinished', headers=headers)
    check_error(r, VALIDATION, "POST /todos with a body that is not valid JSON")
    todo_id = _create(app, token, _todo_body(rng))
    r = app.put(f"/todos/{todo_id}", json=cases[0][1], headers=_auth(token))
    check_error(r, VALIDATION, f"PUT /todos/{todo_id} with a title of spaces")


@title("PUT and DELETE on an id no todo has answer 404")
@points(1)
@craft("404 Not Found tells the client the todo does not exist (any more), which a 400, 403 or 500 does not.")
@hint("Look the todo up first: when no todo has the id, answer 404 with a JSON error.")
def test_unknown_todo_404(app, rng):
    token = _register(app, _user(rng, "unknown"))
    missing = _missing_id(rng)
    r = app.put(f"/todos/{missing}", json=_todo_body(rng), headers=_auth(token))
    check_error(r, 404, f"PUT /todos/{missing}")
    check_error(app.delete(f"/todos/{missing}", headers=_auth(token)), 404, f"DELETE /todos/{missing}")


@title("JSON answers say Content-Type: application/json")
@points(1)
@craft("Clients and tools choose how to read a body from its Content-Type: JSON sent as text/html is shown as text.")
@hint('Send every JSON body, errors included, with "Content-Type: application/json" (jsonify and res.json do).')
def test_json_content_type(app, rng):
    user = _user(rng, "ctype")
    r = app.post("/register", json=user)
    check(is_json(r), "expected POST /register to declare a JSON Content-Type", got=r.headers.get("content-type"))
    token = _token_in(r) or _login(app, user)
    if token is None:
        not_graded("not graded yet: POST /register must register the user first. Make the register test pass first.")
    r = _post_todo(app, token, _todo_body(rng))
    check(is_json(r), "expected POST /todos to declare a JSON Content-Type", got=r.headers.get("content-type"))
    r = app.get("/todos", params={"page": 1, "limit": 10}, headers=_auth(token))
    check(is_json(r), "expected GET /todos to declare a JSON Content-Type", got=r.headers.get("content-type"))
    r = app.get("/todos")
    check(
        is_json(r),
        "expected the 401 of GET /todos without a token to declare a JSON Content-Type",
        got=r.headers.get("content-type"),
    )
