// Reference solution for http-basics: a small HTTP server on Node's standard library only.
"use strict";

const http = require("node:http");

const GREETING = "Hello, Stagecraft!";
const MAX_BODY = 64 * 1024;

// Which methods each known path accepts; anything else on these paths is a 405.
const ROUTES = {
  "/": ["GET"],
  "/health": ["GET"],
  "/echo": ["GET", "POST"],
};

function send(res, status, body, contentType, headers = {}) {
  const bytes = Buffer.from(body, "utf8");
  res.writeHead(status, {
    "Content-Type": contentType,
    "Content-Length": bytes.length,
    ...headers,
  });
  res.end(bytes);
}

function sendJson(res, status, data, headers) {
  send(res, status, JSON.stringify(data), "application/json", headers);
}

function echoQuery(res, query) {
  // URLSearchParams decodes both "+" and "%20" to a space, as the brief asks.
  const message = new URLSearchParams(query).get("message");
  if (!message) {
    sendJson(res, 400, { error: "missing query parameter: message" });
  } else {
    sendJson(res, 200, { message });
  }
}

function echoBody(res, body) {
  let data = null;
  try {
    data = JSON.parse(body.toString("utf8"));
  } catch {
    data = null;
  }
  const isObject = data !== null && typeof data === "object" && !Array.isArray(data);
  if (!isObject || typeof data.message !== "string") {
    sendJson(res, 400, { error: 'body must be a JSON object with a string "message"' });
  } else {
    sendJson(res, 200, { message: data.message });
  }
}

function dispatch(req, res, body) {
  // Split by hand: new URL() would read "//health" as a host name, not as a path.
  const [path, query = ""] = req.url.split(/\?(.*)/s);
  const allowed = Object.hasOwn(ROUTES, path) ? ROUTES[path] : null;
  if (allowed === null) {
    sendJson(res, 404, { error: "not found" });
  } else if (!allowed.includes(req.method)) {
    sendJson(res, 405, { error: "method not allowed" }, { Allow: allowed.join(", ") });
  } else if (path === "/") {
    send(res, 200, GREETING, "text/plain; charset=utf-8");
  } else if (path === "/health") {
    sendJson(res, 200, { status: "ok" });
  } else if (req.method === "GET") {
    echoQuery(res, query);
  } else {
    echoBody(res, body);
  }
}

const server = http.createServer((req, res) => {
  const chunks = [];
  let size = 0;
  let tooLarge = false;
  req.on("data", (chunk) => {
    size += chunk.length;
    if (size > MAX_BODY) {
      tooLarge = true;
    } else {
      chunks.push(chunk);
    }
  });
  req.on("end", () => {
    if (tooLarge) {
      res.shouldKeepAlive = false; // the client may still be sending: start afresh
      sendJson(res, 413, { error: "body too large" });
    } else {
      dispatch(req, res, Buffer.concat(chunks));
    }
  });
});

const host = process.env.HOST || "0.0.0.0";
const port = Number.parseInt(process.env.PORT || "8000", 10);
server.listen(port, host, () => {
  console.log(`listening on http://${host}:${port}`);
});
