"""signed-urls starter: a server that starts and answers 404 to everything. Make it pass the brief."""

import hashlib
import hmac
import json
import os
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

API_TOKEN = os.environ["API_TOKEN"]  # the Bearer token POST /presign requires
SIGNING_SECRET = os.environ["SIGNING_SECRET"].encode("utf-8")  # the HMAC key of every URL
# Store the objects under this folder (it survives a restart of the app); "data" for local runs.
DATA_DIR = os.environ.get("DATA_DIR") or "data"


def sign(method, key, expires):
    """The signature of a URL: lowercase hex HMAC-SHA256 of "<METHOD>\\n<key>\\n<expires>"."""
    message = f"{method}\n{key}\n{expires}".encode()
    return hmac.new(SIGNING_SECRET, message, hashlib.sha256).hexdigest()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, so every response needs a Content-Length

    def do_GET(self):
        self.route("GET")

    def do_POST(self):
        self.route("POST")

    def do_PUT(self):
        self.route("PUT")

    def route(self, method):
        # TODO: read the body (exactly Content-Length bytes, in binary), then answer
        # POST /presign, PUT /objects/<key>?expires=...&signature=... and GET /objects/<key>?...
        # as the brief says: check the token, validate the key, verify signatures with
        # hmac.compare_digest, and keep the objects in files under DATA_DIR.
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
    host = os.environ.get("HOST", "0.0.0.0")
    port = int(os.environ.get("PORT", "8000"))
    server = ThreadingHTTPServer((host, port), Handler)
    print(f"listening on http://{host}:{port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
