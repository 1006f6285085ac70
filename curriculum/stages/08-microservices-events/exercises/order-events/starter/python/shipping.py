"""order-events starter, the shipping service: a Flask app that starts on port 8001. Make it pass the brief."""

import os

import redis
from flask import Flask, jsonify

ORDER_EVENTS = "orders.events"  # the stream this service consumes, with the consumer group "shipping"
SHIPPING_EVENTS = "shipping.events"  # the stream this service publishes to
PORT = 8001  # fixed: the grader looks for the shipping service here

# Keep every shipment, and what you have already handled, in Redis, never only in memory.
store = redis.Redis.from_url(os.environ.get("REDIS_URL", "redis://127.0.0.1:6379"), decode_responses=True)
app = Flask(__name__)

# TODO: GET /shipments?order_id=<id>: a JSON array of that order's shipments ([] if none).
# TODO: a consumer loop in a background thread (threading.Thread(target=..., daemon=True).start()):
#       create the group (XGROUP CREATE orders.events shipping 0 MKSTREAM, ignoring BUSYGROUP), then
#       XREADGROUP; for each order_created event, unless that order already has a shipment, store a
#       shipment and XADD a shipment_scheduled event to shipping.events; skip malformed events;
#       XACK every entry.


@app.errorhandler(404)
def not_found(_error):
    return jsonify(error="not implemented yet"), 404


if __name__ == "__main__":
    app.run(host=os.environ.get("HOST", "0.0.0.0"), port=PORT, threaded=True)
