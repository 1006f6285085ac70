// http-basics starter: a server that starts and answers 404 to everything. Make it pass the brief.
"use strict";

const http = require("node:http");

function sendText(res, status, text) {
  const body = Buffer.from(text, "utf8");
  res.writeHead(status, {
    "Content-Type": "text/plain; charset=utf-8",
    "Content-Length": body.length, // every response needs a correct Content-Length
  });
  res.end(body);
}

const server = http.createServer((req, res) => {
  // TODO: answer "/", "/health" and "/echo" as the brief says, 405 for a wrong method on
  // those paths, and 404 with a JSON error for every other path. req.method and req.url say
  // what was asked; for POST /echo, collect the body with req.on("data") and req.on("end").
  req.resume(); // read (and here ignore) any request body
  req.on("end", () => sendText(res, 404, "not implemented yet"));
});

const host = process.env.HOST || "0.0.0.0";
const port = Number.parseInt(process.env.PORT || "8000", 10);
server.listen(port, host, () => {
  console.log(`listening on http://${host}:${port}`);
});
