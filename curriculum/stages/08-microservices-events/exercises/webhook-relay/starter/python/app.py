"""webhook-relay starter: a Flask app that starts and answers 501 to the routes of the brief.

Make it pass the brief: store subscriptions, events and deliveries in Redis, and deliver the
events from a background worker thread.
"""

import os
import threading
import time

import redis
from flask import Flask, jsonify

SECRET = os.environ.get("WEBHOOK_SECRET", "dev-secret")  # the grader sets a new one on every run
BACKOFF = [1, 2, 4]  # seconds to wait after failed attempts 1, 2 and 3; 4 attempts in all

r = redis.Redis.from_url(os.environ.get("REDIS_URL", "redis://127.0.0.1:6379"), decode_responses=True)
app = Flask(__name__)


@app.post("/subscriptions")
def create_subscription():
    # TODO: check {"url": "http://..."}, store it in Redis under a new id, answer 201 {"id": ...}.
    return jsonify(error="not implemented yet"), 501


@app.post("/events")
def publish_event():
    # TODO: check {"type": "...", "data": {...}}, store the event and one "pending" delivery per
    # existing subscription in Redis, queue those deliveries, answer 202 {"id": <event id>}.
    return jsonify(error="not implemented yet"), 501


@app.get("/events/<event_id>/deliveries")
def list_deliveries(event_id):
    # TODO: 404 for an unknown event, else [{"subscription_id", "status", "attempts"}, ...].
    return jsonify(error="not implemented yet"), 501


def worker():
    """Deliver the queued webhooks, forever."""
    while True:
        # TODO: find the deliveries that are due, POST each one (signed with SECRET), then record
        # "delivered", schedule a retry after the next BACKOFF, or mark it "dead".
        time.sleep(0.1)


@app.errorhandler(404)
def not_found(_):
    return jsonify(error="not found"), 404


if __name__ == "__main__":
    threading.Thread(target=worker, daemon=True).start()
    app.run(host=os.environ.get("HOST", "0.0.0.0"), port=int(os.environ.get("PORT", "8000")), threaded=True)
