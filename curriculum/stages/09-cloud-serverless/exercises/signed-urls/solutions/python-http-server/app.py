"""Reference solution for signed-urls: an object store with pre-signed URLs, on the standard library."""

import hashlib
import hmac
import json
import os
import re
import tempfile
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

API_TOKEN = os.environ["API_TOKEN"]  # secrets come from the environment, never from the code
SIGNING_SECRET = os.environ["SIGNING_SECRET"].encode("utf-8")
DATA_DIR = os.environ.get("DATA_DIR") or "data"
OBJECTS_DIR = os.path.join(DATA_DIR, "objects")

MAX_OBJECT = 1024 * 1024  # 1 MiB
MAX_JSON = 16 * 1024
KEY_RE = re.compile(r"[A-Za-z0-9._/-]{1,200}")
EXPIRES_RE = re.compile(r"[0-9]{1,12}")
METHODS = ("PUT", "GET")


def valid_key(key):
    """A key is 1-200 safe characters, does not start with "/" and has no ".." segment."""
    return (
        isinstance(key, str)
        and KEY_RE.fullmatch(key) is not None
        and not key.startswith("/")
        and ".." not in key.split("/")
    )


def sign(method, key, expires):
    message = f"{method}\n{key}\n{expires}".encode()
    return hmac.new(SIGNING_SECRET, message, hashlib.sha256).hexdigest()


def signature_ok(method, key, query):
    """Whether the query's expires and signature authorise `method` on `key` right now."""
    expires = query.get("expires", [""])[0]
    given = query.get("signature", [""])[0]
    if not EXPIRES_RE.fullmatch(expires) or int(expires) < time.time():
        return False
    # compare_digest takes the same time wherever the strings differ: no timing hints for forgers.
    return hmac.compare_digest(given.encode("utf-8"), sign(method, key, expires).encode("utf-8"))


def object_path(key):
    # The file name is a hash of the key, so no key can ever name a path outside OBJECTS_DIR.
    return os.path.join(OBJECTS_DIR, hashlib.sha256(key.encode("utf-8")).hexdigest())


def save_object(key, content_type, body):
    """Write "<content type>\\n<bytes>" to a temporary file, then rename it into place (atomic)."""
    fd, temporary = tempfile.mkstemp(dir=OBJECTS_DIR)
    with os.fdopen(fd, "wb") as file:
        file.write(content_type.encode("latin-1") + b"\n" + body)
    os.replace(temporary, object_path(key))


def load_object(key):
    """(content type, bytes) of a stored object, or None."""
    try:
        with open(object_path(key), "rb") as file:
            data = file.read()
    except FileNotFoundError:
        return None
    content_type, _, body = data.partition(b"\n")
    return content_type.decode("latin-1"), body


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, so every response needs a Content-Length

    def do_GET(self):
        self.dispatch("GET")

    def do_POST(self):
        self.dispatch("POST")

    def do_PUT(self):
        self.dispatch("PUT")

    def do_DELETE(self):
        self.dispatch("DELETE")

    def dispatch(self, method):
        limit = MAX_JSON if method == "POST" else MAX_OBJECT
        body = self.read_body(limit)
        url = urlsplit(self.path)
        if body is None:
            self.send_json(413, {"error": f"the body is larger than {limit} bytes"})
        elif url.path == "/presign" and method == "POST":
            self.presign(body)
        elif url.path.startswith("/objects/") and method in METHODS:
            self.object(method, url.path.removeprefix("/objects/"), parse_qs(url.query), body)
        else:
            self.send_json(404, {"error": "not found"})

    def presign(self, body):
        given = self.headers.get("Authorization", "").encode("utf-8")
        if not hmac.compare_digest(given, f"Bearer {API_TOKEN}".encode()):
            self.send_json(401, {"error": "send Authorization: Bearer <API_TOKEN>"})
            return
        try:
            data = json.loads(body)
        except ValueError:
            data = None
        if not isinstance(data, dict):
            self.send_json(400, {"error": "the body must be a JSON object"})
            return
        method, key, expires_in = data.get("method"), data.get("key"), data.get("expires_in")
        if method not in METHODS:
            self.send_json(400, {"error": '"method" must be "PUT" or "GET"'})
        elif not valid_key(key):
            self.send_json(400, {"error": '"key" must be 1-200 of A-Za-z0-9._/- with no ".." segment'})
        elif type(expires_in) is not int or not 1 <= expires_in <= 3600:
            self.send_json(400, {"error": '"expires_in" must be an integer from 1 to 3600'})
        else:
            expires = int(time.time()) + expires_in
            url = f"/objects/{key}?expires={expires}&signature={sign(method, key, expires)}"
            self.send_json(200, {"url": url})

    def object(self, method, key, query, body):
        if not valid_key(key) or not signature_ok(method, key, query):
            self.send_json(403, {"error": "the URL's signature is invalid or has expired"})
        elif method == "PUT":
            save_object(key, self.headers.get("Content-Type") or "application/octet-stream", body)
            self.send_json(201, {"key": key, "size": len(body)})
        elif (stored := load_object(key)) is None:
            self.send_json(404, {"error": "no such object"})
        else:
            content_type, data = stored
            self.send(200, content_type, data)

    def read_body(self, limit):
        """The request body, or None (after reading and dropping it) when it is larger than `limit`."""
        length = int(self.headers.get("Content-Length") or 0)
        if length <= limit:
            return self.rfile.read(length)
        while length > 0:  # read and drop it, so that the client gets to read the 413
            chunk = self.rfile.read(min(length, 64 * 1024))
            if not chunk:
                break
            length -= len(chunk)
        return None

    def send_json(self, status, data):
        self.send(status, "application/json", json.dumps(data).encode("utf-8"))

    def send(self, status, content_type, body):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def main():
    os.makedirs(OBJECTS_DIR, exist_ok=True)
    host = os.environ.get("HOST", "0.0.0.0")
    port = int(os.environ.get("PORT", "8000"))
    server = ThreadingHTTPServer((host, port), Handler)
    print(f"listening on http://{host}:{port}, storing objects in {OBJECTS_DIR}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
