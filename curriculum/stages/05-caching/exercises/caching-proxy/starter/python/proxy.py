"""caching-proxy starter: the command line is parsed and a server listens, but nothing is forwarded yet.

python proxy.py --port 3000 --origin http://127.0.0.1:9000
python proxy.py --clear-cache --port 3000
"""

import argparse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

cache = {}  # TODO: "GET /path?query" -> what the origin answered (status, Content-Type, body)


class ProxyHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, so every response needs a Content-Length
    origin = ""  # set in main(), e.g. "http://127.0.0.1:9000"

    def do_GET(self):
        self.proxy()

    def do_POST(self):
        self.proxy()

    def proxy(self):
        # TODO: look "GET <self.path>" up in the cache and answer from it with X-Cache: HIT.
        # Otherwise send the same method, path (self.path holds the query string too), body and
        # Content-Type to self.origin (urllib.request is enough; it raises HTTPError for a 404),
        # keep a GET answer with status 200 in the cache, and answer with X-Cache: MISS.
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)  # read (and here ignore) any request body
        self.reply(501, "text/plain; charset=utf-8", b"forwarding is not implemented yet\n", "MISS")

    def reply(self, status, content_type, body, x_cache):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Cache", x_cache)
        self.end_headers()
        self.wfile.write(body)


def main():
    parser = argparse.ArgumentParser(prog="caching-proxy", description="A caching HTTP proxy.")
    parser.add_argument("--port", type=int, required=True, help="the port to listen on")
    parser.add_argument("--origin", help="the server to forward requests to, e.g. http://127.0.0.1:9000")
    parser.add_argument("--clear-cache", action="store_true", help="empty the cache of the proxy on --port")
    args = parser.parse_args()
    if args.clear_cache:
        # TODO (not graded): ask the proxy running on args.port to empty its cache.
        parser.error("--clear-cache is not implemented yet")
    if not args.origin:
        parser.error("--origin is required to start the proxy")
    ProxyHandler.origin = args.origin.rstrip("/")
    server = ThreadingHTTPServer(("0.0.0.0", args.port), ProxyHandler)
    print(f"caching proxy on port {args.port}, forwarding to {ProxyHandler.origin}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
