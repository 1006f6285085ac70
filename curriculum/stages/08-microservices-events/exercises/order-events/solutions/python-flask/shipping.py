"""The shipping service: schedules one shipment per order_created event, and says so with an event."""

import os
import threading
import time
import uuid

import redis
from flask import Flask, jsonify, request

ORDER_EVENTS = "orders.events"
SHIPPING_EVENTS = "shipping.events"
DEAD_LETTERS = "shipping.dead-letters"  # malformed events, kept for a human to look at
GROUP = "shipping"
CONSUMER = "shipping-1"  # a fixed name, so that after a restart we find our own unacknowledged events
PORT = 8001

store = redis.Redis.from_url(os.environ.get("REDIS_URL", "redis://127.0.0.1:6379"), decode_responses=True)
app = Flask(__name__)


def shipments_key(order_id):
    return f"shipping:order:{order_id}:shipments"


@app.get("/shipments")
def list_shipments():
    order_id = request.args.get("order_id")
    if not order_id:
        return jsonify(error="the query parameter order_id is required"), 400
    shipments = []
    for shipment_id in store.lrange(shipments_key(order_id), 0, -1):
        data = store.hgetall(f"shipping:shipment:{shipment_id}")
        shipments.append({**data, "qty": int(data["qty"])})
    return jsonify(shipments)


def parse_order_created(fields):
    """The order an order_created event describes, or None if a field is missing or wrong."""
    qty = fields.get("qty", "")
    if not all(fields.get(name) for name in ("event_id", "order_id", "item")) or not qty.isdigit():
        return None
    return {"order_id": fields["order_id"], "item": fields["item"], "qty": int(qty)}


def handle(entry_id, fields):
    if fields.get("type") != "order_created":
        store.xack(ORDER_EVENTS, GROUP, entry_id)  # not for us
        return
    order = parse_order_created(fields)
    if order is None:
        print(f"skipping malformed event {entry_id}: {fields}", flush=True)
        with store.pipeline(transaction=True) as pipe:
            pipe.xadd(DEAD_LETTERS, {"entry_id": entry_id, **fields})
            pipe.xack(ORDER_EVENTS, GROUP, entry_id)
            pipe.execute()
        return
    # At-least-once delivery: the same event (or a copy of it) may come again. One shipment per order.
    if store.exists(shipments_key(order["order_id"])):
        store.xack(ORDER_EVENTS, GROUP, entry_id)
        return
    shipment = {"id": str(uuid.uuid4()), **order, "status": "scheduled"}
    event = {
        "type": "shipment_scheduled",
        "event_id": str(uuid.uuid4()),
        "order_id": order["order_id"],
        "shipment_id": shipment["id"],
    }
    # One transaction: store the shipment, publish its event and acknowledge, all or nothing.
    with store.pipeline(transaction=True) as pipe:
        pipe.hset(f"shipping:shipment:{shipment['id']}", mapping=shipment)
        pipe.rpush(shipments_key(order["order_id"]), shipment["id"])
        pipe.xadd(SHIPPING_EVENTS, event)
        pipe.xack(ORDER_EVENTS, GROUP, entry_id)
        pipe.execute()


def consume():
    try:
        store.xgroup_create(ORDER_EVENTS, GROUP, id="0", mkstream=True)
    except redis.ResponseError as exc:
        if "BUSYGROUP" not in str(exc):  # the group already exists: it remembers where we were
            raise
    cursor = "0"  # first the events delivered to us before a restart but never acknowledged, then new ones
    while True:
        try:
            reply = store.xreadgroup(GROUP, CONSUMER, {ORDER_EVENTS: cursor}, count=20, block=2000)
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
    app.run(host=os.environ.get("HOST", "0.0.0.0"), port=PORT, threaded=True)
