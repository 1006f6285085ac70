// Reference solution for rate-limiter: Express and the redis package, one fixed window per API key.
"use strict";

const crypto = require("node:crypto");
const express = require("express");
const { createClient } = require("redis");

// All state lives in Redis, so it survives a restart and is shared by every copy of the app.
const store = createClient({ url: process.env.REDIS_URL || "redis://127.0.0.1:6379" });
store.on("error", (err) => console.error("redis:", err.message));

const app = express();
app.use(express.json());

const isWhole = (value, min, max) => Number.isInteger(value) && value >= min && value <= max;
const BODY_ERROR = 'the body must be a JSON object with integers "limit" (1-1000) and "window_seconds" (1-3600)';

// Express 4 does not catch a rejected promise: pass it on to the error handler.
const route = (handler) => (req, res, next) => handler(req, res).catch(next);

app.post(
  "/keys",
  route(async (req, res) => {
    const { limit, window_seconds: windowSeconds } = req.body;
    if (!isWhole(limit, 1, 1000) || !isWhole(windowSeconds, 1, 3600)) {
      return res.status(400).json({ error: BODY_ERROR });
    }
    const key = crypto.randomBytes(24).toString("base64url");
    await store.hSet(`apikey:${key}`, { limit, window_seconds: windowSeconds });
    return res.status(201).json({ key });
  }),
);

app.get(
  "/api/ping",
  route(async (req, res) => {
    const key = req.get("X-API-Key");
    const settings = key ? await store.hGetAll(`apikey:${key}`) : {};
    if (!settings.limit) return res.status(401).json({ error: "missing or unknown API key" });
    const limit = Number(settings.limit);
    const counter = `ratelimit:${key}`;
    // One transaction: open a window (a counter that expires) unless one is open, count this
    // request in it, and read how long the window has left. Concurrent requests cannot interleave.
    const [, count, ttlMs] = await store
      .multi()
      .set(counter, "0", { EX: Number(settings.window_seconds), NX: true })
      .incr(counter)
      .pTTL(counter)
      .exec();
    res.set({ "X-RateLimit-Limit": String(limit), "X-RateLimit-Remaining": String(Math.max(limit - count, 0)) });
    if (count > limit) {
      res.set("Retry-After", String(Math.max(Math.ceil(ttlMs / 1000), 1)));
      return res.status(429).json({ error: "rate limit exceeded" });
    }
    return res.json({ ok: true });
  }),
);

app.use((req, res) => res.status(404).json({ error: "not found" }));

// eslint-disable-next-line no-unused-vars -- Express knows an error handler by its four arguments
app.use((err, req, res, next) => {
  if (err.type === "entity.parse.failed") return res.status(400).json({ error: BODY_ERROR });
  console.error(err);
  return res.status(500).json({ error: "internal server error" });
});

async function main() {
  await store.connect();
  const host = process.env.HOST || "0.0.0.0";
  const port = Number.parseInt(process.env.PORT || "8000", 10);
  app.listen(port, host, () => console.log(`listening on http://${host}:${port}`));
}

main();
