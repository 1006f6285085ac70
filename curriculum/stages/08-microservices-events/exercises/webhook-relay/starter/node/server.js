// webhook-relay starter: an Express app that starts and answers 501 to the routes of the brief.
// Make it pass the brief: store subscriptions, events and deliveries in Redis, and deliver the
// events from a background worker loop.
"use strict";

const express = require("express");
const { createClient } = require("redis");

const SECRET = process.env.WEBHOOK_SECRET || "dev-secret"; // the grader sets a new one on every run
const BACKOFF_MS = [1000, 2000, 4000]; // wait after failed attempts 1, 2 and 3; 4 attempts in all

const redis = createClient({ url: process.env.REDIS_URL || "redis://127.0.0.1:6379" });
redis.on("error", (err) => console.error("redis:", err.message));

const app = express();
app.use(express.json()); // parses JSON bodies into req.body

app.post("/subscriptions", async (req, res) => {
  // TODO: check {"url": "http://..."}, store it in Redis under a new id, answer 201 {"id": ...}.
  res.status(501).json({ error: "not implemented yet" });
});

app.post("/events", async (req, res) => {
  // TODO: check {"type": "...", "data": {...}}, store the event and one "pending" delivery per
  // existing subscription in Redis, queue those deliveries, answer 202 {"id": <event id>}.
  res.status(501).json({ error: "not implemented yet" });
});

app.get("/events/:id/deliveries", async (req, res) => {
  // TODO: 404 for an unknown event, else [{"subscription_id", "status", "attempts"}, ...].
  res.status(501).json({ error: "not implemented yet" });
});

app.use((req, res) => res.status(404).json({ error: "not found" }));

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function worker() {
  for (;;) {
    // TODO: find the deliveries that are due, POST each one (signed with SECRET), then record
    // "delivered", schedule a retry after the next BACKOFF_MS, or mark it "dead".
    void SECRET;
    void BACKOFF_MS;
    await sleep(100);
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
