// Reference solution for url-shortener: node:http and the sqlite3 package.
"use strict";

const crypto = require("node:crypto");
const fs = require("node:fs");
const http = require("node:http");
const path = require("node:path");
const sqlite3 = require("sqlite3");

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const CODE_LENGTH = 6;
const MAX_BODY = 64 * 1024;
const MAX_URL = 2048;
const ROUTE = /^\/shorten\/([^/]+)(\/stats)?$/;
const NOT_FOUND = [404, { error: "short URL not found" }];
const BAD_URL = [400, { error: 'the body must be a JSON object with an http(s) "url"' }];

const dataDir = process.env.DATA_DIR || "data";
fs.mkdirSync(dataDir, { recursive: true });
const db = new sqlite3.Database(path.join(dataDir, "urls.db"));

// Promise wrappers: run() resolves with { lastID, changes }, get() with a row or undefined.
function run(sql, params = []) {
  return new Promise((resolve, reject) => {
    db.run(sql, params, function done(err) {
      if (err) reject(err);
      else resolve({ lastID: this.lastID, changes: this.changes });
    });
  });
}

function get(sql, params = []) {
  return new Promise((resolve, reject) => {
    db.get(sql, params, (err, row) => (err ? reject(err) : resolve(row)));
  });
}

function now() {
  return new Date().toISOString(); // e.g. 2026-01-31T12:00:00.000Z, always UTC
}

function randomCode() {
  let code = "";
  for (let i = 0; i < CODE_LENGTH; i += 1) code += ALPHABET[crypto.randomInt(ALPHABET.length)];
  return code;
}

function validUrl(value) {
  if (typeof value !== "string" || value.length === 0 || value.length > MAX_URL || /\s/.test(value)) {
    return false;
  }
  try {
    const url = new URL(value);
    return (url.protocol === "http:" || url.protocol === "https:") && url.hostname !== "";
  } catch {
    return false;
  }
}

function urlFrom(body) {
  let data = null;
  try {
    data = JSON.parse(body.toString("utf8"));
  } catch {
    return null;
  }
  const url = data !== null && typeof data === "object" && !Array.isArray(data) ? data.url : undefined;
  return validUrl(url) ? url : null;
}

function record(row, withCount = false) {
  const data = {
    id: row.id,
    url: row.url,
    shortCode: row.short_code,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
  if (withCount) data.accessCount = row.access_count;
  return data;
}

const byCode = (code) => get("SELECT * FROM urls WHERE short_code = ?", [code]);

async function create(body) {
  const url = urlFrom(body);
  if (url === null) return BAD_URL;
  const stamp = now();
  for (;;) {
    try {
      const { lastID } = await run(
        "INSERT INTO urls (url, short_code, created_at, updated_at) VALUES (?, ?, ?, ?)",
        [url, randomCode(), stamp, stamp],
      );
      return [201, record(await get("SELECT * FROM urls WHERE id = ?", [lastID]))];
    } catch (err) {
      if (err.code !== "SQLITE_CONSTRAINT") throw err; // a taken code: draw another
    }
  }
}

async function retrieve(code) {
  const { changes } = await run("UPDATE urls SET access_count = access_count + 1 WHERE short_code = ?", [code]);
  if (changes === 0) return NOT_FOUND;
  return [200, record(await byCode(code))];
}

async function stats(code) {
  const row = await byCode(code);
  return row ? [200, record(row, true)] : NOT_FOUND;
}

async function update(code, body) {
  if (!(await byCode(code))) return NOT_FOUND;
  const url = urlFrom(body);
  if (url === null) return BAD_URL;
  await run("UPDATE urls SET url = ?, updated_at = ? WHERE short_code = ?", [url, now(), code]);
  return [200, record(await byCode(code))];
}

async function remove(code) {
  const { changes } = await run("DELETE FROM urls WHERE short_code = ?", [code]);
  return changes === 0 ? NOT_FOUND : [204, null];
}

function route(method, pathname, body) {
  if (pathname === "/shorten" && method === "POST") return create(body);
  const match = ROUTE.exec(pathname);
  if (match && match[2] && method === "GET") return stats(match[1]);
  if (match && !match[2] && method === "GET") return retrieve(match[1]);
  if (match && !match[2] && method === "PUT") return update(match[1], body);
  if (match && !match[2] && method === "DELETE") return remove(match[1]);
  return Promise.resolve([404, { error: "not found" }]);
}

function send(res, status, data) {
  if (data === null) {
    res.writeHead(status);
    res.end();
    return;
  }
  const body = Buffer.from(JSON.stringify(data), "utf8");
  res.writeHead(status, { "Content-Type": "application/json", "Content-Length": body.length });
  res.end(body);
}

const server = http.createServer((req, res) => {
  const chunks = [];
  let size = 0;
  req.on("data", (chunk) => {
    size += chunk.length;
    if (size <= MAX_BODY) chunks.push(chunk);
  });
  req.on("end", () => {
    if (size > MAX_BODY) {
      res.shouldKeepAlive = false; // the client may still be sending: start afresh
      send(res, 413, { error: "body too large" });
      return;
    }
    const pathname = req.url.split("?")[0];
    route(req.method, pathname, Buffer.concat(chunks))
      .then(([status, data]) => send(res, status, data))
      .catch((err) => {
        console.error(err);
        send(res, 500, { error: "internal error" });
      });
  });
});

db.run(
  `CREATE TABLE IF NOT EXISTS urls (
     id           INTEGER PRIMARY KEY AUTOINCREMENT,
     url          TEXT NOT NULL,
     short_code   TEXT NOT NULL UNIQUE,
     created_at   TEXT NOT NULL,
     updated_at   TEXT NOT NULL,
     access_count INTEGER NOT NULL DEFAULT 0
   )`,
  (err) => {
    if (err) throw err;
    const host = process.env.HOST || "0.0.0.0";
    const port = Number.parseInt(process.env.PORT || "8000", 10);
    server.listen(port, host, () => console.log(`listening on http://${host}:${port}, storing in ${dataDir}`));
  },
);
