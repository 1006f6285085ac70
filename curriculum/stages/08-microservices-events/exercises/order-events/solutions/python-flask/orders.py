"""The orders service: takes orders over HTTP, publishes order_created, learns of shipments from events."""

import os
import threading
import time
import uuid

import redis
from flask import Flask, jsonify, request

ORDER_EVENTS = "orders.events"
SHIPPING_EVENTS = "shipping.events"
GROUP = "orders"  # this service's consumer group on shipping.events
CONSUMER = "orders-1"  # a fixed name, so that after a restart we find our own unacknowledged events

store = redis.Redis.from_url(os.environ.get("REDIS_URL", "redis://127.0.0.1:6379"), decode_responses=True)
app = Flask(__name__)


def order_key(order_id):
    return f"orders:order:{order_id}"


def load_order(order_id):
    data = store.hgetall(order_key(order_id))
    if not data:
        return None
    return {"id": data["id"], "item": data["item"], "qty": int(data["qty"]), "status": data["status"]}


@app.post("/orders")
def create_order():
    body = request.get_json(silent=True)
    item = body.get("item") if isinstance(body, dict) else None
    qty = body.get("qty") if isinstance(body, dict) else None
    if not isinstance(item, str) or not item.strip() or len(item) > 100:
        return jsonify(error='"item" must be a non-empty string of at most 100 characters'), 400
    if not isinstance(qty, int) or isinstance(qty, bool) or not 1 <= qty <= 100:
        return jsonify(error='"qty" must be an integer from 1 to 100'), 400
    order = {"id": str(uuid.uuid4()), "item": item, "qty": qty, "status": "pending"}
    event = {"type": "order_created", "event_id": str(uuid.uuid4()), "order_id": order["id"], "item": item, "qty": qty}
    # One transaction: the order is never saved without its event, nor the event sent without the order.
    with store.pipeline(transaction=True) as pipe:
        pipe.hset(order_key(order["id"]), mapping=order)
        pipe.xadd(ORDER_EVENTS, event)
        pipe.execute()
    # Answer with what was created: the shipment may be scheduled before we could read the order back.
    return jsonify(order), 201


@app.get("/orders/<order_id>")
def get_order(order_id):
    order = load_order(order_id)
    if order is None:
        return jsonify(error="order not found"), 404
    return jsonify(order)


def handle(entry_id, fields):
    """Mark the order shipped; marking it twice changes nothing, so a redelivered event is harmless."""
    order_id = fields.get("order_id")
    if fields.get("type") == "shipment_scheduled" and order_id and store.exists(order_key(order_id)):
        store.hset(order_key(order_id), "status", "shipped")
    store.xack(SHIPPING_EVENTS, GROUP, entry_id)  # events of other types, or for other orders: skip them


def consume():
    try:
        store.xgroup_create(SHIPPING_EVENTS, GROUP, id="0", mkstream=True)
    except redis.ResponseError as exc:
        if "BUSYGROUP" not in str(exc):  # the group already exists: it remembers where we were
            raise
    cursor = "0"  # first the events delivered to us before a restart but never acknowledged, then new ones
    while True:
        try:
            reply = store.xreadgroup(GROUP, CONSUMER, {SHIPPING_EVENTS: cursor}, count=20, block=2000)
            entries = reply[0][1] if reply else []
            if cursor != ">":
                cursor = entries[-1][0] if entries else ">"
            for entry_id, fields in entries:
                handle(entry_id, fields or {})
        except redis.ConnectionError:  # Redis went away: wait, then re-read what we had not acknowledged
            time.sleep(1)
            cursor = "0"


if __name__ == "__main__":
    threading.Thread(target=consume, daemon=True).start()
    app.run(host=os.environ.get("HOST", "0.0.0.0"), port=int(os.environ.get("PORT", "8000")), threaded=True)
