"""Reference solution for deploy-ready: FastAPI on uvicorn, configured from the environment, with
liveness and readiness probes, JSON access logs on stdout and a graceful shutdown on SIGTERM."""

import asyncio
import hmac
import json
import os
import time
from contextlib import asynccontextmanager

import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

# Twelve-factor configuration: everything comes from the environment, and a missing variable stops
# the app at once (a KeyError) instead of running with a made-up value.
PORT = int(os.environ.get("PORT", "8000"))
HOST = os.environ.get("HOST", "0.0.0.0")
RELEASE = os.environ["APP_RELEASE"]
GREETING = os.environ["APP_GREETING"]
SECRET = os.environ["APP_SECRET"]  # used, never logged

STARTED = time.monotonic()
state = {"ready": False}


def log(**fields):
    """One JSON object per line on stdout, where the platform collects logs."""
    print(json.dumps(fields), flush=True)


@asynccontextmanager
async def lifespan(_app):
    state["ready"] = True
    log(event="startup", release=RELEASE, port=PORT)  # the configuration, without the secret
    yield
    log(event="shutdown", release=RELEASE)


app = FastAPI(lifespan=lifespan)


@app.middleware("http")
async def access_log(request: Request, call_next):
    start = time.perf_counter()
    response = await call_next(request)
    duration_ms = round((time.perf_counter() - start) * 1000, 1)
    log(
        event="request",
        method=request.method,
        path=request.url.path,
        status=response.status_code,
        duration_ms=duration_ms,
    )
    return response


@app.get("/")
def root():
    return {"message": GREETING}


@app.get("/version")
def version():
    return {"release": RELEASE}


@app.get("/healthz")
def healthz():
    return {"status": "ok"}


@app.get("/readyz")
def readyz():
    if state["ready"]:
        return {"status": "ready"}
    return JSONResponse({"status": "shutting down"}, status_code=503)


@app.get("/work")
async def work(ms: str = ""):
    if not (ms.isascii() and ms.isdigit() and 100 <= int(ms) <= 5000):
        return JSONResponse({"error": '"ms" must be a whole number from 100 to 5000'}, status_code=400)
    await asyncio.sleep(int(ms) / 1000)  # a slow request that does not block the others
    return {"slept_ms": int(ms)}


@app.get("/admin/status")
def admin_status(request: Request):
    given = request.headers.get("authorization", "").encode()
    if not hmac.compare_digest(given, f"Bearer {SECRET}".encode()):  # constant time: no timing leak
        return JSONResponse({"error": "unauthorized"}, status_code=401)
    return {"uptime_s": round(time.monotonic() - STARTED, 3)}


class Server(uvicorn.Server):
    """uvicorn's server, marked not ready as soon as SIGTERM (or Ctrl-C) arrives.

    uvicorn then stops accepting connections, waits for the requests in flight and returns.
    Not calling super() also keeps uvicorn from raising the signal again once it is done, which
    would end the process "killed by SIGTERM" (exit code 143) instead of exiting with 0.
    """

    def handle_exit(self, sig, frame):
        state["ready"] = False
        self.should_exit = True


if __name__ == "__main__":
    # access_log=False: uvicorn's own access log is plain text on stdout; ours is JSON.
    config = uvicorn.Config(app, host=HOST, port=PORT, access_log=False, timeout_graceful_shutdown=8)
    Server(config).run()
