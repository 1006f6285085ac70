import os

from flask import Flask, Response, jsonify, request

app = Flask(__name__)

BAD_METHODS = ["PUT", "PATCH", "DELETE"]


def not_allowed(allow):
    response = jsonify({"error": "method not allowed"})
    response.status_code = 405
    response.headers["Allow"] = allow
    return response


@app.errorhandler(404)
def not_found(error):
    return jsonify({"error": "not found"}), 404


@app.route("/", methods=["GET"] + BAD_METHODS)
def index():
    if request.method != "GET":
        return not_allowed("GET")
    return Response("Hello, Stagecraft!", mimetype="text/plain")


@app.route("/health", methods=["GET"] + BAD_METHODS)
def health():
    if request.method != "GET":
        return not_allowed("GET")
    return jsonify({"status": "ok"})


@app.route("/echo", methods=["GET", "POST"] + BAD_METHODS)
def echo():
    if request.method == "GET":
        message = request.args.get("message")
        if not message:
            return jsonify({"error": "missing query parameter: message"}), 400
        return jsonify({"message": message})
    if request.method == "POST":
        data = request.get_json(force=True, silent=True)
        if not isinstance(data, dict) or not isinstance(data.get("message"), str):
            return jsonify({"error": 'send a JSON object with a string "message"'}), 400
        return jsonify({"message": data["message"]})
    return not_allowed("GET, POST")


def main():
    port = int(os.environ.get("PORT", 8000))
    app.run(host="0.0.0.0", port=port)


if __name__ == "__main__":
    main()
