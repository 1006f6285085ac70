"""Reference solution for secure-sessions: Flask, sqlite3 and argon2-cffi, with the sessions kept in
a table on the server (not in Flask's signed cookie session) and a CSRF token per session."""

import os
import re
import secrets
import sqlite3
import time

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerifyMismatchError
from flask import Flask, g, jsonify, request

DATA_DIR = os.environ.get("DATA_DIR", "data")
DB_PATH = os.path.join(DATA_DIR, "sessions.db")
COOKIE = "sid"
SESSION_LIFETIME = 8 * 3600  # seconds; a session older than this is gone
USERNAME = re.compile(r"^[A-Za-z0-9_.-]{3,32}$")
LOGIN_FAILED = "invalid username or password"
SESSION_QUERY = """
    SELECT sessions.id, sessions.user_id, sessions.csrf_token, users.username
    FROM sessions LEFT JOIN users ON users.id = sessions.user_id
    WHERE sessions.id = ? AND sessions.expires_at > ?
"""

app = Flask(__name__)
# Argon2id with OWASP's minimum parameters (19 MiB, 2 passes): safe, and quick on the sandbox's one CPU.
hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)


def db():
    if "db" not in g:
        g.db = sqlite3.connect(DB_PATH)
        g.db.row_factory = sqlite3.Row
    return g.db


@app.teardown_appcontext
def close_db(_):
    conn = g.pop("db", None)
    if conn is not None:
        conn.close()


def init_db():
    os.makedirs(DATA_DIR, exist_ok=True)
    with sqlite3.connect(DB_PATH) as conn:
        conn.executescript(
            """
            CREATE TABLE IF NOT EXISTS users (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                username TEXT NOT NULL UNIQUE,
                password_hash TEXT NOT NULL
            );
            CREATE TABLE IF NOT EXISTS sessions (
                id TEXT PRIMARY KEY,
                user_id INTEGER REFERENCES users(id),  -- NULL: an anonymous session
                csrf_token TEXT NOT NULL,
                expires_at REAL NOT NULL
            );
            CREATE TABLE IF NOT EXISTS notes (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                user_id INTEGER NOT NULL REFERENCES users(id),
                text TEXT NOT NULL
            );
            """
        )


def error(message, status):
    return jsonify(error=message), status


# --- sessions ------------------------------------------------------------------------------------


def current_session():
    """The row of the request's unexpired session (id, user_id, username, csrf_token), else None."""
    sid = request.cookies.get(COOKIE)
    if not sid:
        return None
    return db().execute(SESSION_QUERY, (sid, time.time())).fetchone()


def start_session(user_id=None):
    """Store a new session with a fresh random id and CSRF token: (id, csrf_token)."""
    sid, csrf_token = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    with db():
        db().execute("DELETE FROM sessions WHERE expires_at <= ?", (time.time(),))
        db().execute(
            "INSERT INTO sessions (id, user_id, csrf_token, expires_at) VALUES (?, ?, ?, ?)",
            (sid, user_id, csrf_token, time.time() + SESSION_LIFETIME),
        )
    return sid, csrf_token


def end_session(session):
    if session is not None:
        with db():
            db().execute("DELETE FROM sessions WHERE id = ?", (session["id"],))


def set_session_cookie(response, sid):
    # Behind HTTPS, add secure=True: the sandbox speaks plain HTTP, so it is left out here.
    response.set_cookie(COOKIE, sid, httponly=True, samesite="Lax", path="/")
    return response


def logged_in_session():
    session = current_session()
    return session if session is not None and session["user_id"] is not None else None


# --- routes --------------------------------------------------------------------------------------


@app.post("/register")
def register():
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return error("the body must be a JSON object", 400)
    username, password = body.get("username"), body.get("password")
    if not isinstance(username, str) or not USERNAME.match(username):
        return error('"username" must be 3 to 32 letters, digits, "_", "." or "-"', 400)
    if not isinstance(password, str) or len(password) < 8:
        return error('"password" must be a string of at least 8 characters', 400)
    try:
        with db():
            db().execute("INSERT INTO users (username, password_hash) VALUES (?, ?)", (username, hasher.hash(password)))
    except sqlite3.IntegrityError:
        return error("this username is taken", 409)
    return jsonify(username=username), 201


@app.post("/login")
def login():
    body = request.get_json(silent=True)
    if (
        not isinstance(body, dict)
        or not isinstance(body.get("username"), str)
        or not isinstance(body.get("password"), str)
    ):
        return error('the body must be a JSON object with "username" and "password"', 400)
    row = db().execute("SELECT id, password_hash FROM users WHERE username = ?", (body["username"],)).fetchone()
    try:
        if row is None or not hasher.verify(row["password_hash"], body["password"]):
            raise VerifyMismatchError
    except (VerifyMismatchError, InvalidHashError):
        return error(LOGIN_FAILED, 401)
    # BROKEN: the session the request came with (e.g. from GET /csrf) is marked as logged in and
    # keeps its id, so whoever planted that id shares the user's session (session fixation).
    session = current_session()
    if session is not None:
        sid = session["id"]
        with db():
            db().execute("UPDATE sessions SET user_id = ? WHERE id = ?", (row["id"], sid))
    else:
        sid, _ = start_session(row["id"])
    return set_session_cookie(jsonify(username=body["username"]), sid), 200


@app.get("/me")
def me():
    session = logged_in_session()
    if session is None:
        return error("not logged in", 401)
    return jsonify(username=session["username"]), 200


@app.post("/logout")
def logout():
    end_session(current_session())
    response = app.response_class(status=204)
    response.delete_cookie(COOKIE, httponly=True, samesite="Lax", path="/")
    return response


@app.get("/csrf")
def csrf():
    session = current_session()
    if session is not None:
        return jsonify(csrf_token=session["csrf_token"]), 200
    sid, csrf_token = start_session()
    return set_session_cookie(jsonify(csrf_token=csrf_token), sid), 200


@app.post("/notes")
def create_note():
    session = logged_in_session()
    if session is None:
        return error("not logged in", 401)
    sent = request.headers.get("X-CSRF-Token", "")
    if not secrets.compare_digest(sent.encode(), session["csrf_token"].encode()):
        return error("missing or wrong CSRF token", 403)
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or not isinstance(body.get("text"), str) or not body["text"].strip():
        return error('the body must be a JSON object with a non-empty "text"', 400)
    with db():
        cursor = db().execute("INSERT INTO notes (user_id, text) VALUES (?, ?)", (session["user_id"], body["text"]))
    return jsonify(id=cursor.lastrowid, text=body["text"]), 201


@app.get("/notes")
def list_notes():
    session = logged_in_session()
    if session is None:
        return error("not logged in", 401)
    rows = db().execute("SELECT id, text FROM notes WHERE user_id = ? ORDER BY id", (session["user_id"],))
    return jsonify([{"id": row["id"], "text": row["text"]} for row in rows]), 200


@app.errorhandler(404)
def not_found(_):
    return error("not found", 404)


@app.errorhandler(405)
def method_not_allowed(_):
    return error("method not allowed", 405)


init_db()

if __name__ == "__main__":
    app.run(host=os.environ.get("HOST", "0.0.0.0"), port=int(os.environ.get("PORT", "8000")), threaded=True)
