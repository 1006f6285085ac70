// The shipping service: schedules one shipment per order_created event, and says so with an event.
"use strict";

const crypto = require("node:crypto");
const express = require("express");
const { createClient } = require("redis");

const ORDER_EVENTS = "orders.events";
const SHIPPING_EVENTS = "shipping.events";
const DEAD_LETTERS = "shipping.dead-letters"; // malformed events, kept for a human to look at
const GROUP = "shipping";
const CONSUMER = "shipping-1"; // a fixed name, so that after a restart we find our own unacknowledged events
const PORT = 8001;

const store = createClient({ url: process.env.REDIS_URL || "redis://127.0.0.1:6379" });
store.on("error", (err) => console.error("redis:", err.message));
// XREADGROUP ... BLOCK holds its connection until an event comes: give the consumer its own.
const reader = store.duplicate();
reader.on("error", (err) => console.error("redis:", err.message));

const shipmentsKey = (orderId) => `shipping:order:${orderId}:shipments`;

const app = express();

// Express 4 does not catch a rejected promise: pass it on to the error handler.
const route = (handler) => (req, res, next) => handler(req, res).catch(next);

app.get(
  "/shipments",
  route(async (req, res) => {
    const orderId = req.query.order_id;
    if (typeof orderId !== "string" || orderId === "") {
      return res.status(400).json({ error: "the query parameter order_id is required" });
    }
    const shipments = [];
    for (const id of await store.lRange(shipmentsKey(orderId), 0, -1)) {
      const data = await store.hGetAll(`shipping:shipment:${id}`);
      shipments.push({ ...data, qty: Number(data.qty) });
    }
    return res.json(shipments);
  }),
);

app.use((req, res) => res.status(404).json({ error: "not found" }));

// eslint-disable-next-line no-unused-vars -- Express knows an error handler by its four arguments
app.use((err, req, res, next) => {
  console.error(err);
  return res.status(500).json({ error: "internal server error" });
});

// The order an order_created event describes, or null if a field is missing or wrong.
function parseOrderCreated(message) {
  const { event_id: eventId, order_id: orderId, item, qty } = message;
  if (!eventId || !orderId || !item || !/^\d+$/.test(qty ?? "")) return null;
  return { order_id: orderId, item, qty };
}

async function handle(id, message) {
  if (message.type !== "order_created") {
    await store.xAck(ORDER_EVENTS, GROUP, id); // not for us
    return;
  }
  const order = parseOrderCreated(message);
  if (!order) {
    console.log(`skipping malformed event ${id}:`, message);
    await store
      .multi()
      .xAdd(DEAD_LETTERS, "*", { entry_id: id, ...message })
      .xAck(ORDER_EVENTS, GROUP, id)
      .exec();
    return;
  }
  // At-least-once delivery: the same event (or a copy of it) may come again. One shipment per order.
  if (await store.exists(shipmentsKey(order.order_id))) {
    await store.xAck(ORDER_EVENTS, GROUP, id);
    return;
  }
  const shipment = { id: crypto.randomUUID(), ...order, status: "scheduled" };
  const event = {
    type: "shipment_scheduled",
    event_id: crypto.randomUUID(),
    order_id: order.order_id,
    shipment_id: shipment.id,
  };
  // One transaction: store the shipment, publish its event and acknowledge, all or nothing.
  await store
    .multi()
    .hSet(`shipping:shipment:${shipment.id}`, shipment)
    .rPush(shipmentsKey(order.order_id), shipment.id)
    .xAdd(SHIPPING_EVENTS, "*", event)
    .xAck(ORDER_EVENTS, GROUP, id)
    .exec();
}

async function consume() {
  try {
    await reader.xGroupCreate(ORDER_EVENTS, GROUP, "0", { MKSTREAM: true });
  } catch (err) {
    if (!String(err.message).includes("BUSYGROUP")) throw err; // the group remembers where we were
  }
  let cursor = "0"; // first the events delivered to us before a restart but never acknowledged, then new ones
  for (;;) {
    const reply = await reader.xReadGroup(GROUP, CONSUMER, { key: ORDER_EVENTS, id: cursor }, { COUNT: 20, BLOCK: 2000 });
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
  app.listen(PORT, host, () => console.log(`shipping listening on http://${host}:${PORT}`));
}

main();
