// broadcast-server: a WebSocket chat room, with node:http and the ws module.
//
//   node broadcast-server.js start                  # serve ws://0.0.0.0:$PORT/ws
//   node broadcast-server.js connect --name ada     # a chat client: type lines, see everyone's
"use strict";

const http = require("node:http");
const readline = require("node:readline");
const { WebSocket, WebSocketServer } = require("ws");

const clients = new Map(); // open connection -> the name it gave

function sendToAll(event, but = null) {
  const data = JSON.stringify(event);
  for (const ws of clients.keys()) {
    if (ws !== but && ws.readyState === WebSocket.OPEN) ws.send(data); // queued, never awaited
  }
}

// The "text" of a frame like {"type": "message", "text": "..."}, or null if it has none.
function textOf(frame) {
  let data;
  try {
    data = JSON.parse(frame);
  } catch {
    return null;
  }
  return data !== null && typeof data === "object" && typeof data.text === "string" ? data.text : null;
}

function start(host, port) {
  // Plain HTTP requests (GET /health) come here; upgrade requests to /ws go to the ws server.
  const server = http.createServer((req, res) => {
    const { pathname } = new URL(req.url, "http://localhost");
    const status = req.method === "GET" && pathname === "/health" ? 200 : 404;
    res.writeHead(status, { "Content-Type": "text/plain; charset=utf-8" });
    res.end(status === 200 ? "ok\n" : "not found\n");
  });
  const wss = new WebSocketServer({ server, path: "/ws" });

  wss.on("connection", (ws, req) => {
    const name = (new URL(req.url, "http://localhost").searchParams.get("name") || "").trim() || "anonymous";
    clients.set(ws, name); // BROKEN: the others are never told that a client joined

    ws.on("message", (frame) => {
      const text = textOf(frame.toString());
      if (text === null) {
        ws.send(JSON.stringify({ type: "error", message: 'expected a JSON object with a string "text"' }));
      } else {
        sendToAll({ type: "message", from: name, text });
      }
    });
    // "close" fires however the connection ended: a closing handshake or a dropped socket.
    ws.on("close", () => {
      clients.delete(ws);
      sendToAll({ type: "leave", name });
    });
    ws.on("error", (err) => console.error(`connection of ${name}: ${err.message}`));
  });

  server.listen(port, host, () => console.log(`broadcasting on ws://${host}:${port}/ws`));
}

function connect(url) {
  const ws = new WebSocket(url);
  ws.on("message", (frame) => {
    const event = JSON.parse(frame.toString());
    if (event.type === "message") console.log(`${event.from}: ${event.text}`);
    else if (event.type === "join" || event.type === "leave") {
      console.log(`* ${event.name} ${event.type === "join" ? "joined" : "left"}`);
    } else console.log(`! ${event.message}`);
  });
  ws.on("open", () => {
    const input = readline.createInterface({ input: process.stdin });
    input.on("line", (line) => ws.send(JSON.stringify({ type: "message", text: line })));
    input.on("close", () => ws.close());
  });
  ws.on("close", () => process.exit(0));
  ws.on("error", (err) => {
    console.error(err.message);
    process.exit(1);
  });
}

function option(name, fallback) {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 && at + 1 < process.argv.length ? process.argv[at + 1] : fallback;
}

const host = option("host", process.env.HOST || "0.0.0.0");
const port = Number.parseInt(option("port", process.env.PORT || "8000"), 10);
const command = process.argv[2];
if (command === "start") {
  start(host, port);
} else if (command === "connect") {
  const name = encodeURIComponent(option("name", process.env.USER || "guest"));
  connect(`ws://${host === "0.0.0.0" ? "localhost" : host}:${port}/ws?name=${name}`);
} else {
  console.error("usage: broadcast-server start | connect [--name NAME] [--host HOST] [--port PORT]");
  process.exit(2);
}
