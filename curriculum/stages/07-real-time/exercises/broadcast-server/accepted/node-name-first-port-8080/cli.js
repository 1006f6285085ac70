#!/usr/bin/env node
// Usage: broadcast-server start      start the chat server on ws://localhost:8080
//        broadcast-server connect    join it from this terminal
const readline = require("readline");
const WebSocket = require("ws");

const PORT = 8080;

function start() {
  const server = new WebSocket.Server({ port: PORT });
  const nicknames = new Map(); // socket -> nickname, once the client has told us

  const tellOthers = (from, line) => {
    nicknames.forEach((_, socket) => {
      if (socket !== from && socket.readyState === WebSocket.OPEN) socket.send(line);
    });
  };

  server.on("connection", (socket) => {
    socket.send("Welcome! What's your nickname?");

    socket.on("message", (data) => {
      const text = data.toString();
      if (!nicknames.has(socket)) {
        const nickname = text.trim() || "someone";
        nicknames.set(socket, nickname);
        tellOthers(socket, `* ${nickname} joined`);
        return;
      }
      tellOthers(socket, `${nicknames.get(socket)}: ${text}`);
    });

    socket.on("close", () => {
      const nickname = nicknames.get(socket);
      nicknames.delete(socket);
      if (nickname) tellOthers(socket, `* ${nickname} left`);
    });

    socket.on("error", (error) => console.log("connection error:", error.message));
  });

  console.log(`Server started on ws://localhost:${PORT}`);
}

function connect() {
  const socket = new WebSocket(`ws://localhost:${PORT}`);
  const input = readline.createInterface({ input: process.stdin, output: process.stdout });
  socket.on("message", (data) => console.log(data.toString()));
  socket.on("open", () => input.on("line", (line) => socket.send(line)));
  socket.on("close", () => {
    console.log("Disconnected");
    process.exit(0);
  });
  socket.on("error", () => {
    console.log(`Could not reach ws://localhost:${PORT}; is the server started?`);
    process.exit(1);
  });
}

const command = process.argv[2];
if (command === "start") {
  start();
} else if (command === "connect") {
  connect();
} else {
  console.log("Usage: broadcast-server <start|connect>");
}
