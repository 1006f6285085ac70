// library-catalog starter: a server that starts and answers 404 to everything. Make it pass the brief.
"use strict";

const fs = require("node:fs");
const http = require("node:http");
const path = require("node:path");
const sqlite3 = require("sqlite3");

// Keep the database under this folder (it survives a restart of the app); "data" for local runs.
const dataDir = process.env.DATA_DIR || "data";
fs.mkdirSync(dataDir, { recursive: true });
const db = new sqlite3.Database(path.join(dataDir, "library.db"));

const SCHEMA = `
  PRAGMA foreign_keys = ON; -- SQLite enforces REFERENCES only when asked, once per connection
  CREATE TABLE IF NOT EXISTS authors (
    id   INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL
  );
`;
// TODO: a books table: title, isbn (UNIQUE), year, and author_id REFERENCES authors (id).

function sendJson(res, status, data) {
  const body = Buffer.from(JSON.stringify(data), "utf8");
  res.writeHead(status, {
    "Content-Type": "application/json",
    "Content-Length": body.length, // every response needs a correct Content-Length
  });
  res.end(body);
}

const server = http.createServer((req, res) => {
  // TODO: collect the body with req.on("data") and req.on("end"), then answer POST /authors,
  // GET and DELETE /authors/<id>, POST /books and GET /books?... as the brief says.
  req.resume(); // read (and here ignore) any request body
  req.on("end", () => sendJson(res, 404, { error: "not implemented yet" }));
});

db.exec(SCHEMA, (err) => {
  if (err) throw err;
  const host = process.env.HOST || "0.0.0.0";
  const port = Number.parseInt(process.env.PORT || "8000", 10);
  server.listen(port, host, () => console.log(`listening on http://${host}:${port}, storing in ${dataDir}`));
});
