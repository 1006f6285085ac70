"""HTTP helpers for the todo-api suite: the auth header, reading answers in any accepted shape, preconditions."""

from stagecraft_grader import check, check_equal, not_graded
from stagecraft_grader.shapes import check_status, field, find_id, json_of, unwrap, unwrap_list

# Where a token may be found by a helper (a precondition); the register and login tests want `token`.
TOKEN_KEYS = ("token", "accessToken", "access_token", "jwt")
# Statuses of a refused request, for the rules the spec gives no status for (a duplicate e-mail,
# a wrong password, an id no todo has): any 4xx says "no", a 2xx or 5xx does not.
REFUSED = tuple(range(400, 500))
CREATED = (200, 201)  # the spec says "respond with" the token or the item; the 201 is our brief's

# The public spec: "You can use the Authorization header with the token as the value". The grader
# sends "Bearer <token>"; when an app refuses that but accepts the bare token, it uses the bare
# token from then on (found by the first POST /todos of the run: see _post_todo).
_SCHEME = {"prefix": "Bearer "}


def _auth(token):
    return {"Authorization": f"{_SCHEME['prefix']}{token}"}


# --- reading answers in any accepted shape ----------------------------------------------------


def _parsed(r):
    """The JSON body, or None when there is none (a helper never fails on a shape)."""
    try:
        return json_of(r, "the answer")
    except AssertionError:
        return None


def _token_in(r):
    """The token of a 2xx answer, bare or in one envelope, under any usual name; else None."""
    if not 200 <= r.status_code < 300:
        return None
    record = unwrap(_parsed(r), looks_like=TOKEN_KEYS)
    token = field(record, *TOKEN_KEYS) if record else None
    return token if isinstance(token, str) and token.strip() else None


def _spec_token(r, what):
    """The spec's `{"token": "..."}`, bare or in one envelope: the check of the register and login tests."""
    data = json_of(r, what)
    record = unwrap(data, looks_like=("token",))
    token = record.get("token") if record else None
    check(
        isinstance(token, str) and token.strip() != "",
        f'expected {what} to answer {{"token": "..."}} with a non-empty string token',
        got=data,
    )
    return token


def _todo_id(record):
    """A todo's id: `id`, `_id`, `uuid`... or `todo_id`/`todoId`/`taskId`; a number or a string."""
    found = find_id(record)
    if found is None and isinstance(record, dict):
        value = field(record, "todo_id", "task_id")
        if (isinstance(value, int) and not isinstance(value, bool)) or (isinstance(value, str) and value.strip()):
            found = value
    return found


def _todo_in(data):
    """The todo in an answer, bare or in one envelope, or None."""
    return unwrap(data, looks_like=("title",))


def _check_todo_answer(r, body, what, statuses):
    """`r` answers, with a status in `statuses`, the todo holding `body`'s title and description."""
    check_status(r, statuses, what)
    data = json_of(r, what)
    record = _todo_in(data)
    check(
        record is not None,
        f'expected {what} to answer the todo, e.g. {{"id": 1, "title": "...", "description": "..."}} '
        '(bare or in one envelope such as {"data": {...}})',
        got=data,
    )
    todo_id = _todo_id(record)
    check(todo_id is not None, f'expected the todo {what} answered to have an "id" (a number or a string)', got=record)
    for name in ("title", "description"):
        check_equal(record.get(name), body[name], f'the "{name}" of the todo {what} answered')
    return todo_id


def _number(value):
    """A whole number given as a number or as digits in a string ("2"), else None."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return None


# --- preconditions: a user's token, a todo, the caller's todos --------------------------------


def _login(app, user):
    """POST /login as a precondition: the token, or None."""
    return _token_in(app.post("/login", json={"email": user["email"], "password": user["password"]}))


def _register(app, user):
    """A registered user's token, from /register or else from /login; a test without one is not graded."""
    r = app.post("/register", json=user)
    token = _token_in(r) or _login(app, user)
    if token is None and r.status_code == 429:
        not_graded(
            "not graded: POST /register answered 429 Too Many Requests, so your app's rate limit stops the "
            "grader from registering the user this test needs. Allow more requests to grade it."
        )
    if token is None:
        not_graded(
            "not graded yet: this test needs a registered user's token, but neither POST /register nor "
            "POST /login answered one. Make the register test pass first."
        )
    return token


def _post_todo(app, token, body):
    """POST /todos with the token, finding once whether the app wants "Bearer <token>" or the bare token."""
    r = app.post("/todos", json=body, headers=_auth(token))
    if r.status_code == 401 and _SCHEME["prefix"]:
        bare = app.post("/todos", json=body, headers={"Authorization": token})
        if 200 <= bare.status_code < 300:
            _SCHEME["prefix"] = ""
            return bare
    return r


def _create(app, token, body):
    """POST /todos as a precondition: the new todo's id, in whatever shape the app answers."""
    r = _post_todo(app, token, body)
    todo_id = _todo_id(_todo_in(_parsed(r))) if 200 <= r.status_code < 300 else None
    if todo_id is None:
        not_graded(
            "not graded yet: this test needs a todo, but POST /todos answered no todo with an id. "
            "Make the create_todo test pass first."
        )
    return todo_id


def _listed(app, token):
    """The caller's todos as GET /todos?page=1&limit=10 shows them ({str(id): todo}), or None when unreadable."""
    r = app.get("/todos", params={"page": 1, "limit": 10}, headers=_auth(token))
    items = unwrap_list(_parsed(r), prefer=("data", "todos", "items")) if r.status_code == 200 else None
    if items is None or not all(isinstance(t, dict) for t in items):
        return None
    return {str(_todo_id(t)): t for t in items}


def _places(paths):
    """The files as a learner finds them: "$DATA_DIR/users.db", "./app.db (in your project folder)"."""
    return ", ".join(f"{p} (in your project folder)" if p.startswith("./") else f"$DATA_DIR/{p}" for p in paths)


def _looks_like_page(d):
    """A page of the list: pagination details beside an array."""
    return any(k in d for k in ("page", "limit", "total")) and any(isinstance(v, list) for v in d.values())


def _page(app, token, page, limit, mine):
    """GET /todos?page=&limit=: the page object and the ids it lists, all of them the caller's (`mine`)."""
    what = f"GET /todos?page={page}&limit={limit}"
    r = app.get("/todos", params={"page": page, "limit": limit}, headers=_auth(token))
    check_status(r, 200, what)
    data = json_of(r, what)
    obj = unwrap(data, looks_like=_looks_like_page)
    check(
        obj is not None,
        f'expected {what} to answer {{"data": [...], "page": {page}, "limit": {limit}, "total": ...}}',
        got=data,
    )
    items = obj["data"] if isinstance(obj.get("data"), list) else unwrap_list(obj, prefer=("todos", "items"))
    check(
        items is not None and all(isinstance(t, dict) for t in items),
        f'expected the "data" of {what} to be an array of todos',
        got=obj,
    )
    ids = [str(_todo_id(t)) for t in items]
    strangers = [i for i in ids if i not in mine]
    check(not strangers, f"expected {what} to list only the caller's todos, got todos with ids {strangers}")
    check(len(set(ids)) == len(ids), f"expected {what} to list each todo once", got=ids)
    return obj, ids, what
