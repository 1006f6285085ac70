"""todo-api starter: a Flask app that starts and answers 404 to everything. Make it pass the brief."""

import os

from flask import Flask, jsonify

DATA_DIR = os.environ.get("DATA_DIR", "data")  # keep your database file in here

app = Flask(__name__)

# TODO: store users and todos in SQLite (sqlite3, a file under DATA_DIR), hash passwords with
# argon2-cffi or bcrypt, issue tokens (PyJWT, or secrets.token_urlsafe stored in the database),
# and add the routes of the brief: POST /register, POST /login, POST /todos, GET /todos,
# PUT /todos/<id> and DELETE /todos/<id>. request.get_json(silent=True) gives the parsed JSON
# body, or None.


@app.errorhandler(404)
def not_found(_):
    return jsonify(error="not found"), 404


@app.errorhandler(405)
def method_not_allowed(_):
    return jsonify(error="method not allowed"), 405


if __name__ == "__main__":
    app.run(host=os.environ.get("HOST", "0.0.0.0"), port=int(os.environ.get("PORT", "8000")))
