"""deploy-ready starter: a FastAPI app that starts and answers 404 to everything. Make it pass the brief."""

import os

import uvicorn
from fastapi import FastAPI

app = FastAPI()

# TODO: read APP_RELEASE, APP_GREETING and APP_SECRET from the environment (os.environ["APP_RELEASE"]).
# TODO: add the routes of the brief: GET /, /version, /healthz, /readyz, /work?ms=N and /admin/status.
# TODO: log one JSON line per request on stdout (an @app.middleware("http") that times call_next),
#       and a JSON startup line; print(json.dumps(...), flush=True) writes one.
# TODO: shut down gracefully on SIGTERM: subclass uvicorn.Server and override handle_exit (see the
#       brief's hints) so /readyz answers 503, the requests in flight finish and the app exits with 0.

if __name__ == "__main__":
    # uvicorn's access log is plain text on stdout: turn it off (access_log=False) once you log JSON.
    uvicorn.run(app, host=os.environ.get("HOST", "0.0.0.0"), port=int(os.environ.get("PORT", "8000")))
