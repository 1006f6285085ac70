"""URL shortener API (roadmap.sh project) with FastAPI and SQLite."""

import secrets
import sqlite3
import string
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlparse

from fastapi import FastAPI, HTTPException, Response
from pydantic import BaseModel

DB_FILE = Path(__file__).with_name("shortener.db")
CHARS = string.ascii_letters + string.digits

app = FastAPI(title="URL Shortener")


class UrlBody(BaseModel):
    url: str


def get_db():
    conn = sqlite3.connect(DB_FILE)
    conn.row_factory = sqlite3.Row
    return conn


with get_db() as conn:
    conn.execute(
        """CREATE TABLE IF NOT EXISTS short_urls (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            url TEXT NOT NULL,
            short_code TEXT NOT NULL UNIQUE,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            access_count INTEGER NOT NULL DEFAULT 0
        )"""
    )


def check_url(url: str) -> str:
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.netloc or " " in url or len(url) > 2048:
        raise HTTPException(status_code=422, detail="url must be a valid http or https URL")
    return url


def to_json(row, stats=False):
    result = {
        "id": row["id"],
        "url": row["url"],
        "shortCode": row["short_code"],
        "createdAt": row["created_at"],
        "updatedAt": row["updated_at"],
    }
    if stats:
        result["accessCount"] = row["access_count"]
    return result


def find(conn, code):
    row = conn.execute("SELECT * FROM short_urls WHERE short_code = ?", (code,)).fetchone()
    if row is None:
        raise HTTPException(status_code=404, detail="Short URL not found")
    return row


@app.post("/shorten", status_code=201)
def create_short_url(body: UrlBody):
    url = check_url(body.url)
    now = datetime.now(UTC).isoformat()
    with get_db() as conn:
        while True:
            code = "".join(secrets.choice(CHARS) for _ in range(6))
            try:
                cur = conn.execute(
                    "INSERT INTO short_urls (url, short_code, created_at, updated_at) VALUES (?, ?, ?, ?)",
                    (url, code, now, now),
                )
                break
            except sqlite3.IntegrityError:
                pass
        row = conn.execute("SELECT * FROM short_urls WHERE id = ?", (cur.lastrowid,)).fetchone()
    return to_json(row)


@app.get("/shorten/{code}")
def get_original_url(code: str):
    with get_db() as conn:
        find(conn, code)
        conn.execute("UPDATE short_urls SET access_count = access_count + 1 WHERE short_code = ?", (code,))
        return to_json(find(conn, code))


@app.put("/shorten/{code}")
def update_short_url(code: str, body: UrlBody):
    with get_db() as conn:
        find(conn, code)
        url = check_url(body.url)
        now = datetime.now(UTC).isoformat()
        conn.execute("UPDATE short_urls SET url = ?, updated_at = ? WHERE short_code = ?", (url, now, code))
        return to_json(find(conn, code))


@app.delete("/shorten/{code}", status_code=204)
def delete_short_url(code: str):
    with get_db() as conn:
        find(conn, code)
        conn.execute("DELETE FROM short_urls WHERE short_code = ?", (code,))
    return Response(status_code=204)


@app.get("/shorten/{code}/stats")
def get_stats(code: str):
    with get_db() as conn:
        return to_json(find(conn, code), stats=True)
