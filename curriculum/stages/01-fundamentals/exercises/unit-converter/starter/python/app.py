"""unit-converter starter: a server that starts and answers a 404 page to everything. Make it pass the brief.

The standard library is enough (http.server, urllib.parse.parse_qs, html.escape); Flask with its
Jinja templates is installed too, if you prefer it.
"""

import os
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

NOT_FOUND = "<!doctype html>\n<title>Not found</title>\n<h1>Not implemented yet</h1>\n"


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, so every response needs a Content-Length

    def do_GET(self):
        self.route("GET")

    def do_POST(self):
        self.route("POST")

    def route(self, method):
        # TODO: serve "/", "/length", "/weight" and "/temperature" as the brief says. For a POST,
        # read Content-Length bytes of the body, parse them with urllib.parse.parse_qs, and pass
        # every piece of user input through html.escape before writing it into the page.
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)  # read (and here ignore) any request body
        self.send_html(404, NOT_FOUND)

    def send_html(self, status, html):
        body = html.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
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
