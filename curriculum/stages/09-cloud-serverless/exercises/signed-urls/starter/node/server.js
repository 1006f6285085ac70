// signed-urls starter: a server that starts and answers 404 to everything. Make it pass the brief.
"use strict";

const crypto = require("node:crypto");
const fs = require("node:fs");
const http = require("node:http");

const { API_TOKEN, SIGNING_SECRET } = process.env; // the Bearer token, and the HMAC key of every URL
// Store the objects under this folder (it survives a restart of the app); "data" for local runs.
const dataDir = process.env.DATA_DIR || "data";
fs.mkdirSync(dataDir, { recursive: true });

// The signature of a URL: lowercase hex HMAC-SHA256 of "<METHOD>\n<key>\n<expires>".
const sign = (method, key, expires) =>
  crypto.createHmac("sha256", SIGNING_SECRET).update(`${method}\n${key}\n${expires}`).digest("hex");

function sendJson(res, status, data) {
  const body = Buffer.from(JSON.stringify(data), "utf8");
  res.writeHead(status, {
    "Content-Type": "application/json",
    "Content-Length": body.length, // every response needs a correct Content-Length
  });
  res.end(body);
}

const server = http.createServer((req, res) => {
  // TODO: collect the body as Buffers with req.on("data") and req.on("end"), then answer
  // POST /presign, PUT /objects/<key>?expires=...&signature=... and GET /objects/<key>?...
  // as the brief says: check API_TOKEN, validate the key, verify signatures with
  // crypto.timingSafeEqual, and keep the objects in files under dataDir.
  req.resume(); // read (and here ignore) any request body
  req.on("end", () => sendJson(res, 404, { error: "not implemented yet" }));
});

const host = process.env.HOST || "0.0.0.0";
const port = Number.parseInt(process.env.PORT || "8000", 10);
server.listen(port, host, () => {
  console.log(`listening on http://${host}:${port}`);
});
