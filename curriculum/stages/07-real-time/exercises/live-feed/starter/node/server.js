// live-feed starter: a node:http server that starts and answers 501 to both routes. Make it pass
// the brief.
"use strict";

const http = require("node:http");

// TODO: keep the last 1000 events, the next id, and the set of open streams (each with its
// ?type= filter and its response object).

function sendJson(res, status, body) {
  res.writeHead(status, { "Content-Type": "application/json" });
  res.end(JSON.stringify(body));
}

function publish(req, res) {
  // TODO: read and validate the JSON body, give the event the next id, keep it in the history,
  // write it to every open stream that wants it, answer 201 {"id": <id>}.
  sendJson(res, 501, { error: "not implemented yet" });
}

function subscribe(req, res, url) {
  // TODO: res.writeHead(200, {"Content-Type": "text/event-stream", ...}) and res.flushHeaders(),
  // replay what was missed since the Last-Event-ID header, remember the stream, and forget it on
  // res.on("close").
  sendJson(res, 501, { error: "not implemented yet" });
}

const server = http.createServer((req, res) => {
  const url = new URL(req.url, "http://localhost");
  if (url.pathname === "/events" && req.method === "POST") return publish(req, res);
  if (url.pathname === "/stream" && req.method === "GET") return subscribe(req, res, url);
  sendJson(res, 404, { error: "not found" });
});

const host = process.env.HOST || "0.0.0.0";
const port = Number.parseInt(process.env.PORT || "8000", 10);
server.listen(port, host, () => {
  console.log(`listening on http://${host}:${port}`);
});
