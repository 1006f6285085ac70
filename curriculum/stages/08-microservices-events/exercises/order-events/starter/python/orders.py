"""order-events starter, the orders service: a Flask app that starts on $PORT. Make it pass the brief."""

import os

import redis
from flask import Flask, jsonify

ORDER_EVENTS = "orders.events"  # the stream this service publishes to
SHIPPING_EVENTS = "shipping.events"  # the stream this service consumes

# Keep every order in Redis (the grader runs it at 127.0.0.1:6379), never only in memory.
store = redis.Redis.from_url(os.environ.get("REDIS_URL", "redis://127.0.0.1:6379"), decode_responses=True)
app = Flask(__name__)

# TODO: POST /orders: validate {"item", "qty"} (400 otherwise), store the order with status "pending",
#       XADD an order_created event to orders.events, answer 201 with the order.
# TODO: GET /orders/<order_id>: the order, or 404.
# TODO: a consumer loop in a background thread (threading.Thread(target=..., daemon=True).start()):
#       XREADGROUP on shipping.events with this service's own group; on shipment_scheduled, set the
#       order's status to "shipped"; XACK every entry.


@app.errorhandler(404)
def not_found(_error):
    return jsonify(error="not implemented yet"), 404


if __name__ == "__main__":
    app.run(host=os.environ.get("HOST", "0.0.0.0"), port=int(os.environ.get("PORT", "8000")), threaded=True)
