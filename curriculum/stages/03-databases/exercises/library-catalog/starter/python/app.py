"""library-catalog starter: a server that starts and answers 404 to everything. Make it pass the brief."""

import json
import os
import sqlite3
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# Keep the database under this folder (it survives a restart of the app); "data" for local runs.
DATA_DIR = os.environ.get("DATA_DIR") or "data"
DB_PATH = os.path.join(DATA_DIR, "library.sqlite3")


def connect():
    """A new connection for each request; foreign keys are off in SQLite unless asked for."""
    db = sqlite3.connect(DB_PATH)
    db.execute("PRAGMA foreign_keys = ON")
    return db


def create_tables():
    with connect() as db:
        db.execute("CREATE TABLE IF NOT EXISTS authors (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL)")
        # TODO: a books table: title, isbn (UNIQUE), year, and author_id REFERENCES authors (id).


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, so every response needs a Content-Length

    def do_GET(self):
        self.route("GET")

    def do_POST(self):
        self.route("POST")

    def do_DELETE(self):
        self.route("DELETE")

    def route(self, method):
        # TODO: read the body (exactly Content-Length bytes), then answer POST /authors,
        # GET and DELETE /authors/<id>, POST /books and GET /books?... as the brief says.
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)  # read (and here ignore) any request body
        self.send_json(404, {"error": "not implemented yet"})

    def send_json(self, status, data):
        body = json.dumps(data).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def main():
    os.makedirs(DATA_DIR, exist_ok=True)
    create_tables()
    host = os.environ.get("HOST", "0.0.0.0")
    port = int(os.environ.get("PORT", "8000"))
    server = ThreadingHTTPServer((host, port), Handler)
    print(f"listening on http://{host}:{port}, storing in {DB_PATH}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
