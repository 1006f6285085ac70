// live-feed, broken: the stream is sent as text/plain instead of text/event-stream.
"use strict";

const http = require("node:http");

const EVENT_TYPE = /^[a-z_]{1,32}$/;
const HISTORY_SIZE = 1000; // events kept for subscribers that resume with Last-Event-ID
const HEARTBEAT_MS = 15000;

const history = []; // {id, type, text}, oldest first
const subscribers = new Set(); // {type, res}; type is the ?type= filter, or null for every event
let lastId = 0;

function sendJson(res, status, body) {
  res.writeHead(status, { "Content-Type": "application/json" });
  res.end(JSON.stringify(body));
}

function wants(subscriber, event) {
  return subscriber.type === null || subscriber.type === event.type;
}

function problemWith(body) {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    return "the body must be a JSON object";
  }
  if (typeof body.type !== "string" || !EVENT_TYPE.test(body.type)) {
    return '"type" must be 1 to 32 characters a-z or _';
  }
  if (typeof body.data !== "object" || body.data === null || Array.isArray(body.data)) {
    return '"data" must be a JSON object';
  }
  return null;
}

function publish(req, res) {
  let raw = "";
  req.setEncoding("utf8");
  req.on("data", (chunk) => (raw += chunk));
  req.on("end", () => {
    let body;
    try {
      body = JSON.parse(raw);
    } catch {
      return sendJson(res, 400, { error: "the body must be JSON" });
    }
    const problem = problemWith(body);
    if (problem) return sendJson(res, 400, { error: problem });

    lastId += 1;
    const text = `id: ${lastId}\nevent: ${body.type}\ndata: ${JSON.stringify(body.data)}\n\n`;
    const event = { id: lastId, type: body.type, text };
    history.push(event);
    if (history.length > HISTORY_SIZE) history.shift();
    for (const subscriber of subscribers) {
      if (wants(subscriber, event)) subscriber.res.write(event.text);
    }
    sendJson(res, 201, { id: event.id });
  });
}

function subscribe(req, res, url) {
  const subscriber = { type: url.searchParams.get("type"), res };
  // BROKEN: text/plain instead of text/event-stream; EventSource clients refuse the stream
  res.writeHead(200, { "Content-Type": "text/plain", "Cache-Control": "no-cache" });
  res.flushHeaders(); // send the headers now, not with the first event

  const resumeFrom = req.headers["last-event-id"];
  if (resumeFrom !== undefined && /^\d+$/.test(resumeFrom)) {
    for (const event of history) {
      if (event.id > Number(resumeFrom) && wants(subscriber, event)) res.write(event.text);
    }
  }
  subscribers.add(subscriber); // same tick as the replay: nothing is missed or sent twice

  const heartbeat = setInterval(() => res.write(": ping\n\n"), HEARTBEAT_MS);
  res.on("close", () => {
    clearInterval(heartbeat);
    subscribers.delete(subscriber);
  });
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
