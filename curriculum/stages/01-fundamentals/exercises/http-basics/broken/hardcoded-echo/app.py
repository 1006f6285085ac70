"""http-basics broken variant hardcoded-echo: see broken.toml for what is wrong."""

import json
import os
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

GREETING = "Hello, Stagecraft!"
MAX_BODY = 64 * 1024

# Which methods each known path accepts; anything else on these paths is a 405.
ROUTES = {
    "/": ("GET",),
    "/health": ("GET",),
    "/echo": ("GET", "POST"),
}


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
        url = urlsplit(self.path)
        body = self.read_body()
        if body is None:
            self.close_connection = True  # the unread body would garble the next request
            self.send_json(413, {"error": "body too large"})
            return
        allowed = ROUTES.get(url.path)
        if allowed is None:
            self.send_json(404, {"error": "not found"})
        elif method not in allowed:
            self.send_json(405, {"error": "method not allowed"}, {"Allow": ", ".join(allowed)})
        elif url.path == "/":
            self.send_text(200, GREETING)
        elif url.path == "/health":
            self.send_json(200, {"status": "ok"})
        elif method == "GET":
            self.echo_query(url.query)
        else:
            self.echo_body(body)

    def echo_query(self, query):
        values = parse_qs(query).get("message")
        if not values:
            self.send_json(400, {"error": "missing query parameter: message"})
        else:
            # BROKEN: answers the example from the brief, whatever was asked.
            self.send_json(200, {"message": "hello world"})

    def read_body(self):
        """The request body as bytes, or None when it is larger than MAX_BODY."""
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            return None
        return self.rfile.read(length)

    def echo_body(self, body):
        try:
            data = json.loads(body)
        except ValueError:
            data = None
        if not isinstance(data, dict) or not isinstance(data.get("message"), str):
            self.send_json(400, {"error": 'body must be a JSON object with a string "message"'})
        else:
            # BROKEN: answers the example from the brief, whatever was sent.
            self.send_json(200, {"message": "hello world"})

    def send_text(self, status, text):
        self.send_body(status, text.encode("utf-8"), "text/plain; charset=utf-8")

    def send_json(self, status, data, headers=None):
        self.send_body(status, json.dumps(data).encode("utf-8"), "application/json", headers)

    def send_body(self, status, body, content_type, headers=None):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)


def main():
    host = os.environ.get("HOST", "0.0.0.0")
    port = int(os.environ.get("PORT", "8000"))
    server = ThreadingHTTPServer((host, port), Handler)
    print(f"listening on http://{host}:{port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
