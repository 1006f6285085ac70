// The orders service: takes orders over HTTP, publishes order_created, learns of shipments from events.
"use strict";

const crypto = require("node:crypto");
const express = require("express");
const { createClient } = require("redis");

const ORDER_EVENTS = "orders.events";
const SHIPPING_EVENTS = "shipping.events";
const GROUP = "orders"; // this service's consumer group on shipping.events
const CONSUMER = "orders-1"; // a fixed name, so that after a restart we find our own unacknowledged events

const store = createClient({ url: process.env.REDIS_URL || "redis://127.0.0.1:6379" });
store.on("error", (err) => console.error("redis:", err.message));
// XREADGROUP ... BLOCK holds its connection until an event comes: give the consumer its own.
const reader = store.duplicate();
reader.on("error", (err) => console.error("redis:", err.message));

const orderKey = (id) => `orders:order:${id}`;

async function loadOrder(id) {
  const data = await store.hGetAll(orderKey(id));
  if (!data.id) return null;
  return { id: data.id, item: data.item, qty: Number(data.qty), status: data.status };
}

const app = express();
app.use(express.json());

// Express 4 does not catch a rejected promise: pass it on to the error handler.
const route = (handler) => (req, res, next) => handler(req, res).catch(next);

app.post(
  "/orders",
  route(async (req, res) => {
    const { item, qty } = req.body ?? {};
    if (typeof item !== "string" || item.trim() === "" || item.length > 100) {
      return res.status(400).json({ error: '"item" must be a non-empty string of at most 100 characters' });
    }
    if (!Number.isInteger(qty) || qty < 1 || qty > 100) {
      return res.status(400).json({ error: '"qty" must be an integer from 1 to 100' });
    }
    const order = { id: crypto.randomUUID(), item, qty, status: "pending" };
    const event = { type: "order_created", event_id: crypto.randomUUID(), order_id: order.id, item, qty: String(qty) };
    // One transaction: the order is never saved without its event, nor the event sent without the order.
    await store
      .multi()
      .hSet(orderKey(order.id), { ...order, qty: String(qty) })
      .xAdd(ORDER_EVENTS, "*", event)
      .exec();
    // Answer with what was created: the shipment may be scheduled before we could read the order back.
    return res.status(201).json(order);
  }),
);

app.get(
  "/orders/:id",
  route(async (req, res) => {
    const order = await loadOrder(req.params.id);
    if (!order) return res.status(404).json({ error: "order not found" });
    return res.json(order);
  }),
);

app.use((req, res) => res.status(404).json({ error: "not found" }));

// eslint-disable-next-line no-unused-vars -- Express knows an error handler by its four arguments
app.use((err, req, res, next) => {
  if (err.type === "entity.parse.failed") return res.status(400).json({ error: "the body must be JSON" });
  console.error(err);
  return res.status(500).json({ error: "internal server error" });
});

// Mark the order shipped; marking it twice changes nothing, so a redelivered event is harmless.
async function handle(id, message) {
  const orderId = message.order_id;
  if (message.type === "shipment_scheduled" && orderId && (await store.exists(orderKey(orderId)))) {
    await store.hSet(orderKey(orderId), "status", "shipped");
  }
  await store.xAck(SHIPPING_EVENTS, GROUP, id); // events of other types, or for other orders: skip them
}

async function consume() {
  try {
    await reader.xGroupCreate(SHIPPING_EVENTS, GROUP, "0", { MKSTREAM: true });
  } catch (err) {
    if (!String(err.message).includes("BUSYGROUP")) throw err; // the group remembers where we were
  }
  let cursor = "0"; // first the events delivered to us before a restart but never acknowledged, then new ones
  for (;;) {
    const reply = await reader.xReadGroup(GROUP, CONSUMER, { key: SHIPPING_EVENTS, id: cursor }, { COUNT: 20, BLOCK: 2000 });
    const messages = reply ? reply[0].messages : [];
    if (cursor !== ">") cursor = messages.length ? messages[messages.length - 1].id : ">";
    for (const { id, message } of messages) await handle(id, message);
  }
}

async function main() {
  await Promise.all([store.connect(), reader.connect()]);
  consume().catch((err) => {
    console.error("the consumer stopped:", err);
    process.exit(1);
  });
  const host = process.env.HOST || "0.0.0.0";
  const port = Number.parseInt(process.env.PORT || "8000", 10);
  app.listen(port, host, () => console.log(`orders listening on http://${host}:${port}`));
}

main();
