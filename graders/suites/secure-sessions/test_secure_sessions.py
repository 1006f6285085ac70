"""Grader suite for the stage 4 exercise secure-sessions (see the exercise's README for the brief).

The app keeps running for the whole suite, so every test registers its own users, with a random
username that holds a tag of the test, and never assumes the store is empty.

Cookies: the SDK's client (httpx) keeps a cookie jar for the length of one test and would send
back whatever the app set. To say exactly which session a request belongs to, every request of
this suite carries an explicit Cookie header, which replaces the jar's: "sid=<value>" for a
session, and an empty Cookie header for a request without one (see `_cookie`).
"""

from session_client import (
    COOKIE,
    LOGIN,
    MIN_SID_LENGTH,
    URL_SAFE,
    _check_error,
    _cookie,
    _create_note,
    _csrf,
    _decodings,
    _json,
    _login,
    _notes,
    _ok,
    _places,
    _post_note,
    _register,
    _set_cookies,
    _sid_set_by,
    _user_session,
)
from session_data import _fake_token, _note_text, _user

from stagecraft_grader import WORDS, check, check_equal, checkpoint, hint, not_graded, points, title

# --- tests ------------------------------------------------------------------------------------


@title("POST /register creates a user (201) and refuses a taken username (409)")
@points(2)
@hint(
    'Store the user and answer 201 with {"username": "..."}. When a user already has the '
    'username, answer 409 with {"error": "..."} and store nothing.'
)
def test_register(app, rng):
    user = _user(rng, "reg")
    with checkpoint("registered a new user", points=1):
        data = _json(app.post("/register", json=user, headers=_cookie(None)), 201, "POST /register")
        check_equal(data, {"username": user["username"]}, "the JSON body of POST /register")
    again = {**_user(rng, "reg"), "username": user["username"]}
    _check_error(
        app.post("/register", json=again, headers=_cookie(None)), 409, "a second POST /register with the same username"
    )


@title("POST /register rejects an invalid registration with 400 and a JSON error")
@points(2)
@hint(
    'Check the body before storing anything: a JSON object whose "username" is 3 to 32 letters, '
    'digits, "_", "." or "-", and whose "password" is a string of at least 8 characters. '
    'Otherwise answer 400 with {"error": "..."}.'
)
def test_register_validation(app, rng):
    missing = rng.choice(["username", "password"])
    with checkpoint(f"rejected a registration without {missing}", points=1):
        user = _user(rng, "val")
        del user[missing]
        _check_error(
            app.post("/register", json=user, headers=_cookie(None)), 400, f'POST /register without "{missing}"'
        )
    bad_name = rng.choice(["", "ab", f"{rng.choice(WORDS)} {rng.randint(10, 99)}"])
    invalid = [
        (f'the "username" {bad_name!r}', {**_user(rng, "val"), "username": bad_name}),
        ('a 7-character "password"', {**_user(rng, "val"), "password": f"{rng.randint(10**6, 10**7 - 1)}"}),
        ('a number as "password"', {**_user(rng, "val"), "password": rng.randint(10**8, 10**9)}),
        ("a JSON array instead of an object", [_user(rng, "val")]),
    ]
    for what, body in invalid:
        _check_error(app.post("/register", json=body, headers=_cookie(None)), 400, f"POST /register with {what}")
    r = app.post(
        "/register", content=b'{"username": "unfinished', headers={**_cookie(None), "Content-Type": "application/json"}
    )
    _check_error(r, 400, "POST /register with a body that is not valid JSON")


@title("Passwords are not stored in plain text")
@points(2)
@hint(
    "Keep your users in a database file (under $DATA_DIR, or next to your code; SQLite, for instance) "
    "and store a salted hash of each password (argon2-cffi or bcrypt in Python, bcryptjs in Node), never "
    "the password itself, in any file. Log it nowhere either."
)
def test_password_not_plaintext(app, app_data, rng):
    user, _ = _user_session(app, rng, "hash")
    with checkpoint("the app keeps its users in a file", points=1):
        check(
            app_data.contains_plaintext(user["username"]),
            f"expected a file under $DATA_DIR or in your project folder to hold the registered username "
            f"{user['username']} (your users' table), but none does",
        )
    found = app_data.contains_plaintext(user["password"])
    check(not found, f"expected no file to hold the registered password as it was sent, found it in {_places(found)}")


@title("POST /login sets the sid cookie, and GET /me answers only with a valid session")
@points(2)
@hint(
    "On a right username and password, create a session on the server, answer 200 with "
    '{"username": "..."} and send its id in the cookie "sid". GET /me looks the cookie up in your '
    'session store: 200 with {"username": "..."} for a logged-in session, else 401 with '
    '{"error": "..."}.'
)
def test_login_and_me(app, rng):
    user = _user(rng, "me")
    _register(app, user)
    with checkpoint("logged in and got a session cookie", points=1):
        r = app.post("/login", json=user, headers=_cookie(None))
        data = _json(r, 200, "POST /login with the right password")
        check_equal(data, {"username": user["username"]}, "the JSON body of POST /login")
        sid = _sid_set_by(r, "POST /login")
    data = _json(app.get("/me", headers=_cookie(sid)), 200, "GET /me with the session cookie")
    check_equal(data, {"username": user["username"]}, "the JSON body of GET /me")
    _check_error(app.get("/me", headers=_cookie(None)), 401, "GET /me without a session cookie")
    _check_error(
        app.get("/me", headers=_cookie(_fake_token(rng))), 401, "GET /me with a session id your app never issued"
    )


@title("A wrong password and an unknown username get the same 401 answer")
@points(1)
@hint(
    'Answer 401 with one and the same body, e.g. {"error": "invalid username or password"}, '
    "whether the username is unknown or the password is wrong: different answers tell an "
    "attacker which usernames exist."
)
def test_login_generic_error(app, rng):
    user = _user(rng, "gen")
    _register(app, user)
    wrong = {**user, "password": user["password"] + rng.choice(WORDS)}
    wrong_body = _check_error(
        app.post("/login", json=wrong, headers=_cookie(None)), 401, "POST /login with a wrong password"
    )
    unknown = {**_user(rng, "gen"), "password": user["password"]}
    unknown_body = _check_error(
        app.post("/login", json=unknown, headers=_cookie(None)), 401, "POST /login with a username no user has"
    )
    check(
        wrong_body == unknown_body,
        "expected the same JSON body for a wrong password and for an unknown username",
        got={"wrong password": wrong_body, "unknown username": unknown_body},
    )


@title("The session cookie is HttpOnly, SameSite=Lax or Strict, with Path=/")
@points(2)
@hint(
    "Set the cookie with the attributes HttpOnly (page scripts cannot read it), SameSite=Lax or "
    "SameSite=Strict (not sent with cross-site POSTs) and Path=/: in Flask "
    'response.set_cookie("sid", sid, httponly=True, samesite="Lax", path="/"), in Express '
    'res.cookie("sid", sid, { httpOnly: true, sameSite: "lax", path: "/" }).'
)
def test_cookie_attributes(app, rng):
    user = _user(rng, "attr")
    _register(app, user)
    r = app.post("/login", json=user, headers=_cookie(None))
    if r.status_code != 200 or not _set_cookies(r).get(COOKIE, ("",))[0]:
        not_graded(f'this test needs POST /login to set the cookie "{COOKIE}": make the test {LOGIN} pass first')
    _, attributes = _set_cookies(r)[COOKIE]
    header = [line for line in r.headers.get_list("set-cookie") if line.strip().startswith(f"{COOKIE}=")]
    check(attributes.get("httponly") is True, "expected the sid cookie to have the attribute HttpOnly", got=header)
    same_site = attributes.get("samesite")
    check(
        isinstance(same_site, str) and same_site.lower() in ("lax", "strict"),
        "expected the sid cookie to have the attribute SameSite=Lax or SameSite=Strict",
        got=header,
    )
    check_equal(attributes.get("path"), "/", "the Path attribute of the sid cookie")


@title("Logging in gives a new session id (no session fixation)")
@points(2)
@hint(
    "At login, always create a brand-new session with a new id (and delete the one the request "
    "came with): never mark the session id the browser already had as logged in. Otherwise an "
    "attacker who planted that id in the victim's browser shares the victim's session."
)
def test_session_rotated_at_login(app, rng):
    user = _user(rng, "fix")
    _register(app, user)
    r = app.get("/csrf", headers=_cookie(None))
    check_equal(
        r.status_code,
        200,
        "the status code of GET /csrf without a session",
        hint="GET /csrf without a session must start an anonymous session: make it answer 200.",
    )
    before = _sid_set_by(r, "GET /csrf without a session (it must start an anonymous session)")
    r = app.post("/login", json=user, headers=_cookie(before))
    if not _ok(r):
        not_graded(
            f"this test needs POST /login to log in (it answered {r.status_code} with the anonymous session's "
            f"cookie): make the test {LOGIN} pass first"
        )
    after = _set_cookies(r).get(COOKIE, (before, {}))[0] or before  # no new cookie: the old id stays
    check(after != before, "expected POST /login to set a new session id, not the one the request came with", got=after)
    data = _json(app.get("/me", headers=_cookie(after)), 200, "GET /me with the session id set at login")
    check_equal(data, {"username": user["username"]}, "the JSON body of GET /me")
    _check_error(app.get("/me", headers=_cookie(before)), 401, "GET /me with the session id from before the login")


@title("Session ids are long, random and never hold the username")
@points(2)
@hint(
    "Make each session id with a cryptographic random generator, at least 16 random bytes, "
    'URL-safe: secrets.token_urlsafe(32) in Python, crypto.randomBytes(32).toString("base64url") '
    "in Node. Never build it from the username, the user id, a counter or the time, encoded or not."
)
def test_session_ids_unguessable(app, rng):
    users = [_user(rng, "rand") for _ in range(2)]
    for user in users:
        _register(app, user)
    sids = [(user["username"], _login(app, user)) for _ in range(4) for user in users]
    for username, sid in sids:
        check(
            URL_SAFE.match(sid) and len(sid) >= MIN_SID_LENGTH,
            f"expected every session id to be at least {MIN_SID_LENGTH} characters among A-Z, a-z, 0-9, - and _",
            got=sid,
        )
        for decoded in _decodings(sid):
            check(
                username.lower().encode() not in decoded.lower(),
                f"expected the session id not to hold the username {username!r}, in clear, base64 or hex",
                got=sid,
            )
    values = [sid for _, sid in sids]
    check_equal(len(set(values)), len(values), f"the number of distinct session ids in {len(values)} logins")
    for i, first in enumerate(values):
        for second in values[i + 1 :]:
            check(
                first[:8] != second[:8] and first[-8:] != second[-8:],
                "expected random session ids, but two of them start or end alike",
                got=[first, second],
            )


@title("POST /logout destroys the session on the server")
@points(2)
@hint(
    "On POST /logout, delete the session from your server-side store and answer 204 (clearing the "
    "cookie too is good manners). Clearing only the cookie is not enough: anyone who copied the "
    "session id could go on using it."
)
def test_logout_destroys_session(app, rng):
    _, sid = _user_session(app, rng, "out")
    r = app.get("/me", headers=_cookie(sid))
    if r.status_code != 200:
        not_graded(
            f"this test needs GET /me to answer 200 in a logged-in session (it answered {r.status_code}): "
            f"make the test {LOGIN} pass first"
        )
    token = _csrf(app, sid)
    with checkpoint("POST /logout answered 204", points=1):
        r = app.post("/logout", headers={**_cookie(sid), "X-CSRF-Token": token})
        check_equal(r.status_code, 204, "the status code of POST /logout")
    _check_error(app.get("/me", headers=_cookie(sid)), 401, "GET /me with the session id after logging out")


@title("POST /notes needs the session's CSRF token in X-CSRF-Token (403 otherwise)")
@points(3)
@hint(
    "GET /csrf returns a random token stored with the session. POST /notes must compare the "
    "X-CSRF-Token header with the token of the request's session (secrets.compare_digest, "
    'crypto.timingSafeEqual) and answer 403 with {"error": "..."} when it is missing or '
    "different, storing nothing."
)
def test_csrf_required(app, rng):
    _, sid = _user_session(app, rng, "csrf")
    token = _csrf(app, sid, strict=True)
    _, other_sid = _user_session(app, rng, "csrf")
    other_token = _csrf(app, other_sid, strict=True)
    rejected = []
    with checkpoint("POST /notes without X-CSRF-Token answered 403", points=1):
        text = _note_text(rng)
        rejected.append(text)
        _check_error(_post_note(app, sid, None, text), 403, "POST /notes without an X-CSRF-Token header")
    cases = [
        ("a made-up X-CSRF-Token", _fake_token(rng, len(token))),
        ("the CSRF token of another user's session", other_token),
    ]
    for what, bad in cases:
        text = _note_text(rng)
        rejected.append(text)
        _check_error(_post_note(app, sid, bad, text), 403, f"POST /notes with {what}")
    texts = [note["text"] for note in _notes(app, sid, "GET /notes after the rejected requests")]
    check_equal([t for t in texts if t in rejected], [], "the rejected notes listed by GET /notes")
    r = _post_note(app, sid, token, _note_text(rng))
    check(
        _ok(r),
        "expected POST /notes with the session's own CSRF token to be accepted (a 2xx status code)",
        got=r.status_code,
    )


@title("POST /notes stores a note for the logged-in user and GET /notes lists it")
@points(2)
@hint(
    'POST /notes with {"text": "..."} and the CSRF token answers 201 with {"id": 1, "text": "..."}; '
    "GET /notes answers the user's notes as a JSON array. Without a logged-in session both answer "
    '401, and an empty "text" answers 400.'
)
def test_notes(app, rng):
    _, sid = _user_session(app, rng, "note")
    token = _csrf(app, sid)
    with checkpoint("created a note", points=1):
        note = _create_note(app, sid, token, _note_text(rng), strict=True)
    check_equal(_notes(app, sid, "GET /notes", strict=True), [note], "the notes of a new user after one POST /notes")
    _check_error(_post_note(app, None, token, _note_text(rng)), 401, "POST /notes without a session cookie")
    _check_error(app.get("/notes", headers=_cookie(None)), 401, "GET /notes without a session cookie")
    _check_error(_post_note(app, sid, token, rng.choice(["", "   "])), 400, 'POST /notes with an empty "text"')


@title("GET /notes shows each user their own notes only")
@points(2)
@hint(
    "Store each note with the id of the session's user, and list only the notes of the user of "
    "the request's session, oldest first."
)
def test_notes_private(app, rng):
    sessions = [_user_session(app, rng, "priv")[1] for _ in range(2)]
    tokens = [_csrf(app, sid) for sid in sessions]
    created = [[], []]
    for _ in range(rng.randint(2, 4)):
        for who in (0, 1):
            created[who].append(_create_note(app, sessions[who], tokens[who], _note_text(rng)))
    for who, name in ((0, "the first user"), (1, "the second user")):
        check_equal(
            _notes(app, sessions[who], f"GET /notes as {name}"), created[who], f"the notes GET /notes lists for {name}"
        )
