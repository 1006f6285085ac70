import os

from flask import Flask, jsonify, request

app = Flask(__name__)

# the methods each path accepts, for the Allow header of a 405
ALLOWED = {"/": "GET", "/health": "GET", "/echo": "GET, POST"}


@app.errorhandler(404)
def not_found(error):
    return jsonify(error="not found"), 404


@app.errorhandler(405)
def method_not_allowed(error):
    allow = ALLOWED.get(request.path, "GET")
    return jsonify(error="method not allowed"), 405, {"Allow": allow}


@app.get("/")
def home():
    return "Hello, Stagecraft!", 200, {"Content-Type": "text/plain; charset=utf-8"}


@app.get("/health")
def health():
    return jsonify(status="ok")


@app.get("/echo")
def echo_query():
    message = request.args.get("message", "")
    if message == "":
        return jsonify(error="the query needs a message, like /echo?message=hi"), 400
    return jsonify(message=message)


@app.post("/echo")
def echo_body():
    data = request.get_json(silent=True)
    if type(data) is not dict or type(data.get("message")) is not str:
        return jsonify(error='the body must be JSON like {"message": "hi"}'), 400
    return jsonify(message=data["message"])


if __name__ == "__main__":
    app.run(host="127.0.0.1", port=int(os.environ.get("PORT", "8000")))
