// A correct implementation of the cart pricing API, to run your tests against on your machine.
//
//   node reference/cart-service.js                  # listens on http://127.0.0.1:9000 (or $CART_PORT)
//   TARGET_URL=http://127.0.0.1:9000 node --test tests/
//
// The grader runs its own copy of this service, plus copies with one bug planted in each. Like the
// grader's, this one words its error messages and shapes its cart ids differently each time it
// starts: the brief does not promise them, so your tests must not depend on them. The runner never
// starts this file; it is only here for you (try planting a bug yourself and watch a test fail).
"use strict";

const http = require("node:http");
const crypto = require("node:crypto");

const pick = (list) => list[crypto.randomInt(list.length)];
const WORDING = pick(["%s is invalid", "invalid %s", "bad value for %s", "%s: not allowed"]);
const ID_PREFIX = pick(["", "c", "cart-", "c_"]);

const carts = new Map(); // cart id -> Map(sku -> item), in the order skus were first added

class HttpError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

const invalid = (field) => new HttpError(400, WORDING.replace("%s", field));

function validate(body) {
  if (typeof body !== "object" || body === null || Array.isArray(body)) throw invalid("body");
  const { sku, qty, unit_price_cents: price } = body;
  if (typeof sku !== "string" || sku === "") throw invalid("sku");
  if (!Number.isInteger(qty) || qty < 1 || qty > 99) throw invalid("qty");
  if (!Number.isInteger(price) || price < 0) throw invalid("unit_price_cents");
  return { sku, qty, unit_price_cents: price };
}

function view(items) {
  const list = [...items.values()];
  const subtotal = list.reduce((sum, item) => sum + item.qty * item.unit_price_cents, 0);
  const discount = subtotal >= 10000 ? Math.floor(subtotal / 10) : 0;
  return { items: list, subtotal_cents: subtotal, discount_cents: discount, total_cents: subtotal - discount };
}

function find(id) {
  const items = carts.get(id);
  if (!items) throw new HttpError(404, "cart not found");
  return items;
}

function route(method, path, body) {
  let m;
  if (method === "POST" && path === "/carts") {
    const id = ID_PREFIX + crypto.randomBytes(5).toString("hex");
    carts.set(id, new Map());
    return [201, { id }];
  }
  if (method === "GET" && (m = path.match(/^\/carts\/([^/]+)$/))) return [200, view(find(m[1]))];
  if (method === "POST" && (m = path.match(/^\/carts\/([^/]+)\/items$/))) {
    const items = find(m[1]);
    const item = validate(body);
    items.set(item.sku, item);
    return [201, view(items)];
  }
  if (method === "DELETE" && (m = path.match(/^\/carts\/([^/]+)\/items\/([^/]+)$/))) {
    if (!find(m[1]).delete(decodeURIComponent(m[2]))) throw new HttpError(404, "item not found");
    return [204, null];
  }
  throw new HttpError(404, "not found");
}

const server = http.createServer((req, res) => {
  let raw = "";
  req.on("data", (chunk) => (raw += chunk));
  req.on("end", () => {
    let body = null;
    try {
      body = raw ? JSON.parse(raw) : null;
    } catch {
      body = null;
    }
    let status, payload;
    try {
      [status, payload] = route(req.method, req.url.split("?")[0], body);
    } catch (error) {
      if (!(error instanceof HttpError)) throw error;
      [status, payload] = [error.status, { error: error.message }];
    }
    if (payload === null) return res.writeHead(status).end();
    res.writeHead(status, { "Content-Type": "application/json" }).end(JSON.stringify(payload));
  });
});

const port = Number.parseInt(process.env.CART_PORT || "9000", 10);
server.listen(port, "127.0.0.1", () => console.log(`cart pricing API on http://127.0.0.1:${port}`));
