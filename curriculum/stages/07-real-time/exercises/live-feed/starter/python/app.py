"""live-feed starter: a FastAPI app that starts and answers 501 to both routes. Make it pass the brief."""

import os

import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

app = FastAPI()

# TODO: keep the last 1000 events (collections.deque(maxlen=1000)), the next id, and the set of
# open streams, each with its ?type= filter and an asyncio.Queue of events still to send.


@app.post("/events")
async def publish(request: Request):
    # TODO: validate the body (await request.json()), give the event the next id, keep it in the
    # history, put it on the queue of every subscriber that wants it, answer 201 {"id": <id>}.
    return JSONResponse({"error": "not implemented yet"}, status_code=501)


@app.get("/stream")
async def stream(request: Request):
    # TODO: register a subscriber, then answer with a StreamingResponse(media_type="text/event-stream")
    # whose async generator first yields the events missed since Last-Event-ID, then waits on the
    # queue and yields each event as "id: ...\nevent: ...\ndata: ...\n\n".
    return JSONResponse({"error": "not implemented yet"}, status_code=501)


if __name__ == "__main__":
    uvicorn.run(app, host=os.environ.get("HOST", "0.0.0.0"), port=int(os.environ.get("PORT", "8000")))
