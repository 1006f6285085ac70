"""blogging-api reference solution: a Flask app keeping the posts in memory."""

import os
import threading
from datetime import UTC, datetime

from flask import Flask, jsonify, request

app = Flask(__name__)
app.json.sort_keys = False  # keep the fields in the order the brief lists them

posts = {}  # id -> post; dicts keep insertion order, which is id order
next_id = 1
lock = threading.Lock()  # Flask serves requests on several threads


def now():
    """The current UTC time as ISO-8601 with milliseconds: 2026-03-01T12:30:00.000Z."""
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def error(status, message):
    return jsonify(error=message), status


def validate(data):
    """The post fields from a request body, or an error message."""
    if not isinstance(data, dict):
        return None, "the body must be a JSON object"
    for field in ("title", "content", "category"):
        value = data.get(field)
        if not isinstance(value, str) or not value.strip():
            return None, f'"{field}" must be a non-empty string'
    tags = data.get("tags")
    if not isinstance(tags, list) or not all(isinstance(tag, str) for tag in tags):
        return None, '"tags" must be an array of strings'
    return {"title": data["title"], "content": data["content"], "category": data["category"], "tags": tags}, None


@app.post("/posts")
def create_post():
    global next_id
    fields, message = validate(request.get_json(silent=True))
    if message:
        return error(400, message)
    with lock:
        stamp = now()
        post = {"id": next_id, **fields, "createdAt": stamp, "updatedAt": stamp}
        posts[next_id] = post
        next_id += 1
    return jsonify(post), 201


@app.get("/posts")
def list_posts():
    term = request.args.get("term", "").lower()
    with lock:
        found = [
            post
            for post in posts.values()
            if not term or any(term in post[field].lower() for field in ("title", "content", "category"))
        ]
    return jsonify(found)


@app.get("/posts/<int:post_id>")
def get_post(post_id):
    post = posts.get(post_id)
    if post is None:
        return error(404, "post not found")
    return jsonify(post)


@app.put("/posts/<int:post_id>")
def update_post(post_id):
    with lock:
        post = posts.get(post_id)
        if post is None:
            return error(404, "post not found")
        fields, message = validate(request.get_json(silent=True))
        if message:
            return error(400, message)
        post.update(fields, updatedAt=now())
    return jsonify(post)


@app.delete("/posts/<int:post_id>")
def delete_post(post_id):
    with lock:
        if posts.pop(post_id, None) is None:
            return error(404, "post not found")
    return "", 204


@app.errorhandler(404)
def not_found(_):
    return error(404, "not found")


@app.errorhandler(405)
def method_not_allowed(_):
    return error(405, "method not allowed")


if __name__ == "__main__":
    app.run(host=os.environ.get("HOST", "0.0.0.0"), port=int(os.environ.get("PORT", "8000")))
