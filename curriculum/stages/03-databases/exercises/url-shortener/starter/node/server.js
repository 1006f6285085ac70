// url-shortener starter: a server that starts and answers 404 to everything. Make it pass the brief.
"use strict";

const fs = require("node:fs");
const http = require("node:http");

// Store everything under this folder (it survives a restart of the app); "data" for local runs.
const dataDir = process.env.DATA_DIR || "data";
fs.mkdirSync(dataDir, { recursive: true });

function sendJson(res, status, data) {
  const body = Buffer.from(JSON.stringify(data), "utf8");
  res.writeHead(status, {
    "Content-Type": "application/json",
    "Content-Length": body.length, // every response needs a correct Content-Length
  });
  res.end(body);
}

const server = http.createServer((req, res) => {
  // TODO: collect the body with req.on("data") and req.on("end"), then answer POST /shorten and
  // GET, PUT, DELETE /shorten/<code> and GET /shorten/<code>/stats as the brief says, keeping the
  // short URLs in a database under dataDir (require("sqlite3") is installed).
  req.resume(); // read (and here ignore) any request body
  req.on("end", () => sendJson(res, 404, { error: "not implemented yet" }));
});

const host = process.env.HOST || "0.0.0.0";
const port = Number.parseInt(process.env.PORT || "8000", 10);
server.listen(port, host, () => {
  console.log(`listening on http://${host}:${port}`);
});
