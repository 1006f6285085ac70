// rate-limiter starter: an Express app that starts and answers 404 to everything. Make it pass the brief.
"use strict";

const express = require("express");
const { createClient } = require("redis");

// Keep every key and every counter in Redis (the grader runs it at 127.0.0.1:6379), never in memory.
const store = createClient({ url: process.env.REDIS_URL || "redis://127.0.0.1:6379" });
store.on("error", (err) => console.error("redis:", err.message));

const app = express();
app.use(express.json());

// TODO: add the routes of the brief:
// - POST /keys: validate {"limit", "window_seconds"} (400 otherwise), make a random key
//   (require("node:crypto").randomBytes(24).toString("base64url")), store its settings in Redis
//   (await store.hSet(...)), answer 201.
// - GET /api/ping: read the X-API-Key header (req.get("X-API-Key")), answer 401 for a missing or
//   unknown key, count the request in the key's window (INCR on a counter that expires after
//   window_seconds) and answer 200 or 429 with the X-RateLimit-Limit, X-RateLimit-Remaining and
//   (for 429) Retry-After headers.
// Express 4 does not catch a rejected promise in an async handler: catch it and call next(err).

app.use((req, res) => res.status(404).json({ error: "not implemented yet" }));

async function main() {
  await store.connect();
  const host = process.env.HOST || "0.0.0.0";
  const port = Number.parseInt(process.env.PORT || "8000", 10);
  app.listen(port, host, () => console.log(`listening on http://${host}:${port}`));
}

main();
