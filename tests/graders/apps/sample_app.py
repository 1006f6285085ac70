"""A deliberately odd app for the SDK tests: well-behaved routes and hostile ones."""

import json
import os
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HUGE_SIZE = 3 * 1024 * 1024


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        route = getattr(self, "route_" + self.path.strip("/").split("?")[0].replace("-", "_"), None)
        if route is None:
            self.send(404, b"not found")
        else:
            route()

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        self.send(200, self.rfile.read(length), "application/json")

    def route_ok(self):
        self.send(200, b"ok")

    def route_json(self):
        self.send(200, json.dumps({"name": "stagecraft"}).encode(), "application/json")

    def route_huge(self):
        self.send_response(200)
        self.send_header("Content-Length", str(HUGE_SIZE))
        self.end_headers()
        chunk = b"a" * 65536
        try:
            for _ in range(HUGE_SIZE // len(chunk)):
                self.wfile.write(chunk)
        except OSError:
            pass  # the grader stops reading after its limit and hangs up

    def route_binary(self):
        self.send(200, b"bad \xff\xfe bytes \xc3\x28 here")

    def route_close(self):
        self.close_connection = True  # no response at all

    def route_die(self):
        os._exit(1)

    def route_slow(self):
        time.sleep(3)
        self.send(200, b"late")

    def route_drip(self):
        self.send_response(200)
        self.send_header("Content-Length", "100")
        self.end_headers()
        try:
            for _ in range(100):
                self.wfile.write(b"x")
                self.wfile.flush()
                time.sleep(0.1)
        except OSError:
            pass

    def route_garbage(self):
        self.wfile.write(b"THIS IS NOT HTTP\r\n\r\n")
        self.close_connection = True

    def send(self, status, body, content_type="text/plain; charset=utf-8"):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args):
        pass


def main():
    time.sleep(float(os.environ.get("START_DELAY", "0")))
    server = ThreadingHTTPServer(("127.0.0.1", int(os.environ["PORT"])), Handler)
    server.daemon_threads = True
    server.serve_forever()


if __name__ == "__main__":
    main()
