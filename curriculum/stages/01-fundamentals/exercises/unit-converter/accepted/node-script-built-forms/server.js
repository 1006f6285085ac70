// A unit converter: the page and its script are static files, the conversion is an API.
import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";

const here = (name) => fileURLToPath(new URL(`./public/${name}`, import.meta.url));
const files = {
  "/": ["index.html", "text/html; charset=utf-8"],
  "/converter.js": ["converter.js", "text/javascript; charset=utf-8"],
};

// Linear units as their size in the base unit (metres, grams).
const SIZES = {
  length: { mm: 0.001, cm: 0.01, m: 1, km: 1000, in: 0.0254, ft: 0.3048, yd: 0.9144, mi: 1609.344 },
  weight: { mg: 0.001, g: 1, kg: 1000, oz: 28.349523125, lb: 453.59237 },
};
const TO_CELSIUS = { C: (t) => t, F: (t) => ((t - 32) * 5) / 9, K: (t) => t - 273.15 };
const FROM_CELSIUS = { C: (c) => c, F: (c) => (c * 9) / 5 + 32, K: (c) => c + 273.15 };

function convert({ kind, amount, from, to }) {
  // Strict: "12abc", "1,5" and "" are not numbers (parseFloat would read 12, 1 and NaN).
  const text = String(amount ?? "").trim();
  const value = typeof amount === "number" ? amount : text === "" ? Number.NaN : Number(text);
  if (!Number.isFinite(value)) return { error: "amount must be a number" };
  if (kind === "temperature") {
    if (!(from in TO_CELSIUS) || !(to in TO_CELSIUS)) return { error: "unknown temperature unit" };
    return { result: FROM_CELSIUS[to](TO_CELSIUS[from](value)) };
  }
  const sizes = SIZES[kind];
  if (!sizes) return { error: `unknown kind of unit: ${kind}` };
  if (!(from in sizes) || !(to in sizes)) return { error: `unknown ${kind} unit` };
  return { result: (value * sizes[from]) / sizes[to] };
}

function send(res, status, type, body) {
  res.writeHead(status, { "Content-Type": type });
  res.end(body);
}

const server = createServer(async (req, res) => {
  const { pathname } = new URL(req.url, "http://localhost");
  if (req.method === "POST" && pathname === "/api/convert") {
    let raw = "";
    for await (const chunk of req) raw += chunk;
    let asked;
    try {
      asked = JSON.parse(raw);
    } catch {
      return send(res, 400, "application/json", JSON.stringify({ error: "send JSON" }));
    }
    const answer = convert(asked ?? {});
    const status = answer.error ? 400 : 200;
    if (answer.result !== undefined) answer.result = Number(answer.result.toFixed(4));
    return send(res, status, "application/json", JSON.stringify(answer));
  }
  const file = req.method === "GET" && files[pathname];
  if (!file) return send(res, 404, "text/plain; charset=utf-8", "not found");
  send(res, 200, file[1], await readFile(here(file[0])));
});

server.listen(process.env.PORT ?? 3000, () => console.log("converter on", server.address().port));
