"""The webhook receiver the learner's relay delivers to: it runs in the grader, on a free port.

The app and the grader share one loopback, so a subscription URL such as
http://127.0.0.1:<port>/hooks/abc reaches this receiver. It records every request (path, headers,
raw body, arrival time and the status it answered) and can be told to fail the first N requests
for a path, or every request, with 500 Internal Server Error.
"""

import json
import random
import socket
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

HOST = "127.0.0.1"
ALWAYS = -1  # in Receiver._failures: answer 500 until told otherwise


@dataclass(frozen=True)
class Hit:
    """One request the receiver got."""

    method: str
    path: str
    headers: dict  # lower-cased names
    body: bytes
    at: float  # time.monotonic() when the body had been read
    status: int  # what the receiver answered

    def json(self):
        try:
            return json.loads(self.body)
        except ValueError:
            return None

    def event_id(self):
        """The event this request delivers: the X-Webhook-Id header, else the body's "id"."""
        header = self.headers.get("x-webhook-id")
        if header:
            return header.strip()
        body = self.json()
        return str(body.get("id")) if isinstance(body, dict) and "id" in body else None


class Receiver:
    def __init__(self, port):
        self.port = port
        self._lock = threading.Lock()
        self._hits = []
        self._failures = {}  # path -> how many more requests to fail (ALWAYS: every one)

    def url(self, path):
        return f"http://{HOST}:{self.port}{path}"

    def fail_first(self, path, count):
        with self._lock:
            self._failures[path] = count

    def fail_always(self, path):
        with self._lock:
            self._failures[path] = ALWAYS

    def succeed(self, path):
        with self._lock:
            self._failures.pop(path, None)

    def hits(self, path, event_id=None):
        """The requests received for `path` (for one event if `event_id` is given), oldest first."""
        with self._lock:
            hits = [h for h in self._hits if h.path == path]
        return [h for h in hits if event_id is None or h.event_id() == str(event_id)]

    def wait_for(self, path, event_id, count, timeout):
        """Wait until `count` requests for `event_id` reached `path`; return those received."""
        deadline = time.monotonic() + timeout
        while True:
            hits = self.hits(path, event_id)
            if len(hits) >= count or time.monotonic() >= deadline:
                return hits
            time.sleep(0.05)

    def _answer(self, method, path, headers, body):
        with self._lock:
            left = self._failures.get(path, 0)
            if left > 0:
                self._failures[path] = left - 1
            status = 500 if left != 0 else 200
            self._hits.append(Hit(method, path, headers, body, time.monotonic(), status))
        return status


def _read_body(handler):
    if "chunked" in handler.headers.get("Transfer-Encoding", "").lower():
        chunks = []
        while True:
            size = int(handler.rfile.readline().split(b";")[0].strip() or b"0", 16)
            if size == 0:
                while handler.rfile.readline() not in (b"\r\n", b"\n", b""):
                    pass
                return b"".join(chunks)
            chunks.append(handler.rfile.read(size))
            handler.rfile.readline()
    return handler.rfile.read(int(handler.headers.get("Content-Length") or 0))


def _handler(receiver):
    class Handler(BaseHTTPRequestHandler):
        def handle_any(self):
            body = _read_body(self)
            headers = {name.lower(): value for name, value in self.headers.items()}
            path = self.path.split("?")[0]
            status = receiver._answer(self.command, path, headers, body)
            reply = b"ok\n" if status == 200 else b"receiver failure (on purpose)\n"
            self.send_response(status)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        do_POST = do_PUT = do_GET = handle_any

        def log_message(self, format, *args):
            pass  # keep the grader's stderr for the suite's own messages

    return Handler


@pytest.fixture(scope="session")
def receiver():
    """Run the receiver for the whole session, in a background thread."""
    server = ThreadingHTTPServer((HOST, 0), None)
    state = Receiver(server.server_address[1])
    server.RequestHandlerClass = _handler(state)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name="receiver", daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def closed_port():
    """A loopback port nothing listens on, so connecting to it is refused.

    It is picked below Linux's ephemeral range (32768-60999), where an outgoing connection could
    otherwise be given the same port as its own source and connect to itself.
    """
    for port in random.Random().sample(range(20000, 30000), 50):
        with socket.socket() as s:
            if s.connect_ex((HOST, port)) != 0:
                return port
    raise RuntimeError("no free loopback port found")
