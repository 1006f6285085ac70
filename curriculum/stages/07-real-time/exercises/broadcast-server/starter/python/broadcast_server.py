"""broadcast-server starter: a WebSocket server that accepts clients and ignores what they send.

    python broadcast_server.py start     # serve ws://0.0.0.0:$PORT/ws

Make it pass the brief (README.md).
"""

import argparse
import asyncio
import os

from websockets.asyncio.server import serve

# TODO: keep the open connections, each with the name from its URL (/ws?name=ada):
# websocket.request.path is "/ws?name=ada"; urllib.parse.urlsplit and parse_qs take it apart.


async def handler(websocket):
    # TODO: tell the others that this client joined: {"type": "join", "name": ...}.
    async for frame in websocket:  # ends when the client closes the connection
        # TODO: parse the frame as JSON; for {"type": "message", "text": "..."} send
        # {"type": "message", "from": <name>, "text": "..."} to every client, this one included
        # (websockets.asyncio.server.broadcast does that without waiting); for anything else
        # send {"type": "error", "message": "..."} back to this client only.
        print(f"ignoring {frame!r}", flush=True)
    # TODO: tell the others that this client left: {"type": "leave", "name": ...}, however the
    # connection ended (a dropped connection raises ConnectionClosedError out of the loop).


# TODO: answer GET /health with 200 over plain HTTP: pass process_request=... to serve().


async def start(host, port):
    async with serve(handler, host, port) as server:
        print(f"listening on ws://{host}:{port}/ws", flush=True)
        await server.serve_forever()


def main():
    parser = argparse.ArgumentParser(prog="broadcast-server")
    parser.add_argument("command", choices=["start"])  # TODO (optional): a "connect" client
    parser.add_argument("--host", default=os.environ.get("HOST", "0.0.0.0"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    args = parser.parse_args()
    asyncio.run(start(args.host, args.port))


if __name__ == "__main__":
    main()
