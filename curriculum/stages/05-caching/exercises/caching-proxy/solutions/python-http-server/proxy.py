"""caching-proxy: forwards requests to an origin server and caches its 200 GET answers in memory.

python proxy.py --port 3000 --origin http://127.0.0.1:9000
python proxy.py --clear-cache --port 3000
"""

import argparse
import threading
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

CLEAR_PATH = "/__cache/clear"  # answered by the proxy itself, for --clear-cache

# Headers that describe one connection, not the answer, and those http.server writes itself.
NOT_PASSED_ON = {
    "connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailer",
    "transfer-encoding", "upgrade", "content-length", "date", "server",
}  # fmt: skip

cache = {}  # "GET /path?query" -> (status, headers, body)
cache_lock = threading.Lock()


def passed_on(headers):
    """The origin's response headers the proxy sends on, as (name, value) pairs."""
    return [(name, value) for name, value in headers.items() if name.lower() not in NOT_PASSED_ON]


def fetch(origin, method, target, body, content_type):
    """Ask the origin; return (status, headers, body), whatever the status."""
    headers = {"Content-Type": content_type} if content_type else {}
    request = urllib.request.Request(origin + target, data=body, headers=headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, passed_on(response.headers), response.read()
    except urllib.error.HTTPError as error:  # 4xx and 5xx answers arrive as exceptions
        return error.code, passed_on(error.headers), error.read()
    except OSError as error:  # no answer at all: the origin is down or unreachable
        return 502, [("Content-Type", "text/plain; charset=utf-8")], f"origin unreachable: {error}\n".encode()


class ProxyHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    origin = ""  # set in main()

    def do_GET(self):
        self.proxy()

    def do_POST(self):
        if self.path == CLEAR_PATH:
            self.clear_cache()
        else:
            self.proxy()

    do_PUT = do_PATCH = do_DELETE = do_GET

    def proxy(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        key = f"{self.command} {self.path}"
        with cache_lock:
            cached = cache.get(key)
        if cached is not None:
            self.reply(*cached, "HIT")
            return
        answer = fetch(self.origin, self.command, self.path, body, self.headers.get("Content-Type"))
        if self.command == "GET" and answer[0] == 200:
            with cache_lock:
                cache[key] = answer
        self.reply(*answer, "MISS")

    def clear_cache(self):
        with cache_lock:
            count = len(cache)
            cache.clear()
        self.reply(200, [("Content-Type", "text/plain; charset=utf-8")], f"cleared {count} entries\n".encode(), "MISS")

    def reply(self, status, headers, body, x_cache):
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Cache", x_cache)
        self.end_headers()
        self.wfile.write(body)


def clear_remote_cache(port):
    """--clear-cache: ask the proxy running on `port` to empty its cache."""
    request = urllib.request.Request(f"http://127.0.0.1:{port}{CLEAR_PATH}", method="POST")
    with urllib.request.urlopen(request, timeout=5) as response:
        print(response.read().decode().strip())


def main():
    parser = argparse.ArgumentParser(prog="caching-proxy", description="A caching HTTP proxy.")
    parser.add_argument("--port", type=int, required=True, help="the port to listen on")
    parser.add_argument("--origin", help="the server to forward requests to, e.g. http://127.0.0.1:9000")
    parser.add_argument("--clear-cache", action="store_true", help="empty the cache of the proxy on --port")
    args = parser.parse_args()
    if args.clear_cache:
        clear_remote_cache(args.port)
        return
    if not args.origin:
        parser.error("--origin is required to start the proxy")
    ProxyHandler.origin = args.origin.rstrip("/")
    server = ThreadingHTTPServer(("0.0.0.0", args.port), ProxyHandler)
    print(f"caching proxy on port {args.port}, forwarding to {ProxyHandler.origin}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
