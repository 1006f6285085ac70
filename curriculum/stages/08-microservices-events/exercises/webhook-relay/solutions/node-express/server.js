// Reference solution for webhook-relay: Express, the redis v4 client, and a worker loop that
// delivers with fetch.
//
// Everything lives in Redis, so a restart loses nothing:
//   webhooks:subscriptions     hash  subscription id -> URL
//   webhooks:event:<id>        string, the exact JSON body to send (signed once, sent as is)
//   webhooks:deliveries:<id>   hash  subscription id -> {"url", "status", "attempts"} as JSON
//   webhooks:due               sorted set of "<event id>:<subscription id>", scored by when the
//                              next attempt is due (milliseconds since the epoch)
// A delivery leaves webhooks:due only once it is delivered or dead. If the app dies during an
// attempt, the attempt is made again after a restart: delivery is at least once.
"use strict";

const crypto = require("node:crypto");
const express = require("express");
const { createClient } = require("redis");

const SECRET = process.env.WEBHOOK_SECRET;
const BACKOFF_MS = [1000, 2000, 4000]; // wait after failed attempts 1, 2 and 3
const MAX_ATTEMPTS = BACKOFF_MS.length + 1;
const TIMEOUT_MS = 5000; // a subscriber has this long to answer

const SUBSCRIPTIONS = "webhooks:subscriptions";
const DUE = "webhooks:due";
const eventKey = (id) => `webhooks:event:${id}`;
const deliveriesKey = (id) => `webhooks:deliveries:${id}`;

const redis = createClient({ url: process.env.REDIS_URL || "redis://127.0.0.1:6379" });
redis.on("error", (err) => console.error("redis:", err.message));

const app = express();
app.use(express.json());

const isObject = (value) => typeof value === "object" && value !== null && !Array.isArray(value);

app.post("/subscriptions", async (req, res) => {
  const url = isObject(req.body) ? req.body.url : undefined;
  if (typeof url !== "string" || !/^https?:\/\//.test(url)) {
    return res.status(400).json({ error: '"url" must be an http:// or https:// URL' });
  }
  const id = crypto.randomUUID();
  await redis.hSet(SUBSCRIPTIONS, id, url);
  res.status(201).json({ id });
});

app.post("/events", async (req, res) => {
  const { type, data } = isObject(req.body) ? req.body : {};
  if (typeof type !== "string" || !isObject(data)) {
    return res.status(400).json({ error: 'expected {"type": "<string>", "data": {...}}' });
  }
  const id = crypto.randomUUID();
  const subscriptions = await redis.hGetAll(SUBSCRIPTIONS);
  const tx = redis.multi().set(eventKey(id), JSON.stringify({ id, type, data }));
  for (const [subId, url] of Object.entries(subscriptions)) {
    tx.hSet(deliveriesKey(id), subId, JSON.stringify({ url, status: "pending", attempts: 0 }));
    tx.zAdd(DUE, { score: Date.now(), value: `${id}:${subId}` });
  }
  await tx.exec(); // MULTI/EXEC: the event and its deliveries are stored together
  res.status(202).json({ id });
});

app.get("/events/:id/deliveries", async (req, res) => {
  if (!(await redis.exists(eventKey(req.params.id)))) {
    return res.status(404).json({ error: "event not found" });
  }
  const deliveries = await redis.hGetAll(deliveriesKey(req.params.id));
  res.json(
    Object.entries(deliveries).map(([subId, raw]) => {
      const { status, attempts } = JSON.parse(raw);
      return { subscription_id: subId, status, attempts };
    }),
  );
});

app.use((req, res) => res.status(404).json({ error: "not found" }));

// One attempt: true if the subscriber answered 2xx within TIMEOUT_MS.
async function post(url, body, eventId) {
  const signature = crypto.createHmac("sha256", SECRET).update(body).digest("hex");
  try {
    const res = await fetch(url, {
      method: "POST",
      body,
      headers: {
        "Content-Type": "application/json",
        "X-Webhook-Id": eventId,
        "X-Webhook-Signature": `sha256=${signature}`,
      },
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    await res.arrayBuffer(); // read the answer so the connection is released
    return res.ok;
  } catch {
    return false; // refused, timed out, reset...
  }
}

async function attempt(job) {
  const [eventId, subId] = job.split(":");
  const delivery = JSON.parse(await redis.hGet(deliveriesKey(eventId), subId));
  const ok = await post(delivery.url, await redis.get(eventKey(eventId)), eventId);
  delivery.attempts += 1;
  const tx = redis.multi();
  if (ok || delivery.attempts >= MAX_ATTEMPTS) {
    delivery.status = ok ? "delivered" : "dead";
    tx.zRem(DUE, job);
  } else {
    tx.zAdd(DUE, { score: Date.now() + BACKOFF_MS[delivery.attempts - 1], value: job });
  }
  tx.hSet(deliveriesKey(eventId), subId, JSON.stringify(delivery));
  await tx.exec();
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function worker() {
  for (;;) {
    try {
      const jobs = await redis.zRangeByScore(DUE, "-inf", Date.now(), { LIMIT: { offset: 0, count: 20 } });
      for (const job of jobs) await attempt(job);
      if (jobs.length === 0) await sleep(100);
    } catch (err) {
      console.error("worker:", err.message);
      await sleep(1000);
    }
  }
}

async function main() {
  await redis.connect();
  worker();
  const host = process.env.HOST || "0.0.0.0";
  const port = Number.parseInt(process.env.PORT || "8000", 10);
  app.listen(port, host, () => console.log(`listening on http://${host}:${port}`));
}

main();
