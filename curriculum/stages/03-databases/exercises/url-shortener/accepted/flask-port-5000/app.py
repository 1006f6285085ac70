import secrets
import sqlite3
from datetime import datetime

from flask import Flask, g, jsonify, request

app = Flask(__name__)
DATABASE = "urls.db"


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
    db.execute(
        "CREATE TABLE IF NOT EXISTS urls ("
        "id INTEGER PRIMARY KEY AUTOINCREMENT, url TEXT NOT NULL, short_code TEXT UNIQUE NOT NULL, "
        "created_at TEXT NOT NULL, updated_at TEXT NOT NULL, access_count INTEGER DEFAULT 0)"
    )
    db.commit()
    db.close()


def serialize(row, with_stats=False):
    data = {
        "id": row["id"],
        "url": row["url"],
        "short_code": row["short_code"],
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
    }
    if with_stats:
        data["access_count"] = row["access_count"]
    return data


def get_url_or_none(code):
    return get_db().execute("SELECT * FROM urls WHERE short_code = ?", (code,)).fetchone()


def read_url():
    body = request.get_json(silent=True) or {}
    url = body.get("url") if isinstance(body, dict) else None
    if not isinstance(url, str) or not url.strip():
        return None
    return url


@app.route("/shorten", methods=["POST"])
def shorten():
    url = read_url()
    if url is None:
        return jsonify({"error": "url is required"}), 400
    now = datetime.utcnow().isoformat()
    db = get_db()
    code = secrets.token_urlsafe(6)
    while get_url_or_none(code) is not None:
        code = secrets.token_urlsafe(6)
    cur = db.execute(
        "INSERT INTO urls (url, short_code, created_at, updated_at) VALUES (?, ?, ?, ?)", (url, code, now, now)
    )
    db.commit()
    row = db.execute("SELECT * FROM urls WHERE id = ?", (cur.lastrowid,)).fetchone()
    return jsonify(serialize(row)), 201


@app.route("/shorten/<code>", methods=["GET"])
def retrieve(code):
    row = get_url_or_none(code)
    if row is None:
        return jsonify({"error": "short url not found"}), 404
    db = get_db()
    db.execute("UPDATE urls SET access_count = access_count + 1 WHERE id = ?", (row["id"],))
    db.commit()
    return jsonify(serialize(row))


@app.route("/shorten/<code>", methods=["PUT"])
def update(code):
    row = get_url_or_none(code)
    if row is None:
        return jsonify({"error": "short url not found"}), 404
    url = read_url()
    if url is None:
        return jsonify({"error": "url is required"}), 400
    db = get_db()
    db.execute("UPDATE urls SET url = ?, updated_at = ? WHERE id = ?", (url, datetime.utcnow().isoformat(), row["id"]))
    db.commit()
    return jsonify(serialize(get_url_or_none(code)))


@app.route("/shorten/<code>", methods=["DELETE"])
def delete(code):
    row = get_url_or_none(code)
    if row is None:
        return jsonify({"error": "short url not found"}), 404
    db = get_db()
    db.execute("DELETE FROM urls WHERE id = ?", (row["id"],))
    db.commit()
    return "", 204


@app.route("/shorten/<code>/stats", methods=["GET"])
def stats(code):
    row = get_url_or_none(code)
    if row is None:
        return jsonify({"error": "short url not found"}), 404
    return jsonify(serialize(row, with_stats=True))


if __name__ == "__main__":
    init_db()
    app.run(host="0.0.0.0", port=5000)
