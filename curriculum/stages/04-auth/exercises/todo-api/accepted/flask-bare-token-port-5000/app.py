import secrets
import sqlite3

from flask import Flask, g, jsonify, request
from werkzeug.security import check_password_hash, generate_password_hash

app = Flask(__name__)
DATABASE = "todo.db"


def get_db():
    if "db" not in g:
        g.db = sqlite3.connect(DATABASE)
        g.db.row_factory = sqlite3.Row
    return g.db


@app.teardown_appcontext
def close_db(exception):
    db = g.pop("db", None)
    if db is not None:
        db.close()


def init_db():
    db = sqlite3.connect(DATABASE)
    db.executescript(
        """
        CREATE TABLE IF NOT EXISTS users (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            name TEXT NOT NULL,
            email TEXT UNIQUE NOT NULL,
            password_hash TEXT NOT NULL
        );
        CREATE TABLE IF NOT EXISTS tokens (
            token TEXT PRIMARY KEY,
            user_id INTEGER NOT NULL
        );
        CREATE TABLE IF NOT EXISTS todos (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            user_id INTEGER NOT NULL,
            title TEXT NOT NULL,
            description TEXT NOT NULL DEFAULT ''
        );
        """
    )
    db.commit()
    db.close()


def new_token(user_id):
    token = secrets.token_hex(32)
    db = get_db()
    db.execute("INSERT INTO tokens (token, user_id) VALUES (?, ?)", (token, user_id))
    db.commit()
    return token


def current_user():
    # The token itself is the value of the Authorization header.
    token = request.headers.get("Authorization", "")
    row = get_db().execute("SELECT user_id FROM tokens WHERE token = ?", (token,)).fetchone()
    return row["user_id"] if row else None


def valid_text(value):
    return isinstance(value, str) and value.strip() != ""


def read_todo():
    data = request.get_json(silent=True)
    if not isinstance(data, dict) or not valid_text(data.get("title")):
        return None
    description = data.get("description", "")
    if not isinstance(description, str):
        return None
    return data["title"], description


@app.route("/register", methods=["POST"])
def register():
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        return jsonify({"error": "Invalid JSON"}), 400
    name, email, password = data.get("name"), data.get("email"), data.get("password")
    if not valid_text(name):
        return jsonify({"error": "Name is required"}), 400
    local, _, domain = email.partition("@") if isinstance(email, str) else ("", "", "")
    if not local or not domain or "@" in domain or " " in email:
        return jsonify({"error": "A valid email is required"}), 400
    if not isinstance(password, str) or len(password) < 8:
        return jsonify({"error": "Password must be at least 8 characters"}), 400
    db = get_db()
    if db.execute("SELECT id FROM users WHERE email = ?", (email,)).fetchone():
        return jsonify({"error": "Email already in use"}), 409
    cursor = db.execute(
        "INSERT INTO users (name, email, password_hash) VALUES (?, ?, ?)",
        (name, email, generate_password_hash(password)),
    )
    db.commit()
    return jsonify({"token": new_token(cursor.lastrowid)}), 201


@app.route("/login", methods=["POST"])
def login():
    data = request.get_json(silent=True) or {}
    email, password = data.get("email"), data.get("password")
    if not isinstance(email, str) or not isinstance(password, str):
        return jsonify({"error": "Email and password are required"}), 400
    user = get_db().execute("SELECT * FROM users WHERE email = ?", (email,)).fetchone()
    if user is None or not check_password_hash(user["password_hash"], password):
        return jsonify({"error": "Invalid email or password"}), 401
    return jsonify({"token": new_token(user["id"])})


@app.route("/todos", methods=["POST"])
def create_todo():
    user_id = current_user()
    if user_id is None:
        return jsonify({"error": "Unauthorized"}), 401
    todo = read_todo()
    if todo is None:
        return jsonify({"error": "A title is required"}), 400
    db = get_db()
    cursor = db.execute("INSERT INTO todos (user_id, title, description) VALUES (?, ?, ?)", (user_id, *todo))
    db.commit()
    return jsonify({"id": cursor.lastrowid, "title": todo[0], "description": todo[1]}), 201


@app.route("/todos", methods=["GET"])
def list_todos():
    user_id = current_user()
    if user_id is None:
        return jsonify({"error": "Unauthorized"}), 401
    page = request.args.get("page", 1, type=int)
    limit = request.args.get("limit", 10, type=int)
    if page < 1 or limit < 1:
        return jsonify({"error": "page and limit must be positive"}), 400
    db = get_db()
    rows = db.execute(
        "SELECT id, title, description FROM todos WHERE user_id = ? ORDER BY id LIMIT ? OFFSET ?",
        (user_id, limit, (page - 1) * limit),
    ).fetchall()
    total = db.execute("SELECT COUNT(*) FROM todos WHERE user_id = ?", (user_id,)).fetchone()[0]
    return jsonify({"data": [dict(row) for row in rows], "page": page, "limit": limit, "total": total})


def find_todo(todo_id, user_id):
    todo = get_db().execute("SELECT * FROM todos WHERE id = ?", (todo_id,)).fetchone()
    if todo is None:
        return jsonify({"error": "Todo not found"}), 404
    if todo["user_id"] != user_id:
        return jsonify({"error": "Forbidden"}), 403
    return None


@app.route("/todos/<int:todo_id>", methods=["PUT"])
def update_todo(todo_id):
    user_id = current_user()
    if user_id is None:
        return jsonify({"error": "Unauthorized"}), 401
    problem = find_todo(todo_id, user_id)
    if problem:
        return problem
    todo = read_todo()
    if todo is None:
        return jsonify({"error": "A title is required"}), 400
    db = get_db()
    db.execute("UPDATE todos SET title = ?, description = ? WHERE id = ?", (*todo, todo_id))
    db.commit()
    return jsonify({"id": todo_id, "title": todo[0], "description": todo[1]})


@app.route("/todos/<int:todo_id>", methods=["DELETE"])
def delete_todo(todo_id):
    user_id = current_user()
    if user_id is None:
        return jsonify({"error": "Unauthorized"}), 401
    problem = find_todo(todo_id, user_id)
    if problem:
        return problem
    db = get_db()
    db.execute("DELETE FROM todos WHERE id = ?", (todo_id,))
    db.commit()
    return "", 204


@app.errorhandler(404)
def not_found(error):
    return jsonify({"error": "Not found"}), 404


init_db()

if __name__ == "__main__":
    app.run(host="0.0.0.0", port=5000)
