"""The origin server the learner's proxy forwards to: it runs in the grader, on 127.0.0.1:9000.

The app is started with `--origin http://127.0.0.1:9000` and shares the grader's loopback, so the
origin is up only while the tests run. It counts every request it gets, so a test can tell a cache
hit (the origin was not asked) from a miss.

Requests are counted per method and *request target read as a person reads it*: the path
percent-decoded and the query string parsed, so `?q=two%20words` and `?q=two+words` (what
axios, Express's req.query or aiohttp send for the same query) are the same request, while
`?page=1` and `?page=2`, or a query string left out, are not.
"""

import hashlib
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit

import pytest

ORIGIN_HOST = "127.0.0.1"
ORIGIN_PORT = 9000

TEXT = "text/plain; charset=utf-8"
HTML = "text/html; charset=utf-8"
JSON = "application/json"
TOKEN_HEADER = "X-Origin-Token"  # an end-to-end header of the origin's own, for the header pass-through test


def normalize(target):
    """`target` (path and query) as the origin understands it: decoded path, query pairs in order.

    Equal for every spelling of the same request (`%20` or `+` for a space, `%2F`, an empty `?`),
    different whenever a parameter or its value differs.
    """
    parts = urlsplit(target)
    path = unquote(parts.path) or "/"
    pairs = sorted(parse_qsl(parts.query, keep_blank_values=True))
    return f"{path}?{urlencode(pairs)}" if pairs else path


class Origin:
    """What the origin was asked, per method and request target (path and query as sent)."""

    def __init__(self):
        self._lock = threading.Lock()
        self._calls = {}
        self._sent = {}
        self._received = []  # (method, target as received, decoded path, answer), in order

    def calls(self, method, target):
        """How many times the origin got `method target` (in any spelling of the same target)."""
        with self._lock:
            return self._calls.get((method, normalize(target)), 0)

    def last_sent(self, method, target):
        """The origin's last answer to `method target`, a `Sent`, or None if it never got it."""
        with self._lock:
            return self._sent.get((method, normalize(target)))

    def targets(self, method, path):
        """The targets, as received, the origin got for `method` whose path starts with `path`.

        To say what a proxy sent instead of the target it was asked for (a query dropped, mangled,
        or percent-encoded into the path).
        """
        with self._lock:
            return list(dict.fromkeys(t for m, t, p, _ in self._received if m == method and p.startswith(path)))

    def calls_on_path(self, method, path):
        """How many requests the origin got for `method` on exactly `path`, whatever their query string."""
        with self._lock:
            return sum(1 for m, _, p, _ in self._received if m == method and p == path)

    def last_sent_on_path(self, method, path):
        """The origin's last answer to `method` on exactly `path`, whatever the query string, or None."""
        with self._lock:
            answers = [a for m, _, p, a in self._received if m == method and p == path]
            return answers[-1] if answers else None

    def count(self, method, target):
        with self._lock:
            key = (method, normalize(target))
            n = self._calls.get(key, 0) + 1
            self._calls[key] = n
            return n

    def record(self, method, target, answer):
        with self._lock:
            self._sent[(method, normalize(target))] = answer
            self._received.append((method, target, normalize(target).split("?")[0], answer))


class Sent:
    """One answer of the origin: status, Content-Type, body (bytes) and its X-Origin-Token header."""

    def __init__(self, status, content_type, body, token):
        self.status = status
        self.content_type = content_type
        self.body = body
        self.token = token


def _token(method, target, call):
    return hashlib.sha256(f"{method} {normalize(target)}#{call}".encode()).hexdigest()[:16]


def _answer_get(target, call):
    """The origin's answer to GET `target` on its `call`-th request: different on every call."""
    path, _, query = target.partition("?")
    token = _token("GET", target, call)
    if path.startswith("/missing/"):
        return 404, TEXT, f"not found: {path} (call {call}, {token})\n", token
    if path.startswith("/api/"):
        body = {"path": path, "query": query, "call": call, "token": token}
        return 200, JSON, json.dumps(body), token
    if path.startswith("/pages/"):
        page = f"<!doctype html><title>{path}</title><p>call {call}, {token}, query {query!r}</p>\n"
        return 200, HTML, page, token
    return 200, TEXT, f"{path} ? {query} | call {call} | {token}\n", token


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
            self.answer("POST", 200, JSON, json.dumps(body), _token("POST", self.path, call))

        def answer(self, method, status, content_type, text, token):
            body = text.encode("utf-8")
            origin.record(method, self.path, Sent(status, content_type, body, token))
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.send_header(TOKEN_HEADER, token)
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
