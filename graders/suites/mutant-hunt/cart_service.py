"""The cart pricing API of the mutant-hunt brief, with switches that plant one bug each ("mutants").

`CartServer(mutant, rng)` serves the contract on 127.0.0.1 in background threads; `mutant=None`
is the correct implementation. Everything the brief leaves open (the cart ids, the text of the
error messages) comes from `rng`, so a learner's test that relies on it fails on the correct
implementation of some run.
"""

from __future__ import annotations

import json
import math
import random
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote

DISCOUNT_THRESHOLD = 10_000

# Each mutant breaks exactly one rule of the contract; the value says how, for the report.
MUTANTS = {
    "discount_boundary": "the discount starts above 10000 cents instead of at 10000",
    "discount_rounded_up": "the 10% discount is rounded up instead of down",
    "total_without_discount": "total_cents ignores the discount",
    "zero_quantity": "qty 0 is accepted",
    "quantity_ignored": "the subtotal adds up unit prices without multiplying by qty",
    "stale_subtotal_after_delete": "deleting an item leaves the subtotal unchanged",
    "unknown_cart_500": "an unknown cart id answers 500 instead of 404",
}

CART_PATH = re.compile(r"^/carts/([^/]+)$")
ITEMS_PATH = re.compile(r"^/carts/([^/]+)/items$")
ITEM_PATH = re.compile(r"^/carts/([^/]+)/items/([^/]+)$")


class HttpError(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


class Cart:
    def __init__(self) -> None:
        self.items: dict[str, dict] = {}  # sku -> item, in the order skus were first added
        self.subtotal = 0  # kept up to date on every change, as a "cached" running sum


class CartStore:
    """The pricing rules; `mutant` switches one of them to its buggy version."""

    def __init__(self, mutant: str | None, rng: random.Random):
        if mutant is not None and mutant not in MUTANTS:
            raise ValueError(f"unknown mutant {mutant!r}")
        self.mutant = mutant
        self.rng = rng
        self.carts: dict[str, Cart] = {}
        self.lock = threading.Lock()
        # The brief promises a string "error", not its words: vary them from run to run.
        self.wording = rng.choice(["{} is invalid", "invalid {}", "bad value for {}", "{}: not allowed"])

    def _line_total(self, item: dict) -> int:
        if self.mutant == "quantity_ignored":
            return item["unit_price_cents"]
        return item["qty"] * item["unit_price_cents"]

    def _cart(self, cart_id: str) -> Cart:
        cart = self.carts.get(cart_id)
        if cart is None:
            if self.mutant == "unknown_cart_500":
                raise HttpError(500, "internal server error")
            raise HttpError(404, "cart not found")
        return cart

    def create(self) -> str:
        with self.lock:
            while True:
                cart_id = self.rng.choice(["", "c", "cart-", "c_"]) + format(self.rng.getrandbits(40), "x")
                if cart_id not in self.carts:
                    break
            self.carts[cart_id] = Cart()
            return cart_id

    def add(self, cart_id: str, body: object) -> dict:
        with self.lock:
            cart = self._cart(cart_id)
            item = self._validate(body)
            old = cart.items.get(item["sku"])
            if old is not None:
                cart.subtotal -= self._line_total(old)
            cart.items[item["sku"]] = item
            cart.subtotal += self._line_total(item)
            return self._view(cart)

    def remove(self, cart_id: str, sku: str) -> None:
        with self.lock:
            cart = self._cart(cart_id)
            item = cart.items.pop(sku, None)
            if item is None:
                raise HttpError(404, "item not found")
            if self.mutant != "stale_subtotal_after_delete":
                cart.subtotal -= self._line_total(item)

    def view(self, cart_id: str) -> dict:
        with self.lock:
            return self._view(self._cart(cart_id))

    def _validate(self, body: object) -> dict:
        if not isinstance(body, dict):
            raise HttpError(400, self.wording.format("body"))
        sku, qty, price = body.get("sku"), body.get("qty"), body.get("unit_price_cents")
        if not isinstance(sku, str) or not sku:
            raise HttpError(400, self.wording.format("sku"))
        lowest_qty = 0 if self.mutant == "zero_quantity" else 1
        if not _is_int(qty) or not lowest_qty <= qty <= 99:
            raise HttpError(400, self.wording.format("qty"))
        if not _is_int(price) or price < 0:
            raise HttpError(400, self.wording.format("unit_price_cents"))
        return {"sku": sku, "qty": qty, "unit_price_cents": price}

    def _view(self, cart: Cart) -> dict:
        subtotal = cart.subtotal
        if self.mutant == "discount_boundary":
            earns = subtotal > DISCOUNT_THRESHOLD
        else:
            earns = subtotal >= DISCOUNT_THRESHOLD
        if not earns:
            discount = 0
        elif self.mutant == "discount_rounded_up":
            discount = math.ceil(subtotal / 10)
        else:
            discount = subtotal // 10
        total = subtotal if self.mutant == "total_without_discount" else subtotal - discount
        return {
            "items": [dict(item) for item in cart.items.values()],
            "subtotal_cents": subtotal,
            "discount_cents": discount,
            "total_cents": total,
        }


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:  # the grader's stderr stays quiet
        pass

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def do_DELETE(self) -> None:
        self._dispatch("DELETE")

    def do_PUT(self) -> None:
        self._dispatch("PUT")

    def do_PATCH(self) -> None:
        self._dispatch("PATCH")

    def _dispatch(self, method: str) -> None:
        store = self.server.store
        path = self.path.split("?", 1)[0]
        try:
            body = self._read_json()  # read it whatever the route, so keep-alive stays in step
            if method == "POST" and path == "/carts":
                self._send(201, {"id": store.create()})
            elif method == "GET" and (m := CART_PATH.match(path)):
                self._send(200, store.view(m[1]))
            elif method == "POST" and (m := ITEMS_PATH.match(path)):
                self._send(201, store.add(m[1], body))
            elif method == "DELETE" and (m := ITEM_PATH.match(path)):
                store.remove(m[1], unquote(m[2]))
                self._send(204, None)
            else:
                raise HttpError(404, "not found")
        except HttpError as exc:
            self._send(exc.status, {"error": exc.message})

    def _read_json(self) -> object:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        if not raw.strip():
            return None
        try:
            return json.loads(raw)
        except ValueError:
            return None  # not JSON: the body is invalid wherever a body matters

    def _send(self, status: int, payload: object) -> None:
        self.send_response(status)
        if payload is None:
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        data = json.dumps(payload).encode()
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, port: int, store: CartStore):
        self.store = store
        super().__init__(("127.0.0.1", port), _Handler)


class CartServer:
    """One implementation (correct or a mutant) listening on 127.0.0.1:`port`, until `close()`."""

    def __init__(self, mutant: str | None, port: int, rng: random.Random):
        self.mutant = mutant
        self._server = _Server(port, CartStore(mutant, rng))
        self.port = self._server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


if __name__ == "__main__":  # handy while writing the suite: python cart_service.py [correct|MUTANT] [PORT]
    import sys

    name = sys.argv[1] if len(sys.argv) > 1 else "correct"
    port = int(sys.argv[2]) if len(sys.argv) > 2 else 9000
    server = CartServer(None if name == "correct" else name, port, random.Random())
    print(f"serving {name} on {server.url}", flush=True)
    threading.Event().wait()
