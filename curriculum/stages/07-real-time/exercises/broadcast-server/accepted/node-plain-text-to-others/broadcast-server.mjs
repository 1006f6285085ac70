#!/usr/bin/env node
// broadcast-server start [--port 8080]   a WebSocket server that relays every message to the others
// broadcast-server connect [--port 8080] a terminal client
import readline from "node:readline";
import { WebSocket, WebSocketServer } from "ws";

const args = process.argv.slice(2);
const command = args[0];
const portAt = args.indexOf("--port");
const port = portAt >= 0 ? Number(args[portAt + 1]) : 8080;

function startServer() {
  const wss = new WebSocketServer({ port });
  wss.on("listening", () => console.log(`broadcast server listening on ws://localhost:${port}`));

  wss.on("connection", (socket) => {
    console.log(`client connected (${wss.clients.size} online)`);

    socket.on("message", (data, isBinary) => {
      for (const client of wss.clients) {
        if (client !== socket && client.readyState === WebSocket.OPEN) {
          client.send(data, { binary: isBinary });
        }
      }
    });
    socket.on("close", () => console.log(`client left (${wss.clients.size} online)`));
    socket.on("error", (err) => console.error("socket error:", err.message));
  });

  const shutdown = () => {
    for (const client of wss.clients) client.close(1001, "server shutting down");
    wss.close(() => process.exit(0));
  };
  process.on("SIGINT", shutdown);
  process.on("SIGTERM", shutdown);
}

function connect() {
  const socket = new WebSocket(`ws://localhost:${port}`);
  socket.on("open", () => {
    console.log("connected; type a message and press enter");
    const input = readline.createInterface({ input: process.stdin });
    input.on("line", (line) => socket.send(line));
    input.on("close", () => socket.close());
  });
  socket.on("message", (data) => console.log(`> ${data}`));
  socket.on("close", () => process.exit(0));
  socket.on("error", (err) => {
    console.error(err.message);
    process.exit(1);
  });
}

if (command === "start") startServer();
else if (command === "connect") connect();
else {
  console.error("usage: broadcast-server <start|connect> [--port N]");
  process.exit(1);
}
