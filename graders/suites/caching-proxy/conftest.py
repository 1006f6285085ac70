"""The origin server the learner's proxy forwards to: it runs in the grader, on 127.0.0.1:9000.

The app is started with `--origin http://127.0.0.1:9000` and shares the grader's loopback, so the
origin is up only while the tests run. It counts every request it gets, so a test can tell a cache
hit (the origin was not asked) from a miss.
"""

import hashlib
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

ORIGIN_HOST = "127.0.0.1"
ORIGIN_PORT = 9000

TEXT = "text/plain; charset=utf-8"
HTML = "text/html; charset=utf-8"
JSON = "application/json"


class Origin:
    """What the origin was asked, per method and request target (path and query as sent)."""

    def __init__(self):
        self._lock = threading.Lock()
        self._calls = {}
        self._sent = {}

    def calls(self, method, target):
        """How many times the origin got `method target`."""
        with self._lock:
            return self._calls.get((method, target), 0)

    def last_sent(self, method, target):
        """(status, content type, body) of the origin's last answer to `method target`, or None."""
        with self._lock:
            return self._sent.get((method, target))

    def count(self, method, target):
        with self._lock:
            n = self._calls.get((method, target), 0) + 1
            self._calls[(method, target)] = n
            return n

    def record(self, method, target, answer):
        with self._lock:
            self._sent[(method, target)] = answer


def _answer_get(target, call):
    """The origin's answer to GET `target` on its `call`-th request: different on every call."""
    path, _, query = target.partition("?")
    token = hashlib.sha256(f"{target}#{call}".encode()).hexdigest()[:16]
    if path.startswith("/missing/"):
        return 404, TEXT, f"not found: {path} (call {call}, {token})\n"
    if path.startswith("/api/"):
        body = {"path": path, "query": query, "call": call, "token": token}
        return 200, JSON, json.dumps(body)
    if path.startswith("/pages/"):
        return 200, HTML, f"<!doctype html><title>{path}</title><p>call {call}, {token}, query {query!r}</p>\n"
    return 200, TEXT, f"{path} ? {query} | call {call} | {token}\n"


def _handler(origin):
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            call = origin.count("GET", self.path)
            self.answer("GET", *_answer_get(self.path, call))

        def do_POST(self):
            call = origin.count("POST", self.path)
            length = int(self.headers.get("Content-Length") or 0)
            received = self.rfile.read(length).decode("utf-8", "replace")
            body = {
                "method": "POST",
                "path": self.path,
                "received": received,
                "contentType": self.headers.get("Content-Type"),
                "call": call,
            }
            self.answer("POST", 200, JSON, json.dumps(body))

        def answer(self, method, status, content_type, text):
            body = text.encode("utf-8")
            origin.record(method, self.path, (status, content_type, body))
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format, *args):
            pass  # keep the grader's stderr for the suite's own messages

    return Handler


@pytest.fixture(scope="session")
def origin():
    """Run the origin for the whole session, in a background thread."""
    state = Origin()
    server = ThreadingHTTPServer((ORIGIN_HOST, ORIGIN_PORT), _handler(state))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name="origin", daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()
