// unit-converter starter: a server that starts and answers a 404 page to everything. Make it pass the brief.
"use strict";

const http = require("node:http");

function sendHtml(res, status, html) {
  const body = Buffer.from(html, "utf8");
  res.writeHead(status, {
    "Content-Type": "text/html; charset=utf-8",
    "Content-Length": body.length, // every response needs a correct Content-Length
  });
  res.end(body);
}

const server = http.createServer((req, res) => {
  // TODO: serve "/", "/length", "/weight" and "/temperature" as the brief says. For a POST,
  // collect the body with req.on("data") and req.on("end"), parse it with URLSearchParams, and
  // escape every piece of user input (&, <, >, ", ') before writing it into the page.
  req.resume(); // read (and here ignore) any request body
  req.on("end", () => sendHtml(res, 404, "<!doctype html>\n<title>Not found</title>\n<h1>Not implemented yet</h1>\n"));
});

const host = process.env.HOST || "0.0.0.0";
const port = Number.parseInt(process.env.PORT || "8000", 10);
server.listen(port, host, () => {
  console.log(`listening on http://${host}:${port}`);
});
