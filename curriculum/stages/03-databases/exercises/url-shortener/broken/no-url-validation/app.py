"""url-shortener broken variant no-url-validation: see broken.toml for what is wrong."""

import json
import os
import re
import secrets
import sqlite3
import string
from contextlib import closing
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

ALPHABET = string.ascii_letters + string.digits
CODE_LENGTH = 6
MAX_BODY = 64 * 1024
MAX_URL = 2048
ROUTE = re.compile(r"/shorten/([^/]+)(/stats)?")
NOT_FOUND = 404, {"error": "short URL not found"}
BAD_URL = 400, {"error": 'the body must be a JSON object with an http(s) "url"'}

DATA_DIR = os.environ.get("DATA_DIR") or "data"
DB_PATH = os.path.join(DATA_DIR, "urls.db")

SCHEMA = """
CREATE TABLE IF NOT EXISTS urls (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    url          TEXT NOT NULL,
    short_code   TEXT NOT NULL UNIQUE,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    access_count INTEGER NOT NULL DEFAULT 0
)
"""


def connect():
    # One connection per request: sqlite3 connections must not be shared between threads.
    db = sqlite3.connect(DB_PATH, timeout=10)
    db.row_factory = sqlite3.Row
    return db


def now():
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def valid_url(value):
    # BROKEN: any non-empty string passes, "example.com/page" and "just some words" included.
    return isinstance(value, str) and bool(value)


def url_from(body):
    """The valid "url" of a JSON request body, or None."""
    try:
        data = json.loads(body)
    except ValueError:
        return None
    url = data.get("url") if isinstance(data, dict) else None
    return url if valid_url(url) else None


def record(row, with_count=False):
    data = {
        "id": row["id"],
        "url": row["url"],
        "shortCode": row["short_code"],
        "createdAt": row["created_at"],
        "updatedAt": row["updated_at"],
    }
    if with_count:
        data["accessCount"] = row["access_count"]
    return data


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, so every response needs a Content-Length

    def do_GET(self):
        self.dispatch("GET")

    def do_POST(self):
        self.dispatch("POST")

    def do_PUT(self):
        self.dispatch("PUT")

    def do_PATCH(self):
        self.dispatch("PATCH")

    def do_DELETE(self):
        self.dispatch("DELETE")

    def dispatch(self, method):
        body = self.read_body()
        if body is None:
            self.close_connection = True  # the unread body would garble the next request
            self.send_json(413, {"error": "body too large"})
            return
        path = urlsplit(self.path).path
        match = ROUTE.fullmatch(path)
        # The inner "db" commits the transaction (or rolls it back) before the answer goes out.
        with closing(connect()) as db, db:
            if path == "/shorten" and method == "POST":
                status, data = self.create(db, body)
            elif match and match.group(2) and method == "GET":
                status, data = self.stats(db, match.group(1))
            elif match and not match.group(2) and method == "GET":
                status, data = self.retrieve(db, match.group(1))
            elif match and not match.group(2) and method == "PUT":
                status, data = self.update(db, match.group(1), body)
            elif match and not match.group(2) and method == "DELETE":
                status, data = self.delete(db, match.group(1))
            else:
                status, data = 404, {"error": "not found"}
        self.send_json(status, data)

    def create(self, db, body):
        url = url_from(body)
        if url is None:
            return BAD_URL
        stamp = now()
        while True:
            code = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
            try:
                cursor = db.execute(
                    "INSERT INTO urls (url, short_code, created_at, updated_at) VALUES (?, ?, ?, ?)",
                    (url, code, stamp, stamp),
                )
                break
            except sqlite3.IntegrityError:
                continue  # the code is taken: draw another
        row = db.execute("SELECT * FROM urls WHERE id = ?", (cursor.lastrowid,)).fetchone()
        return 201, record(row)

    def retrieve(self, db, code):
        cursor = db.execute("UPDATE urls SET access_count = access_count + 1 WHERE short_code = ?", (code,))
        if cursor.rowcount == 0:
            return NOT_FOUND
        row = db.execute("SELECT * FROM urls WHERE short_code = ?", (code,)).fetchone()
        return 200, record(row)

    def stats(self, db, code):
        row = db.execute("SELECT * FROM urls WHERE short_code = ?", (code,)).fetchone()
        if row is None:
            return NOT_FOUND
        return 200, record(row, with_count=True)

    def update(self, db, code, body):
        if db.execute("SELECT 1 FROM urls WHERE short_code = ?", (code,)).fetchone() is None:
            return NOT_FOUND
        url = url_from(body)
        if url is None:
            return BAD_URL
        db.execute("UPDATE urls SET url = ?, updated_at = ? WHERE short_code = ?", (url, now(), code))
        row = db.execute("SELECT * FROM urls WHERE short_code = ?", (code,)).fetchone()
        return 200, record(row)

    def delete(self, db, code):
        if db.execute("DELETE FROM urls WHERE short_code = ?", (code,)).rowcount == 0:
            return NOT_FOUND
        return 204, None

    def read_body(self):
        """The request body as bytes, or None when it is larger than MAX_BODY."""
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            return None
        return self.rfile.read(length)

    def send_json(self, status, data):
        """Answer `data` as JSON; None sends no body at all (for 204)."""
        self.send_response(status)
        if data is None:
            self.end_headers()
            return
        body = json.dumps(data).encode("utf-8")
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def main():
    os.makedirs(DATA_DIR, exist_ok=True)
    with closing(connect()) as db, db:
        db.execute(SCHEMA)
    host = os.environ.get("HOST", "0.0.0.0")
    port = int(os.environ.get("PORT", "8000"))
    server = ThreadingHTTPServer((host, port), Handler)
    print(f"listening on http://{host}:{port}, storing in {DB_PATH}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
