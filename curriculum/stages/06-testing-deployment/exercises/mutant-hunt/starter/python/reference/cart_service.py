"""A correct implementation of the cart pricing API, to run your tests against on your machine.

    python reference/cart_service.py            # listens on http://127.0.0.1:9000 (or $CART_PORT)
    TARGET_URL=http://127.0.0.1:9000 python -m pytest -q tests

The grader runs its own copy of this service, plus copies with one bug planted in each. Like the
grader's, this one words its error messages and shapes its cart ids differently each time it
starts: the brief does not promise them, so your tests must not depend on them. The runner never
starts this file; it is only here for you (try planting a bug yourself and watch a test fail).
"""

import json
import os
import random
import re
import secrets
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote

WORDING = random.choice(["{} is invalid", "invalid {}", "bad value for {}", "{}: not allowed"])
ID_PREFIX = random.choice(["", "c", "cart-", "c_"])

carts = {}  # cart id -> {sku: item}, in the order skus were first added
lock = threading.Lock()


class HttpError(Exception):
    def __init__(self, status, message):
        super().__init__(message)
        self.status = status


def is_int(value):
    return isinstance(value, int) and not isinstance(value, bool)


def validate(body):
    if not isinstance(body, dict):
        raise HttpError(400, WORDING.format("body"))
    sku, qty, price = body.get("sku"), body.get("qty"), body.get("unit_price_cents")
    if not isinstance(sku, str) or not sku:
        raise HttpError(400, WORDING.format("sku"))
    if not is_int(qty) or not 1 <= qty <= 99:
        raise HttpError(400, WORDING.format("qty"))
    if not is_int(price) or price < 0:
        raise HttpError(400, WORDING.format("unit_price_cents"))
    return {"sku": sku, "qty": qty, "unit_price_cents": price}


def view(items):
    subtotal = sum(item["qty"] * item["unit_price_cents"] for item in items.values())
    discount = subtotal // 10 if subtotal >= 10000 else 0
    return {
        "items": list(items.values()),
        "subtotal_cents": subtotal,
        "discount_cents": discount,
        "total_cents": subtotal - discount,
    }


def find(cart_id):
    if cart_id not in carts:
        raise HttpError(404, "cart not found")
    return carts[cart_id]


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        self.handle_request("GET")

    def do_POST(self):
        self.handle_request("POST")

    def do_DELETE(self):
        self.handle_request("DELETE")

    def handle_request(self, method):
        length = int(self.headers.get("Content-Length") or 0)
        try:
            body = json.loads(self.rfile.read(length)) if length else None
        except ValueError:
            body = None
        try:
            with lock:
                self.route(method, self.path.split("?")[0], body)
        except HttpError as exc:
            self.answer(exc.status, {"error": str(exc)})

    def route(self, method, path, body):
        if method == "POST" and path == "/carts":
            cart_id = ID_PREFIX + secrets.token_hex(5)
            carts[cart_id] = {}
            return self.answer(201, {"id": cart_id})
        if method == "GET" and (m := re.fullmatch(r"/carts/([^/]+)", path)):
            return self.answer(200, view(find(m[1])))
        if method == "POST" and (m := re.fullmatch(r"/carts/([^/]+)/items", path)):
            items = find(m[1])
            item = validate(body)
            items[item["sku"]] = item
            return self.answer(201, view(items))
        if method == "DELETE" and (m := re.fullmatch(r"/carts/([^/]+)/items/([^/]+)", path)):
            if find(m[1]).pop(unquote(m[2]), None) is None:
                raise HttpError(404, "item not found")
            return self.answer(204, None)
        raise HttpError(404, "not found")

    def answer(self, status, payload):
        self.send_response(status)
        data = b"" if payload is None else json.dumps(payload).encode()
        if payload is not None:
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format, *args):
        pass


if __name__ == "__main__":
    port = int(os.environ.get("CART_PORT", "9000"))
    print(f"cart pricing API on http://127.0.0.1:{port}", flush=True)
    ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()
