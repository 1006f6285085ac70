"""blogging-api starter: a Flask app that starts and answers 404 to everything. Make it pass the brief."""

import os

from flask import Flask, jsonify

app = Flask(__name__)

# TODO: keep the posts in memory (a dict from id to post is enough) and add the routes of the
# brief: POST /posts, GET /posts (with ?term=), GET /posts/<id>, PUT /posts/<id> and
# DELETE /posts/<id>. request.get_json(silent=True) gives the parsed JSON body, or None.


@app.errorhandler(404)
def not_found(_):
    return jsonify(error="not found"), 404


@app.errorhandler(405)
def method_not_allowed(_):
    return jsonify(error="method not allowed"), 405


if __name__ == "__main__":
    app.run(host=os.environ.get("HOST", "0.0.0.0"), port=int(os.environ.get("PORT", "8000")))
