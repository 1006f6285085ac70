"""The secure-sessions suite's HTTP helpers: cookies, preconditions and the checks the tests share."""

import base64
import binascii
import json
import re

from session_data import _user

from stagecraft_grader import check, check_equal, not_graded
from stagecraft_grader.shapes import field, find_id, unwrap, unwrap_list

COOKIE = "sid"
URL_SAFE = re.compile(r"^[A-Za-z0-9_-]+$")
HEX = re.compile(r"^[0-9a-fA-F]+$")
MIN_SID_LENGTH = 22  # 22 URL-safe base64 characters carry 132 bits

# The tests that check what the preconditions below only need to work: a precondition that cannot
# be met skips the test (worth nothing) and names the test to make pass first, so that one mistake
# fails one test.
REGISTER = '"POST /register creates a user (201) and refuses a taken username (409)"'
LOGIN = '"POST /login sets the sid cookie, and GET /me answers only with a valid session"'
CSRF = '"POST /notes needs the session\'s CSRF token in X-CSRF-Token (403 otherwise)"'
NOTES = '"POST /notes stores a note for the logged-in user and GET /notes lists it"'


# --- cookies ----------------------------------------------------------------------------------


def _cookie(sid):
    """The Cookie header of a request: the session `sid`, or none at all when `sid` is None."""
    return {"Cookie": f"{COOKIE}={sid}" if sid else ""}


def _set_cookies(r):
    """The cookies the response sets: name -> (value, {attribute in lower case: value or True})."""
    cookies = {}
    for line in r.headers.get_list("set-cookie"):
        first, *rest = line.split(";")
        name, _, value = first.partition("=")
        attributes = {}
        for part in rest:
            key, has_value, attribute = part.partition("=")
            attributes[key.strip().lower()] = attribute.strip() if has_value else True
        cookies[name.strip()] = (value.strip().strip('"'), attributes)
    return cookies


def _sid_set_by(r, what):
    """The value of the sid cookie the response sets; fails when it sets none."""
    cookies = _set_cookies(r)
    check(
        COOKIE in cookies and cookies[COOKIE][0],
        f'expected {what} to set the session cookie "{COOKIE}" with a Set-Cookie header',
        got=r.headers.get_list("set-cookie") or "no Set-Cookie header",
    )
    return cookies[COOKIE][0]


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
    return data


def _json_or_none(r):
    try:
        return json.loads(r.content)
    except ValueError:
        return None


def _ok(r):
    return 200 <= r.status_code < 300


def _register(app, user):
    """POST /register as a precondition of a test about something else (any 2xx will do here)."""
    r = app.post("/register", json=user, headers=_cookie(None))
    if not _ok(r):
        not_graded(
            f"this test needs POST /register to register a user (it answered {r.status_code}): "
            f"make the test {REGISTER} pass first"
        )


def _login(app, user, sid=None):
    """POST /login (with the session cookie `sid`, if any) as a precondition: the new session id."""
    r = app.post("/login", json=user, headers=_cookie(sid))
    cookies = _set_cookies(r)
    if not _ok(r) or not (COOKIE in cookies and cookies[COOKIE][0]):
        not_graded(
            f'this test needs POST /login to log in and set the cookie "{COOKIE}" (it answered '
            f"{r.status_code}, Set-Cookie {r.headers.get_list('set-cookie')}): make the test {LOGIN} pass first"
        )
    return cookies[COOKIE][0]


def _user_session(app, rng, tag):
    """A fresh user, logged in: (user, sid)."""
    user = _user(rng, tag)
    _register(app, user)
    return user, _login(app, user)


def _csrf(app, sid, *, strict=False):
    """GET /csrf in the session `sid`: its CSRF token.

    `strict` checks the answer as the brief pins it ({"csrf_token": "..."}, JSON), for the CSRF
    test; as a precondition of another test the token is read in any shape, or the test is skipped.
    """
    r = app.get("/csrf", headers=_cookie(sid))
    if strict:
        data = _json(r, 200, "GET /csrf (fetching the CSRF token)")
        check(
            isinstance(data, dict) and isinstance(data.get("csrf_token"), str) and data["csrf_token"],
            'expected GET /csrf to answer a JSON object with a non-empty string "csrf_token"',
            got=data,
        )
        return data["csrf_token"]
    data = unwrap(_json_or_none(r), lambda d: isinstance(field(d, "csrf_token", "csrf", "token"), str))
    token = field(data, "csrf_token", "csrf", "token") if _ok(r) and data is not None else None
    if not token:
        not_graded(
            f"this test needs GET /csrf to answer the session's CSRF token (it answered {r.status_code} "
            f"{r.text[:100]!r}): make the test {CSRF} pass first"
        )
    return token


def _post_note(app, sid, token, text):
    headers = _cookie(sid)
    if token is not None:
        headers["X-CSRF-Token"] = token
    return app.post("/notes", json={"text": text}, headers=headers)


def _create_note(app, sid, token, text, *, strict=False):
    """POST /notes: the created note, reduced to id and text.

    `strict` checks the answer as the brief pins it (201, {"id": <integer>, "text": "..."}); as a
    precondition the id is read in any shape, or the test is skipped.
    """
    r = _post_note(app, sid, token, text)
    if strict:
        data = _json(r, 201, "POST /notes with the session's CSRF token")
        check(
            isinstance(data, dict) and isinstance(data.get("id"), int) and not isinstance(data.get("id"), bool),
            'expected the created note to be a JSON object with an integer "id"',
            got=data,
        )
        check_equal(data.get("text"), text, 'the "text" of the created note')
        return {"id": data["id"], "text": text}
    note_id = find_id(unwrap(_json_or_none(r))) if _ok(r) else None
    if note_id is None:
        not_graded(
            f"this test needs POST /notes to store a note and answer its id (it answered {r.status_code} "
            f"{r.text[:100]!r}): make the test {NOTES} pass first"
        )
    return {"id": note_id, "text": text}


def _notes(app, sid, what, *, strict=False):
    """GET /notes: the session's notes, reduced to id and text.

    `strict` checks the answer as the brief pins it (200, a JSON array); as a precondition the
    list is read bare or wrapped, or the test is skipped.
    """
    r = app.get("/notes", headers=_cookie(sid))
    if strict:
        data = _json(r, 200, what)
        check(
            isinstance(data, list) and all(isinstance(n, dict) for n in data),
            f"expected {what} to answer a JSON array of notes",
            got=data,
        )
    else:
        data = unwrap_list(_json_or_none(r), prefer=("notes",)) if r.status_code == 200 else None
        if data is None or not all(isinstance(n, dict) for n in data):
            not_graded(
                f"this test needs {what} to list the session's notes (it answered {r.status_code} "
                f"{r.text[:100]!r}): make the test {NOTES} pass first"
            )
    return [{"id": n.get("id"), "text": n.get("text")} for n in data]


def _decodings(sid):
    """The session id as text, and as bytes decoded from base64 (at every alignment) or hex."""
    decoded = [sid.encode()]
    for start in range(4):
        chunk = sid[start:]
        chunk = chunk[: len(chunk) - len(chunk) % 4]
        try:
            decoded.append(base64.urlsafe_b64decode(chunk))
        except (ValueError, binascii.Error):
            pass
    if HEX.match(sid):
        for start in range(2):
            chunk = sid[start:]
            decoded.append(bytes.fromhex(chunk[: len(chunk) - len(chunk) % 2]))
    return decoded


def _places(paths):
    """The files as a learner finds them: "$DATA_DIR/users.db", "./app.db (in your project folder)"."""
    return ", ".join(f"{p} (in your project folder)" if p.startswith("./") else f"$DATA_DIR/{p}" for p in paths)
