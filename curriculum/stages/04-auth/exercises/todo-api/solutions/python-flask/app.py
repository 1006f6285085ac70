"""Reference solution for todo-api: Flask, sqlite3, argon2-cffi for passwords and PyJWT for tokens."""

import os
import re
import secrets
import sqlite3
from datetime import UTC, datetime, timedelta

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerifyMismatchError
from flask import Flask, g, jsonify, request

DATA_DIR = os.environ.get("DATA_DIR", "data")
DB_PATH = os.path.join(DATA_DIR, "todo.db")
# Tokens are signed with a secret made at start-up: they stop working when the app restarts.
SECRET = os.environ.get("JWT_SECRET") or secrets.token_hex(32)
TOKEN_LIFETIME = timedelta(hours=24)
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")
MAX_LIMIT = 100

app = Flask(__name__)
hasher = PasswordHasher()


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
                name TEXT NOT NULL,
                email TEXT NOT NULL UNIQUE,
                password_hash TEXT NOT NULL
            );
            CREATE TABLE IF NOT EXISTS todos (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                user_id INTEGER NOT NULL REFERENCES users(id),
                title TEXT NOT NULL,
                description TEXT NOT NULL
            );
            """
        )


def error(message, status):
    return jsonify(error=message), status


def is_text(value):
    return isinstance(value, str) and value.strip() != ""


def issue_token(user_id):
    now = datetime.now(UTC)
    return jwt.encode({"sub": str(user_id), "iat": now, "exp": now + TOKEN_LIFETIME}, SECRET, algorithm="HS256")


def current_user_id():
    """The id of the user whose valid Bearer token came with the request, else None."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme != "Bearer" or not token:
        return None
    try:
        claims = jwt.decode(token.strip(), SECRET, algorithms=["HS256"])
        user_id = int(claims["sub"])
    except (jwt.InvalidTokenError, KeyError, ValueError):
        return None
    row = db().execute("SELECT id FROM users WHERE id = ?", (user_id,)).fetchone()
    return row["id"] if row else None


def todo_json(row):
    return {"id": row["id"], "title": row["title"], "description": row["description"]}


def todo_fields(body):
    """(title, description) from a valid todo body, else None."""
    if not isinstance(body, dict) or not is_text(body.get("title")):
        return None
    description = body.get("description", "")
    if not isinstance(description, str):
        return None
    return body["title"], description


@app.post("/register")
def register():
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return error("the body must be a JSON object", 400)
    name, email, password = body.get("name"), body.get("email"), body.get("password")
    if not is_text(name):
        return error('"name" must be a non-empty string', 400)
    if not isinstance(email, str) or not EMAIL.match(email):
        return error('"email" must be an e-mail address', 400)
    if not isinstance(password, str) or len(password) < 8:
        return error('"password" must be a string of at least 8 characters', 400)
    try:
        with db():
            cursor = db().execute(
                "INSERT INTO users (name, email, password_hash) VALUES (?, ?, ?)",
                (name, email, hasher.hash(password)),
            )
    except sqlite3.IntegrityError:
        return error("this e-mail address is already registered", 409)
    return jsonify(token=issue_token(cursor.lastrowid)), 201


@app.post("/login")
def login():
    body = request.get_json(silent=True)
    fields_ok = isinstance(body, dict) and all(isinstance(body.get(k), str) for k in ("email", "password"))
    if not fields_ok:
        return error('the body must be a JSON object with "email" and "password"', 400)
    row = db().execute("SELECT id, password_hash FROM users WHERE email = ?", (body["email"],)).fetchone()
    try:
        if row is None or not hasher.verify(row["password_hash"], body["password"]):
            raise VerifyMismatchError
    except (VerifyMismatchError, InvalidHashError):
        return error("wrong e-mail or password", 401)
    return jsonify(token=issue_token(row["id"])), 200


@app.post("/todos")
def create_todo():
    user_id = current_user_id()
    if user_id is None:
        return error("unauthorized", 401)
    fields = todo_fields(request.get_json(silent=True))
    if fields is None:
        return error('the body must be a JSON object with a non-empty "title" and a string "description"', 400)
    with db():
        cursor = db().execute("INSERT INTO todos (user_id, title, description) VALUES (?, ?, ?)", (user_id, *fields))
    return jsonify(id=cursor.lastrowid, title=fields[0], description=fields[1]), 201


@app.get("/todos")
def list_todos():
    user_id = current_user_id()
    if user_id is None:
        return error("unauthorized", 401)
    try:
        page = int(request.args.get("page", "1"))
        limit = int(request.args.get("limit", "10"))
    except ValueError:
        return error('"page" and "limit" must be whole numbers', 400)
    if page < 1 or not 1 <= limit <= MAX_LIMIT:
        return error(f'"page" must be at least 1 and "limit" between 1 and {MAX_LIMIT}', 400)
    rows = (
        db()
        .execute(
            "SELECT id, title, description FROM todos WHERE user_id = ? ORDER BY id LIMIT ? OFFSET ?",
            (user_id, limit, (page - 1) * limit),
        )
        .fetchall()
    )
    total = db().execute("SELECT COUNT(*) FROM todos WHERE user_id = ?", (user_id,)).fetchone()[0]
    return jsonify(data=[todo_json(row) for row in rows], page=page, limit=limit, total=total), 200


def owned_todo(todo_id):
    """(user_id, None) when the caller may change the todo, else (None, an error answer)."""
    user_id = current_user_id()
    if user_id is None:
        return None, error("unauthorized", 401)
    row = db().execute("SELECT user_id FROM todos WHERE id = ?", (todo_id,)).fetchone()
    if row is None:
        return None, error("todo not found", 404)
    if row["user_id"] != user_id:
        return None, error("forbidden", 403)
    return user_id, None


@app.put("/todos/<int:todo_id>")
def update_todo(todo_id):
    _, answer = owned_todo(todo_id)
    if answer:
        return answer
    fields = todo_fields(request.get_json(silent=True))
    if fields is None:
        return error('the body must be a JSON object with a non-empty "title" and a string "description"', 400)
    with db():
        db().execute("UPDATE todos SET title = ?, description = ? WHERE id = ?", (*fields, todo_id))
    return jsonify(id=todo_id, title=fields[0], description=fields[1]), 200


@app.delete("/todos/<int:todo_id>")
def delete_todo(todo_id):
    _, answer = owned_todo(todo_id)
    if answer:
        return answer
    with db():
        db().execute("DELETE FROM todos WHERE id = ?", (todo_id,))
    return "", 204


@app.errorhandler(404)
def not_found(_):
    return error("not found", 404)


@app.errorhandler(405)
def method_not_allowed(_):
    return error("method not allowed", 405)


init_db()

if __name__ == "__main__":
    app.run(host=os.environ.get("HOST", "0.0.0.0"), port=int(os.environ.get("PORT", "8000")), threaded=True)
