"""Blogging Platform API (roadmap.sh) with nothing but the standard library.

Posts live in a SQLite file next to this script. I let SQLite fill in the timestamps
(CURRENT_TIMESTAMP) so they come back as "2024-05-01 10:20:30", in UTC.
"""

import json
import re
import sqlite3
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

DB_FILE = Path(__file__).with_name("blog.db")
PORT = 8080

db = sqlite3.connect(DB_FILE, check_same_thread=False)
db.row_factory = sqlite3.Row
db.execute(
    """CREATE TABLE IF NOT EXISTS posts (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        title TEXT NOT NULL,
        content TEXT NOT NULL,
        category TEXT NOT NULL,
        tags TEXT NOT NULL,
        created_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,
        updated_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP
    )"""
)
db.commit()
db_lock = threading.Lock()

POST_PATH = re.compile(r"^/posts/(\d+)$")


def to_dict(row):
    post = dict(row)
    post["tags"] = json.loads(post["tags"])
    return post


def check_post(data):
    """Returns a list of problems with the body (empty when it is fine)."""
    if not isinstance(data, dict):
        return ["the body must be a JSON object"]
    problems = []
    for name in ("title", "content", "category"):
        value = data.get(name)
        if value is None:
            problems.append(f"{name} is required")
        elif not isinstance(value, str) or not value.strip():
            problems.append(f"{name} must be a non-empty string")
    tags = data.get("tags")
    if not isinstance(tags, list) or any(not isinstance(t, str) for t in tags):
        problems.append("tags must be a list of strings")
    return problems


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def send_json(self, status, data=None):
        body = b"" if data is None else json.dumps(data).encode()
        self.send_response(status)
        if data is not None:
            self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def read_body(self):
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length)
        try:
            return json.loads(raw)
        except ValueError:
            return None

    def find(self, post_id):
        row = db.execute("SELECT * FROM posts WHERE id = ?", (post_id,)).fetchone()
        return to_dict(row) if row else None

    def do_GET(self):
        url = urlparse(self.path)
        if url.path == "/posts":
            term = parse_qs(url.query).get("term", [""])[0]
            with db_lock:
                if term:
                    like = f"%{term}%"
                    rows = db.execute(
                        "SELECT * FROM posts WHERE title LIKE ? OR content LIKE ? OR category LIKE ? ORDER BY id",
                        (like, like, like),
                    ).fetchall()
                else:
                    rows = db.execute("SELECT * FROM posts ORDER BY id").fetchall()
            return self.send_json(200, [to_dict(r) for r in rows])
        match = POST_PATH.match(url.path)
        if match:
            with db_lock:
                post = self.find(int(match.group(1)))
            if post is None:
                return self.send_json(404, {"message": "Post not found"})
            return self.send_json(200, post)
        self.send_json(404, {"message": "Not found"})

    def do_POST(self):
        if urlparse(self.path).path != "/posts":
            return self.send_json(404, {"message": "Not found"})
        data = self.read_body()
        problems = check_post(data)
        if problems:
            return self.send_json(400, {"message": "Validation failed", "errors": problems})
        with db_lock:
            cur = db.execute(
                "INSERT INTO posts (title, content, category, tags) VALUES (?, ?, ?, ?)",
                (data["title"], data["content"], data["category"], json.dumps(data["tags"])),
            )
            db.commit()
            post = self.find(cur.lastrowid)
        self.send_json(201, post)

    def do_PUT(self):
        match = POST_PATH.match(urlparse(self.path).path)
        if not match:
            return self.send_json(404, {"message": "Not found"})
        post_id = int(match.group(1))
        data = self.read_body()
        with db_lock:
            if self.find(post_id) is None:
                return self.send_json(404, {"message": "Post not found"})
            problems = check_post(data)
            if problems:
                return self.send_json(400, {"message": "Validation failed", "errors": problems})
            db.execute(
                "UPDATE posts SET title = ?, content = ?, category = ?, tags = ?, updated_at = CURRENT_TIMESTAMP "
                "WHERE id = ?",
                (data["title"], data["content"], data["category"], json.dumps(data["tags"]), post_id),
            )
            db.commit()
            post = self.find(post_id)
        self.send_json(200, post)

    def do_DELETE(self):
        match = POST_PATH.match(urlparse(self.path).path)
        if not match:
            return self.send_json(404, {"message": "Not found"})
        with db_lock:
            cur = db.execute("DELETE FROM posts WHERE id = ?", (int(match.group(1)),))
            db.commit()
        if cur.rowcount == 0:
            return self.send_json(404, {"message": "Post not found"})
        self.send_json(204)


if __name__ == "__main__":
    print(f"Blog API on http://localhost:{PORT}")
    ThreadingHTTPServer(("0.0.0.0", PORT), Handler).serve_forever()
