import os
import random
import string
from datetime import datetime, timezone
from urllib.parse import urlparse

from dotenv import load_dotenv
from flask import Flask, jsonify, request
from flask_sqlalchemy import SQLAlchemy

load_dotenv()

app = Flask(__name__)
app.config["SQLALCHEMY_DATABASE_URI"] = os.getenv("SQLALCHEMY_DATABASE_URI", "sqlite:///shortener.db")
db = SQLAlchemy(app)


class ShortUrl(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    url = db.Column(db.String(2048), nullable=False)
    short_code = db.Column(db.String(6), unique=True, nullable=False)
    created_at = db.Column(db.String(40), nullable=False)
    updated_at = db.Column(db.String(40), nullable=False)
    access_count = db.Column(db.Integer, nullable=False, default=0)

    def to_dict(self, stats=False):
        data = {
            "id": self.id,
            "url": self.url,
            "shortCode": self.short_code,
            "createdAt": self.created_at,
            "updatedAt": self.updated_at,
        }
        if stats:
            data["accessCount"] = self.access_count
        return data


with app.app_context():
    db.create_all()


def now():
    return datetime.now(timezone.utc).isoformat()


def make_code():
    letters = string.ascii_letters + string.digits
    return "".join(random.choice(letters) for _ in range(6))


def get_url_from_request():
    """Returns the url from the JSON body, or None if it is missing or not valid."""
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        return None
    url = data.get("url")
    if not isinstance(url, str) or len(url) > 2048:
        return None
    if not (url.startswith("http://") or url.startswith("https://")):
        return None
    if any(c.isspace() for c in url):
        return None
    if not urlparse(url).netloc:
        return None
    return url


def error(message, status):
    return jsonify({"error": message}), status


@app.errorhandler(404)
def not_found(e):
    return error("not found", 404)


@app.errorhandler(405)
def method_not_allowed(e):
    return error("method not allowed", 405)


@app.route("/shorten", methods=["POST"])
def create_short_url():
    url = get_url_from_request()
    if url is None:
        return error("please send a valid url", 400)
    code = make_code()
    while ShortUrl.query.filter_by(short_code=code).first() is not None:
        code = make_code()
    timestamp = now()
    short = ShortUrl(url=url, short_code=code, created_at=timestamp, updated_at=timestamp, access_count=0)
    db.session.add(short)
    db.session.commit()
    return jsonify(short.to_dict()), 201


@app.route("/shorten/<code>", methods=["GET"])
def get_short_url(code):
    short = ShortUrl.query.filter_by(short_code=code).first()
    if short is None:
        return error("short URL not found", 404)
    short.access_count = ShortUrl.access_count + 1
    db.session.commit()
    return jsonify(short.to_dict())


@app.route("/shorten/<code>", methods=["PUT"])
def update_short_url(code):
    short = ShortUrl.query.filter_by(short_code=code).first()
    if short is None:
        return error("short URL not found", 404)
    url = get_url_from_request()
    if url is None:
        return error("please send a valid url", 400)
    short.url = url
    short.updated_at = now()
    db.session.commit()
    return jsonify(short.to_dict())


@app.route("/shorten/<code>", methods=["DELETE"])
def delete_short_url(code):
    short = ShortUrl.query.filter_by(short_code=code).first()
    if short is None:
        return error("short URL not found", 404)
    db.session.delete(short)
    db.session.commit()
    return "", 204


@app.route("/shorten/<code>/stats", methods=["GET"])
def get_stats(code):
    short = ShortUrl.query.filter_by(short_code=code).first()
    if short is None:
        return error("short URL not found", 404)
    return jsonify(short.to_dict(stats=True))


if __name__ == "__main__":
    app.run(host="0.0.0.0", port=5000)
