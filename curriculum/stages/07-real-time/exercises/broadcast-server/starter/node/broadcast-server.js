// broadcast-server starter: a WebSocket server that accepts clients and ignores what they send.
//
//   node broadcast-server.js start     # serve ws://0.0.0.0:$PORT/ws
//
// Make it pass the brief (README.md).
"use strict";

const http = require("node:http");
const { WebSocketServer } = require("ws");

// TODO: keep the open connections, each with the name from its URL (/ws?name=ada):
// new URL(req.url, "http://localhost").searchParams.get("name").

function start(host, port) {
  const server = http.createServer((req, res) => {
    // TODO: answer GET /health with 200.
    res.writeHead(404, { "Content-Type": "text/plain; charset=utf-8" });
    res.end("not found\n");
  });
  const wss = new WebSocketServer({ server, path: "/ws" });

  wss.on("connection", (ws, req) => {
    // TODO: tell the others that this client joined: {"type": "join", "name": ...}.
    ws.on("message", (frame) => {
      // TODO: parse the frame as JSON; for {"type": "message", "text": "..."} send
      // {"type": "message", "from": <name>, "text": "..."} to every client, this one included;
      // for anything else send {"type": "error", "message": "..."} back to this client only.
      console.log(`ignoring ${frame.toString()}`);
    });
    // TODO: on "close", tell the others that this client left: {"type": "leave", "name": ...}.
    ws.on("error", (err) => console.error(err.message));
  });

  server.listen(port, host, () => console.log(`listening on ws://${host}:${port}/ws`));
}

if (process.argv[2] === "start") {
  start(process.env.HOST || "0.0.0.0", Number.parseInt(process.env.PORT || "8000", 10));
} else {
  // TODO (optional): a "connect" mode, a client that sends what you type.
  console.error("usage: broadcast-server start");
  process.exit(2);
}
