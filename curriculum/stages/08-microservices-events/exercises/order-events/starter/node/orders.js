// order-events starter, the orders service: an Express app that starts on $PORT. Make it pass the brief.
"use strict";

const express = require("express");
const { createClient } = require("redis");

const ORDER_EVENTS = "orders.events"; // the stream this service publishes to
const SHIPPING_EVENTS = "shipping.events"; // the stream this service consumes

// Keep every order in Redis (the grader runs it at 127.0.0.1:6379), never only in memory.
const store = createClient({ url: process.env.REDIS_URL || "redis://127.0.0.1:6379" });
store.on("error", (err) => console.error("redis:", err.message));

const app = express();
app.use(express.json());

// TODO: POST /orders: validate {"item", "qty"} (400 otherwise), store the order with status "pending",
//       XADD an order_created event to orders.events (store.xAdd), answer 201 with the order.
// TODO: GET /orders/:id: the order, or 404.
// TODO: a consumer loop on a second connection (store.duplicate(): XREADGROUP ... BLOCK holds its
//       connection): reader.xReadGroup on shipping.events with this service's own group; on
//       shipment_scheduled, set the order's status to "shipped"; XACK every entry.
console.log(`TODO: publish to ${ORDER_EVENTS} and consume ${SHIPPING_EVENTS}`);

app.use((req, res) => res.status(404).json({ error: "not implemented yet" }));

async function main() {
  await store.connect();
  const host = process.env.HOST || "0.0.0.0";
  const port = Number.parseInt(process.env.PORT || "8000", 10);
  app.listen(port, host, () => console.log(`orders listening on http://${host}:${port}`));
}

main();
