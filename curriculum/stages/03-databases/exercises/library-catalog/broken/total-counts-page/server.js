// Reference solution for library-catalog: node:http and the sqlite3 package.
"use strict";

const fs = require("node:fs");
const http = require("node:http");
const path = require("node:path");
const sqlite3 = require("sqlite3");

const MAX_BODY = 64 * 1024;
const MAX_ID = Number.MAX_SAFE_INTEGER; // the largest integer a JavaScript number holds exactly
const ISBN = /^[0-9]{13}$/;
const DIGITS = /^[0-9]+$/;
const AUTHOR = /^\/authors\/([0-9]+)$/;

const SCHEMA = `
  PRAGMA foreign_keys = ON; -- SQLite enforces REFERENCES only when asked, once per connection
  CREATE TABLE IF NOT EXISTS authors (
    id   INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL
  );
  CREATE TABLE IF NOT EXISTS books (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    title     TEXT NOT NULL,
    isbn      TEXT NOT NULL UNIQUE,
    year      INTEGER NOT NULL,
    author_id INTEGER NOT NULL REFERENCES authors (id) ON DELETE RESTRICT
  );
  CREATE INDEX IF NOT EXISTS books_by_author ON books (author_id);
  CREATE INDEX IF NOT EXISTS books_by_title ON books (title, id);
`;

const dataDir = process.env.DATA_DIR || "data";
fs.mkdirSync(dataDir, { recursive: true });
const db = new sqlite3.Database(path.join(dataDir, "library.db"));

// Promise wrappers: run() resolves with { lastID, changes }, get() with a row or undefined, all() with rows.
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

function all(sql, params = []) {
  return new Promise((resolve, reject) => {
    db.all(sql, params, (err, rows) => (err ? reject(err) : resolve(rows)));
  });
}

// Something the client got wrong: answered with its status and a JSON error.
class HttpError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

function jsonObject(body) {
  let data;
  try {
    data = JSON.parse(body.toString("utf8"));
  } catch {
    throw new HttpError(400, "the body must be JSON");
  }
  if (data === null || typeof data !== "object" || Array.isArray(data)) {
    throw new HttpError(400, "the body must be a JSON object");
  }
  return data;
}

function text(data, field, maxLength) {
  const value = data[field];
  // [...value] counts characters, not UTF-16 code units
  if (typeof value !== "string" || value.trim() === "" || [...value].length > maxLength) {
    throw new HttpError(400, `"${field}" must be a string of 1 to ${maxLength} characters`);
  }
  return value;
}

function isInteger(value, low = -MAX_ID, high = MAX_ID) {
  return Number.isInteger(value) && low <= value && value <= high;
}

function queryInt(params, name, fallback, low = 0, high = MAX_ID) {
  const value = params.get(name);
  if (value === null) return fallback;
  if (!DIGITS.test(value) || Number(value) < low || Number(value) > high) {
    throw new HttpError(400, `${name} must be a whole number from ${low} to ${high}`);
  }
  return Number(value);
}

async function createAuthor(body) {
  const name = text(jsonObject(body), "name", 100);
  const { lastID } = await run("INSERT INTO authors (name) VALUES (?)", [name]);
  return [201, { id: lastID, name }];
}

async function getAuthor(id) {
  const author = await get(
    `SELECT authors.id, authors.name, COUNT(books.id) AS book_count
       FROM authors LEFT JOIN books ON books.author_id = authors.id
      WHERE authors.id = ?
      GROUP BY authors.id`,
    [id],
  );
  return author ? [200, author] : [404, { error: "author not found" }];
}

async function deleteAuthor(id) {
  try {
    const { changes } = await run("DELETE FROM authors WHERE id = ?", [id]);
    return changes === 0 ? [404, { error: "author not found" }] : [204, null];
  } catch (err) {
    // ON DELETE RESTRICT: the author still has books
    if (err.code === "SQLITE_CONSTRAINT") return [409, { error: "the author still has books: delete them first" }];
    throw err;
  }
}

async function createBook(body) {
  const data = jsonObject(body);
  const title = text(data, "title", 200);
  const { isbn, year, author_id: authorId } = data;
  if (typeof isbn !== "string" || !ISBN.test(isbn)) {
    throw new HttpError(400, '"isbn" must be a string of exactly 13 digits');
  }
  if (!isInteger(year, 1, 9999)) throw new HttpError(400, '"year" must be an integer from 1 to 9999');
  if (!Number.isInteger(authorId)) throw new HttpError(400, '"author_id" must be an integer');
  if (!(await get("SELECT id FROM authors WHERE id = ?", [authorId]))) {
    return [422, { error: `there is no author with id ${authorId}` }];
  }
  try {
    const { lastID } = await run("INSERT INTO books (title, isbn, year, author_id) VALUES (?, ?, ?, ?)", [
      title,
      isbn,
      year,
      authorId,
    ]);
    return [201, { id: lastID, title, isbn, year, author_id: authorId }];
  } catch (err) {
    // the UNIQUE constraint on isbn
    if (err.code === "SQLITE_CONSTRAINT") return [409, { error: `a book with ISBN ${isbn} already exists` }];
    throw err;
  }
}

async function listBooks(params) {
  const limit = queryInt(params, "limit", 20, 1, 100);
  const offset = queryInt(params, "offset", 0);
  // One WHERE clause from the filters present, each value a parameter.
  const where = [];
  const args = [];
  for (const [name, condition] of [
    ["author_id", "author_id = ?"],
    ["year_from", "year >= ?"],
    ["year_to", "year <= ?"],
  ]) {
    const value = queryInt(params, name, null);
    if (value !== null) {
      where.push(condition);
      args.push(value);
    }
  }
  const q = params.get("q");
  if (q) {
    // LIKE ignores the case of ASCII letters; escape its wildcards so they match themselves
    where.push("title LIKE ? ESCAPE '\\'");
    args.push(`%${q.replace(/[\\%_]/g, "\\$&")}%`);
  }
  const filter = where.length > 0 ? `WHERE ${where.join(" AND ")}` : "";
  const items = await all(
    `SELECT id, title, isbn, year, author_id FROM books ${filter} ORDER BY title, id LIMIT ? OFFSET ?`,
    [...args, limit, offset],
  );
  return [200, { items, total: items.length, limit, offset }]; // BROKEN: counts this page, not every match
}

function route(method, url, body) {
  const { pathname, searchParams } = new URL(url, "http://localhost");
  if (pathname === "/authors") {
    if (method === "POST") return createAuthor(body);
    throw new HttpError(405, "method not allowed");
  }
  if (pathname === "/books") {
    if (method === "GET") return listBooks(searchParams);
    if (method === "POST") return createBook(body);
    throw new HttpError(405, "method not allowed");
  }
  const match = AUTHOR.exec(pathname);
  if (match && Number(match[1]) <= MAX_ID) {
    if (method === "GET") return getAuthor(Number(match[1]));
    if (method === "DELETE") return deleteAuthor(Number(match[1]));
    throw new HttpError(405, "method not allowed");
  }
  throw new HttpError(404, "not found");
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
    Promise.resolve()
      .then(() => route(req.method, req.url, Buffer.concat(chunks)))
      .then(([status, data]) => send(res, status, data))
      .catch((err) => {
        if (err instanceof HttpError) {
          send(res, err.status, { error: err.message });
          return;
        }
        console.error(err);
        send(res, 500, { error: "internal error" });
      });
  });
});

db.exec(SCHEMA, (err) => {
  if (err) throw err;
  const host = process.env.HOST || "0.0.0.0";
  const port = Number.parseInt(process.env.PORT || "8000", 10);
  server.listen(port, host, () => console.log(`listening on http://${host}:${port}, storing in ${dataDir}`));
});
