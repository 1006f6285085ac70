"""broadcast-server: a WebSocket chat room, with the websockets library.

python broadcast_server.py start                  # serve ws://0.0.0.0:$PORT/ws
python broadcast_server.py connect --name ada     # a chat client: type lines, see everyone's
"""

import argparse
import asyncio
import json
import os
import sys
from urllib.parse import parse_qs, quote, urlsplit

from websockets.asyncio.client import connect
from websockets.asyncio.server import broadcast, serve
from websockets.exceptions import ConnectionClosedError

clients = {}  # open connection -> the name it gave


def send_to_all(event, *, but=None):
    """Queue `event` for every connected client except `but`; never waits for a slow client."""
    broadcast([ws for ws in clients if ws is not but], json.dumps(event))


def text_of(frame):
    """The "text" of a frame like {"type": "message", "text": "..."}, or None if it has none."""
    try:
        data = json.loads(frame)
    except ValueError:
        return None
    if isinstance(data, dict) and isinstance(data.get("text"), str):
        return data["text"]
    return None


def plain_http(connection, request):
    """Answer /health (and unknown paths) over plain HTTP; let /ws go on to the handshake."""
    path = urlsplit(request.path).path
    if path == "/health":
        return connection.respond(200, "ok\n")
    if path != "/ws":
        return connection.respond(404, "not found\n")
    return None


async def handler(websocket):
    query = parse_qs(urlsplit(websocket.request.path).query)
    name = query.get("name", [""])[0].strip() or "anonymous"
    send_to_all({"type": "join", "name": name})
    clients[websocket] = name
    try:
        async for frame in websocket:
            text = text_of(frame)
            if text is None:
                error = {"type": "error", "message": 'expected a JSON object with a string "text"'}
                await websocket.send(json.dumps(error))
            else:
                send_to_all({"type": "message", "from": name, "text": text})
    except ConnectionClosedError:
        pass  # dropped without a close frame: the client has left all the same
    finally:
        del clients[websocket]
        send_to_all({"type": "leave", "name": name})


async def start(host, port):
    async with serve(handler, host, port, process_request=plain_http) as server:
        print(f"broadcasting on ws://{host}:{port}/ws", flush=True)
        await server.serve_forever()


async def chat(url):
    async with connect(url) as websocket:

        async def show_incoming():
            async for frame in websocket:
                event = json.loads(frame)
                if event["type"] == "message":
                    print(f"{event['from']}: {event['text']}")
                elif event["type"] in ("join", "leave"):
                    print(f"* {event['name']} {'joined' if event['type'] == 'join' else 'left'}")
                else:
                    print(f"! {event.get('message')}")

        incoming = asyncio.create_task(show_incoming())
        loop = asyncio.get_running_loop()
        while line := await loop.run_in_executor(None, sys.stdin.readline):  # "" at end of input
            await websocket.send(json.dumps({"type": "message", "text": line.rstrip("\n")}))
        incoming.cancel()


def main():
    parser = argparse.ArgumentParser(prog="broadcast-server")
    parser.add_argument("command", choices=["start", "connect"])
    parser.add_argument("--host", default=os.environ.get("HOST", "0.0.0.0"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    parser.add_argument("--name", default=os.environ.get("USER", "guest"), help="your name (connect)")
    args = parser.parse_args()
    if args.command == "start":
        asyncio.run(start(args.host, args.port))
    else:
        host = "localhost" if args.host == "0.0.0.0" else args.host
        asyncio.run(chat(f"ws://{host}:{args.port}/ws?name={quote(args.name)}"))


if __name__ == "__main__":
    main()
