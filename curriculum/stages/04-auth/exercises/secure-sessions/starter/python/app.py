"""secure-sessions starter: a Flask app that starts and answers 404 to everything. Make it pass the
brief."""

import os

from flask import Flask, jsonify

DATA_DIR = os.environ.get("DATA_DIR", "data")  # keep your users (and maybe your sessions) in here
COOKIE = "sid"

app = Flask(__name__)

# TODO: store users and notes in SQLite (sqlite3, a file under DATA_DIR) and hash passwords with
# argon2-cffi or bcrypt. Keep sessions on the server (a table or a dict): id -> user and CSRF
# token, with ids from secrets.token_urlsafe(32). Do not use Flask's built-in `session`: it keeps
# the data in a signed cookie on the client. Then add the routes of the brief: POST /register,
# POST /login, GET /me, POST /logout, GET /csrf, POST /notes and GET /notes.
# request.get_json(silent=True) gives the parsed JSON body, or None; request.cookies.get(COOKIE)
# the session id; response.set_cookie(COOKIE, sid, httponly=True, samesite="Lax", path="/") sets it.


@app.errorhandler(404)
def not_found(_):
    return jsonify(error="not found"), 404


@app.errorhandler(405)
def method_not_allowed(_):
    return jsonify(error="method not allowed"), 405


if __name__ == "__main__":
    app.run(host=os.environ.get("HOST", "0.0.0.0"), port=int(os.environ.get("PORT", "8000")), threaded=True)
