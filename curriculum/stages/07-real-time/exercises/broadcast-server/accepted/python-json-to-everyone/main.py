"""A broadcast chat over WebSockets.

python main.py start                      # the server, on ws://0.0.0.0:$PORT/chat
python main.py connect --username ada     # a client: type lines, read everyone's
"""

import asyncio
import itertools
import json
import os
import sys
from datetime import UTC, datetime
from http import HTTPStatus
from urllib.parse import parse_qs, urlencode, urlsplit

import websockets
from websockets.asyncio.server import serve

CHAT_PATH = "/chat"
connected = set()
guest_numbers = itertools.count(1)


def envelope(user, message):
    return json.dumps({"user": user, "message": message, "time": datetime.now(UTC).isoformat()})


def send_everyone(payload):
    websockets.broadcast(connected, payload)


def only_chat_path(connection, request):
    if urlsplit(request.path).path != CHAT_PATH:
        return connection.respond(HTTPStatus.NOT_FOUND, "use ws://host:port/chat\n")
    return None


async def chat_handler(websocket):
    params = parse_qs(urlsplit(websocket.request.path).query)
    user = params.get("username", [""])[0] or f"guest-{next(guest_numbers)}"
    connected.add(websocket)
    send_everyone(envelope("server", f"{user} joined the chat"))
    try:
        async for line in websocket:
            if isinstance(line, bytes):
                line = line.decode("utf-8", "replace")
            if line.strip():
                send_everyone(envelope(user, line))
    except websockets.ConnectionClosed:
        pass
    finally:
        connected.discard(websocket)
        send_everyone(envelope("server", f"{user} left the chat"))


async def run_server(port):
    async with serve(chat_handler, "0.0.0.0", port, process_request=only_chat_path) as server:
        print(f"chat server on ws://0.0.0.0:{port}{CHAT_PATH}", flush=True)
        await server.serve_forever()


async def run_client(port, username):
    url = f"ws://localhost:{port}/chat?{urlencode({'username': username})}"
    async with websockets.connect(url) as websocket:

        async def printer():
            async for raw in websocket:
                data = json.loads(raw)
                print(f"[{data['user']}] {data['message']}")

        task = asyncio.create_task(printer())
        loop = asyncio.get_running_loop()
        while line := await loop.run_in_executor(None, sys.stdin.readline):
            await websocket.send(line.rstrip("\n"))
        task.cancel()


def main():
    if len(sys.argv) < 2 or sys.argv[1] not in ("start", "connect"):
        sys.exit("usage: python main.py start | connect [--username NAME]")
    port = int(os.environ.get("PORT", "8765"))
    if sys.argv[1] == "start":
        asyncio.run(run_server(port))
    else:
        username = sys.argv[sys.argv.index("--username") + 1] if "--username" in sys.argv else "anonymous"
        asyncio.run(run_client(port, username))


if __name__ == "__main__":
    main()
