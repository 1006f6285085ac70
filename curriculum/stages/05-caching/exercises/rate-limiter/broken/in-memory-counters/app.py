"""Broken variant of rate-limiter: the keys are in Redis, but the counters live in the process's memory."""

import math
import os
import secrets
import time
from typing import Annotated

import redis.asyncio as redis
import uvicorn
from fastapi import FastAPI, Header
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field, StrictInt

# All state lives in Redis, so it survives a restart and is shared by every copy of the app.
store = redis.from_url(os.environ.get("REDIS_URL", "redis://127.0.0.1:6379"), decode_responses=True)
app = FastAPI()
# BROKEN: the windows live in this process only: a restart (or a second copy of the app) starts
# every count again from zero.
windows = {}  # API key -> [count, monotonic time the window ends]


class KeySettings(BaseModel):
    limit: Annotated[StrictInt, Field(ge=1, le=1000)]
    window_seconds: Annotated[StrictInt, Field(ge=1, le=3600)]


@app.exception_handler(RequestValidationError)
async def bad_request(_request, _exc):
    error = 'the body must be a JSON object with integers "limit" (1-1000) and "window_seconds" (1-3600)'
    return JSONResponse({"error": error}, status_code=400)


@app.post("/keys", status_code=201)
async def create_key(settings: KeySettings):
    key = secrets.token_urlsafe(24)
    await store.hset(f"apikey:{key}", mapping=settings.model_dump())
    return {"key": key}


@app.get("/api/ping")
async def ping(x_api_key: Annotated[str | None, Header()] = None):
    settings = await store.hgetall(f"apikey:{x_api_key}") if x_api_key else {}
    if not settings:
        return JSONResponse({"error": "missing or unknown API key"}, status_code=401)
    limit = int(settings["limit"])
    now = time.monotonic()
    window = windows.get(x_api_key)
    if window is None or window[1] <= now:
        window = windows[x_api_key] = [0, now + int(settings["window_seconds"])]
    window[0] += 1
    count, ttl_ms = window[0], (window[1] - now) * 1000
    headers = {"X-RateLimit-Limit": str(limit), "X-RateLimit-Remaining": str(max(limit - count, 0))}
    if count > limit:
        headers["Retry-After"] = str(max(math.ceil(ttl_ms / 1000), 1))
        return JSONResponse({"error": "rate limit exceeded"}, status_code=429, headers=headers)
    return JSONResponse({"ok": True}, headers=headers)


if __name__ == "__main__":
    uvicorn.run(app, host=os.environ.get("HOST", "0.0.0.0"), port=int(os.environ.get("PORT", "8000")))
