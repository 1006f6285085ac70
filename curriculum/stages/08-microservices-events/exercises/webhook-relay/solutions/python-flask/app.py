"""Reference solution for webhook-relay: Flask, redis-py, and a worker thread that delivers with urllib.

Everything lives in Redis, so a restart loses nothing:

    webhooks:subscriptions        hash  subscription id -> URL
    webhooks:event:<id>           string, the exact JSON body to send (signed once, sent as is)
    webhooks:deliveries:<id>      hash  subscription id -> {"url", "status", "attempts"} as JSON
    webhooks:due                  sorted set of "<event id>:<subscription id>", scored by when the
                                  next attempt is due (Unix time)

A delivery leaves webhooks:due only once it is delivered or dead. If the app dies during an
attempt, the attempt is made again after a restart: delivery is at least once.
"""

import hashlib
import hmac
import json
import os
import threading
import time
import urllib.error
import urllib.request
import uuid

import redis
from flask import Flask, jsonify, request

SECRET = os.environ["WEBHOOK_SECRET"].encode()
BACKOFF = [1, 2, 4]  # seconds to wait after failed attempts 1, 2 and 3
MAX_ATTEMPTS = len(BACKOFF) + 1
TIMEOUT = 5  # seconds a subscriber has to answer

SUBSCRIPTIONS = "webhooks:subscriptions"
DUE = "webhooks:due"

r = redis.Redis.from_url(os.environ.get("REDIS_URL", "redis://127.0.0.1:6379"), decode_responses=True)
app = Flask(__name__)


def event_key(event_id):
    return f"webhooks:event:{event_id}"


def deliveries_key(event_id):
    return f"webhooks:deliveries:{event_id}"


def error(message, status):
    return jsonify(error=message), status


@app.post("/subscriptions")
def create_subscription():
    body = request.get_json(silent=True)
    url = body.get("url") if isinstance(body, dict) else None
    if not isinstance(url, str) or not url.startswith(("http://", "https://")):
        return error('"url" must be an http:// or https:// URL', 400)
    sub_id = uuid.uuid4().hex
    r.hset(SUBSCRIPTIONS, sub_id, url)
    return jsonify(id=sub_id), 201


@app.post("/events")
def publish_event():
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or not isinstance(body.get("type"), str) or not isinstance(body.get("data"), dict):
        return error('expected {"type": "<string>", "data": {...}}', 400)
    event_id = uuid.uuid4().hex
    payload = json.dumps({"id": event_id, "type": body["type"], "data": body["data"]})
    now = time.time()
    with r.pipeline() as tx:  # MULTI/EXEC: the event and its deliveries are stored together
        tx.set(event_key(event_id), payload)
        for sub_id, url in r.hgetall(SUBSCRIPTIONS).items():
            tx.hset(deliveries_key(event_id), sub_id, json.dumps({"url": url, "status": "pending", "attempts": 0}))
            tx.zadd(DUE, {f"{event_id}:{sub_id}": now})
        tx.execute()
    return jsonify(id=event_id), 202


@app.get("/events/<event_id>/deliveries")
def list_deliveries(event_id):
    if not r.exists(event_key(event_id)):
        return error("event not found", 404)
    deliveries = r.hgetall(deliveries_key(event_id))
    return jsonify(
        [
            {"subscription_id": sub_id, "status": d["status"], "attempts": d["attempts"]}
            for sub_id, d in ((sub_id, json.loads(raw)) for sub_id, raw in deliveries.items())
        ]
    )


def post(url, payload, event_id):
    """One attempt: True if the subscriber answered 2xx within TIMEOUT."""
    body = payload.encode()
    signature = hmac.new(SECRET, body, hashlib.sha256).hexdigest()
    req = urllib.request.Request(
        url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "X-Webhook-Id": event_id,
            "X-Webhook-Signature": f"sha256={signature}",
        },
    )
    try:
        with urllib.request.urlopen(req, timeout=TIMEOUT) as resp:
            return 200 <= resp.status < 300
    except (urllib.error.URLError, OSError):  # HTTPError (non-2xx), refused, timed out...
        return False


def attempt(job):
    event_id, sub_id = job.split(":")
    delivery = json.loads(r.hget(deliveries_key(event_id), sub_id))
    ok = post(delivery["url"], r.get(event_key(event_id)), event_id)
    delivery["attempts"] += 1
    with r.pipeline() as tx:
        if ok or delivery["attempts"] >= MAX_ATTEMPTS:
            delivery["status"] = "delivered" if ok else "dead"
            tx.zrem(DUE, job)
        else:
            tx.zadd(DUE, {job: time.time() + BACKOFF[delivery["attempts"] - 1]})
        tx.hset(deliveries_key(event_id), sub_id, json.dumps(delivery))
        tx.execute()


def worker():
    while True:
        try:
            jobs = r.zrangebyscore(DUE, "-inf", time.time(), start=0, num=20)
            for job in jobs:
                attempt(job)
            if not jobs:
                time.sleep(0.1)
        except redis.RedisError as exc:
            print("worker: redis error:", exc, flush=True)
            time.sleep(1)


if __name__ == "__main__":
    threading.Thread(target=worker, daemon=True).start()
    app.run(host=os.environ.get("HOST", "0.0.0.0"), port=int(os.environ.get("PORT", "8000")), threaded=True)
