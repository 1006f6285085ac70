"""Guestbook: a Lambda function behind API Gateway (REST API, proxy integration).

runtime/shim.py calls handler(event, context) for every HTTP request; do not change runtime/.
Run it with: PORT=8000 DATA_DIR=data python runtime/shim.py
"""

import json
import os
from pathlib import Path

# Initialisation: runs once per execution environment (at its cold start), not once per request.
# Put the slow, reusable set-up here, never the data: entries belong in $DATA_DIR/entries/<id>.json.
ENTRIES = Path(os.environ.get("DATA_DIR", "data")) / "entries"


def handler(event, context):
    # event["httpMethod"], event["resource"] ("/entries", "/entries/{id}" or "/{proxy+}"),
    # event["pathParameters"], event["queryStringParameters"] (None without a query string) and
    # event["body"] (a string, or None) describe the request: see the README.
    # TODO: POST /entries, GET /entries (?limit=n), GET /entries/{id}, then 400, 404 and 405.
    return {
        "statusCode": 501,
        "headers": {"Content-Type": "application/json"},
        "body": json.dumps({"error": "not implemented yet"}),  # the body is always a string
    }
