import os
import random
import string
from datetime import timezone
from urllib.parse import urlparse

import psycopg
from flask import Flask, jsonify, request
from psycopg.rows import dict_row

DATABASE_URL = os.environ.get("DATABASE_URL", "postgresql://postgres:postgres@localhost:5432/shortener")
PORT = int(os.environ.get("PORT", 8000))

app = Flask(__name__)

COLUMNS = "id, url, short_code, created_at, updated_at, access_count"


def connect():
    return psycopg.connect(DATABASE_URL, row_factory=dict_row)


def create_table():
    with connect() as conn:
        conn.execute(
            """
            CREATE TABLE IF NOT EXISTS short_urls (
                id SERIAL PRIMARY KEY,
                url TEXT NOT NULL,
                short_code VARCHAR(6) NOT NULL UNIQUE,
                created_at TIMESTAMPTZ NOT NULL,
                updated_at TIMESTAMPTZ NOT NULL,
                access_count INTEGER NOT NULL DEFAULT 0
            )
            """
        )


def to_json(row, stats=False):
    data = {
        "id": row["id"],
        "url": row["url"],
        "shortCode": row["short_code"],
        "createdAt": row["created_at"].astimezone(timezone.utc).isoformat(),
        "updatedAt": row["updated_at"].astimezone(timezone.utc).isoformat(),
    }
    if stats:
        data["accessCount"] = row["access_count"]
    return data


def random_code():
    return "".join(random.choices(string.ascii_letters + string.digits, k=6))


def valid_url(url):
    if not isinstance(url, str) or url == "" or len(url) > 2048:
        return False
    if not url.startswith(("http://", "https://")):
        return False
    if any(ch.isspace() for ch in url):
        return False
    return urlparse(url).netloc != ""


def url_from_body():
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return None
    url = body.get("url")
    return url if valid_url(url) else None


def not_found():
    return jsonify({"error": "short URL not found"}), 404


@app.errorhandler(404)
def page_not_found(e):
    return jsonify({"error": "not found"}), 404


@app.errorhandler(405)
def wrong_method(e):
    return jsonify({"error": "method not allowed"}), 405


@app.post("/shorten")
def create():
    url = url_from_body()
    if url is None:
        return jsonify({"error": "a valid http:// or https:// url is required"}), 400
    with connect() as conn:
        while True:
            try:
                with conn.transaction():
                    row = conn.execute(
                        f"INSERT INTO short_urls (url, short_code, created_at, updated_at) "
                        f"VALUES (%s, %s, now(), now()) RETURNING {COLUMNS}",
                        (url, random_code()),
                    ).fetchone()
                break
            except psycopg.errors.UniqueViolation:
                continue  # that code is taken, try another one
    return jsonify(to_json(row)), 201


@app.get("/shorten/<code>")
def retrieve(code):
    with connect() as conn:
        row = conn.execute(
            f"UPDATE short_urls SET access_count = access_count + 1 WHERE short_code = %s RETURNING {COLUMNS}",
            (code,),
        ).fetchone()
    if row is None:
        return not_found()
    return jsonify(to_json(row))


@app.put("/shorten/<code>")
def update(code):
    with connect() as conn:
        exists = conn.execute("SELECT id FROM short_urls WHERE short_code = %s", (code,)).fetchone()
        if exists is None:
            return not_found()
        url = url_from_body()
        if url is None:
            return jsonify({"error": "a valid http:// or https:// url is required"}), 400
        row = conn.execute(
            f"UPDATE short_urls SET url = %s, updated_at = now() WHERE short_code = %s RETURNING {COLUMNS}",
            (url, code),
        ).fetchone()
    return jsonify(to_json(row))


@app.delete("/shorten/<code>")
def delete(code):
    with connect() as conn:
        deleted = conn.execute("DELETE FROM short_urls WHERE short_code = %s", (code,)).rowcount
    if deleted == 0:
        return not_found()
    return "", 204


@app.get("/shorten/<code>/stats")
def stats(code):
    with connect() as conn:
        row = conn.execute(f"SELECT {COLUMNS} FROM short_urls WHERE short_code = %s", (code,)).fetchone()
    if row is None:
        return not_found()
    return jsonify(to_json(row, stats=True))


create_table()

if __name__ == "__main__":
    app.run(host="0.0.0.0", port=PORT)
