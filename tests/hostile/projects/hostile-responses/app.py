# Answers with huge, slow, invalid-UTF-8 and binary responses to confuse the grader.
import os
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_GET(self):
        if self.path.startswith("/health"):  # slow drip: one byte a second, forever
            self.send_response(200)
            self.send_header("Content-Length", "1000000")
            self.end_headers()
            for _ in range(120):
                self.wfile.write(b"x")
                self.wfile.flush()
                time.sleep(1)
        elif self.path.startswith("/echo"):  # invalid UTF-8 and binary
            body = b"\xff\xfe\xfa" + os.urandom(2000) + b'{"message": "\xc3\x28"}'
            self.send_response(200)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        else:  # huge: 64 MiB of JSON-looking text
            self.send_response(200)
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Content-Length", str(64 * 1024 * 1024))
            self.end_headers()
            chunk = b'{"message": "' + b"a" * 65536 + b'"}'
            sent = 0
            try:
                while sent < 64 * 1024 * 1024:
                    self.wfile.write(chunk)
                    sent += len(chunk)
            except OSError:
                pass

    do_POST = do_GET


ThreadingHTTPServer(("0.0.0.0", int(os.environ["PORT"])), Handler).serve_forever()
