"""Reference solution for rate-limiter: FastAPI and redis-py, one fixed window per API key."""

import math
import os
import secrets
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
    counter = f"ratelimit:{x_api_key}"
    # One transaction: open a window (a counter that expires) unless one is open, count this
    # request in it, and read how long the window has left. Concurrent requests cannot interleave.
    async with store.pipeline(transaction=True) as pipe:
        pipe.set(counter, 0, ex=int(settings["window_seconds"]), nx=True)
        pipe.incr(counter)
        pipe.pttl(counter)
        _, count, ttl_ms = await pipe.execute()
    headers = {"X-RateLimit-Limit": str(limit), "X-RateLimit-Remaining": str(max(limit - count, 0))}
    if count > limit:
        headers["Retry-After"] = str(max(math.ceil(ttl_ms / 1000), 1))
        return JSONResponse({"error": "rate limit exceeded"}, status_code=429, headers=headers)
    return JSONResponse({"ok": True}, headers=headers)


if __name__ == "__main__":
    uvicorn.run(app, host=os.environ.get("HOST", "0.0.0.0"), port=int(os.environ.get("PORT", "8000")))
