"""rate-limiter starter: a FastAPI app that starts and answers 404 to everything. Make it pass the brief."""

import os

import redis.asyncio as redis
import uvicorn
from fastapi import FastAPI
from fastapi.responses import JSONResponse

# Keep every key and every counter in Redis (the grader runs it at 127.0.0.1:6379), never in memory.
store = redis.from_url(os.environ.get("REDIS_URL", "redis://127.0.0.1:6379"), decode_responses=True)
app = FastAPI()

# TODO: add the routes of the brief:
# - POST /keys: validate {"limit", "window_seconds"} (answer 400 otherwise; FastAPI's validation
#   errors are 422, so add an exception handler for RequestValidationError), make a random key
#   (secrets.token_urlsafe(24)), store its settings in Redis (await store.hset(...)), answer 201.
# - GET /api/ping: read the X-API-Key header, answer 401 for a missing or unknown key, count the
#   request in the key's window (INCR on a counter that expires after window_seconds) and answer
#   200 or 429 with the X-RateLimit-Limit, X-RateLimit-Remaining and (for 429) Retry-After headers.


@app.exception_handler(404)
async def not_found(_request, _exc):
    return JSONResponse({"error": "not implemented yet"}, status_code=404)


if __name__ == "__main__":
    uvicorn.run(app, host=os.environ.get("HOST", "0.0.0.0"), port=int(os.environ.get("PORT", "8000")))
