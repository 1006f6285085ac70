import json

import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, PlainTextResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

app = FastAPI()

# which methods each path accepts (for the Allow header when the method is wrong)
ALLOWED = {"/": "GET", "/health": "GET", "/echo": "GET, POST"}


@app.exception_handler(StarletteHTTPException)
async def http_error(request: Request, exc: StarletteHTTPException):
    if exc.status_code == 405:
        allow = ALLOWED.get(request.url.path, "GET")
        return JSONResponse({"error": "method not allowed"}, status_code=405, headers={"Allow": allow})
    if exc.status_code == 404:
        return JSONResponse({"error": "not found"}, status_code=404)
    return JSONResponse({"error": str(exc.detail)}, status_code=exc.status_code)


@app.get("/")
def hello():
    return PlainTextResponse("Hello, Stagecraft!")


@app.get("/health")
def health():
    return {"status": "ok"}


@app.get("/echo")
def echo_get(message: str | None = None):
    if not message:
        return JSONResponse({"error": "missing query parameter: message"}, status_code=400)
    return {"message": message}


@app.post("/echo")
async def echo_post(request: Request):
    try:
        data = await request.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        data = None
    if not isinstance(data, dict) or not isinstance(data.get("message"), str):
        return JSONResponse({"error": 'send a JSON object with a string "message"'}, status_code=400)
    return {"message": data["message"]}


if __name__ == "__main__":
    uvicorn.run(app, host="localhost", port=8000)
