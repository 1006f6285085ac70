"""Guestbook: a Lambda function behind API Gateway (REST API, proxy integration).

Each entry is one JSON file under $DATA_DIR/entries/, the function's "managed storage": it
outlives any execution environment, while module globals live only as long as one.
"""

import json
import os
import re
import uuid
from datetime import UTC, datetime
from pathlib import Path

# Initialisation: runs once per execution environment (at its cold start), not once per request.
# Put the slow, reusable set-up here (clients, configuration, compiled patterns), never the data.
ENTRIES = Path(os.environ.get("DATA_DIR", "data")) / "entries"
ENTRIES.mkdir(parents=True, exist_ok=True)
ENTRY_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
DIGITS = re.compile(r"[0-9]+")


def handler(event, context):
    method, resource = event["httpMethod"], event["resource"]
    if resource == "/entries":
        if method == "POST":
            return create_entry(event["body"])
        if method == "GET":
            return list_entries(event["queryStringParameters"] or {})  # None when there is no query
        return respond(405, {"error": "method not allowed"}, Allow="GET, POST")
    if resource == "/entries/{id}":
        if method == "GET":
            return get_entry(event["pathParameters"]["id"])
        return respond(405, {"error": "method not allowed"}, Allow="GET")
    return respond(404, {"error": "not found"})


def create_entry(body):
    try:
        data = json.loads(body or "")
    except ValueError:
        return respond(400, {"error": "the body must be valid JSON"})
    if not isinstance(data, dict):
        return respond(400, {"error": "the body must be a JSON object"})
    for field in ("name", "message"):
        if not isinstance(data.get(field), str) or not data[field].strip():
            return respond(400, {"error": f'"{field}" must be a non-empty string'})
    entry = {
        "id": str(uuid.uuid4()),
        "name": data["name"],
        "message": data["message"],
        "createdAt": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
    }
    path = ENTRIES / f"{entry['id']}.json"
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(entry), encoding="utf-8")
    temporary.replace(path)  # atomic: a reader never sees half a file
    return respond(201, entry, Location=f"/entries/{entry['id']}")


def list_entries(query):
    limit = query.get("limit")
    if limit is not None and not (DIGITS.fullmatch(limit) and int(limit) > 0):
        return respond(400, {"error": '"limit" must be a positive integer'})
    entries = [json.loads(path.read_text(encoding="utf-8")) for path in ENTRIES.glob("*.json")]
    entries.sort(key=lambda entry: entry["createdAt"], reverse=True)
    return respond(200, entries[: int(limit)] if limit else entries)


def get_entry(entry_id):
    path = ENTRIES / f"{entry_id}.json"
    if not ENTRY_ID.fullmatch(entry_id) or not path.is_file():
        return respond(404, {"error": "entry not found"})
    return respond(200, json.loads(path.read_text(encoding="utf-8")))


def respond(status, data, **headers):
    """An API Gateway proxy result: the body is a string, so JSON is encoded here."""
    return {
        "statusCode": status,
        "headers": {"Content-Type": "application/json", **headers},
        "body": json.dumps(data),
    }
