"""live-feed: a live scores feed over Server-Sent Events, with FastAPI and uvicorn."""

import asyncio
import json
import os
import re
from collections import deque
from dataclasses import dataclass, field

import uvicorn
from fastapi import FastAPI, Query, Request
from fastapi.responses import JSONResponse, StreamingResponse

EVENT_TYPE = re.compile(r"[a-z_]{1,32}")
HISTORY_SIZE = 1000  # events kept for subscribers that resume with Last-Event-ID
HEARTBEAT_SECONDS = 15


@dataclass(frozen=True)
class Event:
    id: int
    type: str
    text: str  # the event as sent on the stream


@dataclass(eq=False)
class Subscriber:
    type: str | None  # the ?type= filter, None for every event
    queue: asyncio.Queue = field(default_factory=asyncio.Queue)

    def wants(self, event: Event) -> bool:
        return self.type is None or self.type == event.type


app = FastAPI()
history: deque[Event] = deque(maxlen=HISTORY_SIZE)
subscribers: set[Subscriber] = set()
last_id = 0


def error(message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=400)


@app.post("/events", status_code=201)
async def publish(request: Request):
    global last_id
    try:
        body = await request.json()
    except ValueError:
        return error("the body must be JSON")
    if not isinstance(body, dict):
        return error("the body must be a JSON object")
    event_type, data = body.get("type"), body.get("data")
    if not isinstance(event_type, str) or not EVENT_TYPE.fullmatch(event_type):
        return error('"type" must be 1 to 32 characters a-z or _')
    if not isinstance(data, dict):
        return error('"data" must be a JSON object')

    # No await from here on: assigning the id and queueing the event for everyone is one step,
    # so every subscriber sees the events in id order.
    last_id += 1
    text = f"id: {last_id}\nevent: {event_type}\ndata: {json.dumps(data, separators=(',', ':'))}\n\n"
    event = Event(last_id, event_type, text)
    history.append(event)
    for subscriber in subscribers:
        if subscriber.wants(event):
            subscriber.queue.put_nowait(event.text)
    return {"id": event.id}


@app.get("/stream")
async def stream(request: Request, event_type: str | None = Query(None, alias="type")):
    subscriber = Subscriber(event_type)
    resume_from = request.headers.get("last-event-id", "")
    missed = []
    if resume_from.isascii() and resume_from.isdigit():
        missed = [e.text for e in history if e.id > int(resume_from) and subscriber.wants(e)]
    # Registered before the response starts, in the same step as reading the history: no event
    # published after this line is missed, and none is both replayed and queued.
    subscribers.add(subscriber)
    return StreamingResponse(
        send_events(subscriber, missed),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache"},
    )


async def send_events(subscriber: Subscriber, missed: list[str]):
    try:
        for text in missed:
            yield text
        while True:
            try:
                yield await asyncio.wait_for(subscriber.queue.get(), HEARTBEAT_SECONDS)
            except TimeoutError:
                yield ": ping\n\n"  # a comment: keeps proxies from closing an idle stream
    finally:
        subscribers.discard(subscriber)  # the client went away


if __name__ == "__main__":
    uvicorn.run(app, host=os.environ.get("HOST", "0.0.0.0"), port=int(os.environ.get("PORT", "8000")))
