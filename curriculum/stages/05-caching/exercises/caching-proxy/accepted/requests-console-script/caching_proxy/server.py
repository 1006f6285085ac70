import os
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import requests

# --clear-cache runs in another process: it touches this file, and the proxy empties its cache
# when it sees the file newer than its last clear.
CLEAR_MARKER = os.path.join(os.getcwd(), ".caching-proxy-clear")
SKIPPED_HEADERS = {
    "connection",
    "keep-alive",
    "transfer-encoding",
    "content-length",
    "content-encoding",  # requests has already decoded the body
    "date",
    "server",
}


class Cache:
    def __init__(self):
        self._entries = {}
        self._lock = threading.Lock()
        self._cleared_at = self._marker_time()

    @staticmethod
    def _marker_time():
        try:
            return os.stat(CLEAR_MARKER).st_mtime_ns
        except FileNotFoundError:
            return 0

    def _clear_if_asked(self):
        marker = self._marker_time()
        if marker > self._cleared_at:
            self._entries.clear()
            self._cleared_at = marker

    def get(self, key):
        with self._lock:
            self._clear_if_asked()
            return self._entries.get(key)

    def put(self, key, value):
        with self._lock:
            self._entries[key] = value


def request_clear():
    with open(CLEAR_MARKER, "a"):
        pass
    os.utime(CLEAR_MARKER)


def make_handler(origin, cache):
    class ProxyHandler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def handle_any(self):
            key = f"{self.command} {self.path}"
            if self.command == "GET":
                cached = cache.get(key)
                if cached:
                    return self.respond(*cached, cache_status="HIT")

            length = int(self.headers.get("Content-Length", 0))
            data = self.rfile.read(length) if length else None
            headers = {}
            if self.headers.get("Content-Type"):
                headers["Content-Type"] = self.headers["Content-Type"]
            try:
                upstream = requests.request(
                    self.command, origin + self.path, data=data, headers=headers, allow_redirects=False, timeout=15
                )
            except requests.RequestException as exc:
                body = f"Bad gateway: {exc}".encode()
                return self.respond(502, [("Content-Type", "text/plain")], body, cache_status="MISS")

            kept = [(k, v) for k, v in upstream.headers.items() if k.lower() not in SKIPPED_HEADERS]
            response = (upstream.status_code, kept, upstream.content)
            if self.command == "GET" and upstream.status_code == 200:
                cache.put(key, response)
            self.respond(*response, cache_status="MISS")

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = handle_any

        def respond(self, status, headers, body, cache_status):
            self.send_response(status)
            for name, value in headers:
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("X-Cache", cache_status)
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def log_message(self, fmt, *args):
            print(f"{self.command} {self.path} -> " + (fmt % args), flush=True)

    return ProxyHandler


def serve(port, origin):
    origin = origin.rstrip("/")
    server = ThreadingHTTPServer(("0.0.0.0", port), make_handler(origin, Cache()))
    print(f"Caching proxy listening on port {port}, forwarding to {origin}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
