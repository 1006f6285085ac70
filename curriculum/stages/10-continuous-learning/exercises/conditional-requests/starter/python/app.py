"""conditional-requests starter: an http.server app that starts and answers 404 to everything.

Make it pass the brief. Flask, FastAPI or Django work too: change `start` in stagecraft.toml.
"""

import os
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# TODO: keep the documents in a dict (name -> bytes and ETag) and guard it with a threading.Lock,
# so that checking a precondition and writing happen as one step.
# TODO: GET/HEAD /docs/{name}: 200 with the text and a strong, quoted ETag (a hash of the content);
# If-None-Match (weak comparison, a list or *) -> 304 with the ETag and no body.
# TODO: PUT /docs/{name}: 201 for a new document, 200 for a replaced one. If-Match (strong
# comparison, a list or *) -> 412 when false; If-None-Match: * -> 412 when the document exists;
# no If-Match on an existing document -> 428.
# TODO: DELETE /docs/{name}: the same If-Match rules, then 204. A missing document answers 404.
# self.headers.get("If-Match") is the header's value, or None when it was not sent.


class Handler(BaseHTTPRequestHandler):
    def not_implemented(self):
        body = b"not implemented yet\n"
        self.send_response(404)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    do_GET = do_HEAD = do_PUT = do_DELETE = not_implemented


if __name__ == "__main__":
    server = ThreadingHTTPServer((os.environ.get("HOST", "0.0.0.0"), int(os.environ.get("PORT", "8000"))), Handler)
    print(f"listening on port {server.server_port}", flush=True)
    server.serve_forever()
