// order-events starter, the shipping service: an Express app that starts on port 8001. Make it pass the brief.
"use strict";

const express = require("express");
const { createClient } = require("redis");

const ORDER_EVENTS = "orders.events"; // the stream this service consumes, with the consumer group "shipping"
const SHIPPING_EVENTS = "shipping.events"; // the stream this service publishes to
const PORT = 8001; // fixed: the grader looks for the shipping service here

// Keep every shipment, and what you have already handled, in Redis, never only in memory.
const store = createClient({ url: process.env.REDIS_URL || "redis://127.0.0.1:6379" });
store.on("error", (err) => console.error("redis:", err.message));

const app = express();

// TODO: GET /shipments?order_id=<id>: a JSON array of that order's shipments ([] if none).
// TODO: a consumer loop on a second connection (store.duplicate()): create the group
//       (reader.xGroupCreate(ORDER_EVENTS, "shipping", "0", { MKSTREAM: true }), ignoring BUSYGROUP),
//       then reader.xReadGroup; for each order_created event, unless that order already has a
//       shipment, store a shipment and XADD a shipment_scheduled event to shipping.events; skip
//       malformed events; XACK every entry.
console.log(`TODO: consume ${ORDER_EVENTS} and publish to ${SHIPPING_EVENTS}`);

app.use((req, res) => res.status(404).json({ error: "not implemented yet" }));

async function main() {
  await store.connect();
  const host = process.env.HOST || "0.0.0.0";
  app.listen(PORT, host, () => console.log(`shipping listening on http://${host}:${PORT}`));
}

main();
