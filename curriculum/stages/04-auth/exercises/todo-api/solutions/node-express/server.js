// Reference solution for todo-api: Express, the sqlite3 package, bcryptjs for passwords and
// jsonwebtoken for tokens.
"use strict";

const crypto = require("node:crypto");
const fs = require("node:fs");
const path = require("node:path");
const bcrypt = require("bcryptjs");
const express = require("express");
const jwt = require("jsonwebtoken");
const sqlite3 = require("sqlite3");

const dataDir = process.env.DATA_DIR || "data";
// Tokens are signed with a secret made at start-up: they stop working when the app restarts.
const SECRET = process.env.JWT_SECRET || crypto.randomBytes(32).toString("hex");
const EMAIL = /^[^@\s]+@[^@\s]+$/;
const MAX_LIMIT = 100;
const TODO_ERROR = 'the body must be a JSON object with a non-empty "title" and a string "description"';

fs.mkdirSync(dataDir, { recursive: true });
const db = new sqlite3.Database(path.join(dataDir, "todo.db"));

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

function all(sql, params = []) {
  return new Promise((resolve, reject) => {
    db.all(sql, params, (err, rows) => (err ? reject(err) : resolve(rows)));
  });
}

const isText = (value) => typeof value === "string" && value.trim() !== "";
const isObject = (value) => typeof value === "object" && value !== null && !Array.isArray(value);
const fail = (res, status, error) => res.status(status).json({ error });
const issueToken = (userId) => jwt.sign({ sub: String(userId) }, SECRET, { algorithm: "HS256", expiresIn: "24h" });

// (title, description) from a valid todo body, else null.
function todoFields(body) {
  if (!isObject(body) || !isText(body.title)) return null;
  const description = body.description === undefined ? "" : body.description;
  return typeof description === "string" ? [body.title, description] : null;
}

// Sets req.userId from a valid Bearer token, else answers 401.
async function authenticate(req, res, next) {
  const [scheme, token] = (req.get("authorization") || "").split(" ");
  let userId = null;
  if (scheme === "Bearer" && token) {
    try {
      userId = Number.parseInt(jwt.verify(token, SECRET, { algorithms: ["HS256"] }).sub, 10);
    } catch {
      userId = null;
    }
  }
  const user = Number.isInteger(userId) ? await get("SELECT id FROM users WHERE id = ?", [userId]) : undefined;
  if (!user) return fail(res, 401, "unauthorized");
  req.userId = user.id;
  return next();
}

// Answers 404 or 403 unless the todo in the path exists and belongs to the caller.
async function ownTodo(req, res, next) {
  const id = /^\d+$/.test(req.params.id) ? Number(req.params.id) : NaN;
  const todo = Number.isSafeInteger(id) ? await get("SELECT user_id FROM todos WHERE id = ?", [id]) : undefined;
  if (!todo) return fail(res, 404, "todo not found");
  if (todo.user_id !== req.userId) return fail(res, 403, "forbidden");
  req.todoId = id;
  return next();
}

// Express 4 does not catch rejected promises: pass them on to the error handler.
const wrap = (handler) => (req, res, next) => Promise.resolve(handler(req, res, next)).catch(next);

const app = express();
app.use(express.json({ strict: false }));

app.post("/register", wrap(async (req, res) => {
  const { body } = req;
  if (!isObject(body)) return fail(res, 400, "the body must be a JSON object");
  if (!isText(body.name)) return fail(res, 400, '"name" must be a non-empty string');
  if (typeof body.email !== "string" || !EMAIL.test(body.email)) return fail(res, 400, '"email" must be an e-mail address');
  if (typeof body.password !== "string" || body.password.length < 8) {
    return fail(res, 400, '"password" must be a string of at least 8 characters');
  }
  const hash = await bcrypt.hash(body.password, 10);
  try {
    const { lastID } = await run("INSERT INTO users (name, email, password_hash) VALUES (?, ?, ?)", [body.name, body.email, hash]);
    return res.status(201).json({ token: issueToken(lastID) });
  } catch (err) {
    if (err.code === "SQLITE_CONSTRAINT") return fail(res, 409, "this e-mail address is already registered");
    throw err;
  }
}));

app.post("/login", wrap(async (req, res) => {
  const { body } = req;
  if (!isObject(body) || typeof body.email !== "string" || typeof body.password !== "string") {
    return fail(res, 400, 'the body must be a JSON object with "email" and "password"');
  }
  const user = await get("SELECT id, password_hash FROM users WHERE email = ?", [body.email]);
  if (!user || !(await bcrypt.compare(body.password, user.password_hash))) {
    return fail(res, 401, "wrong e-mail or password");
  }
  return res.status(200).json({ token: issueToken(user.id) });
}));

app.post("/todos", wrap(authenticate), wrap(async (req, res) => {
  const fields = todoFields(req.body);
  if (!fields) return fail(res, 400, TODO_ERROR);
  const { lastID } = await run("INSERT INTO todos (user_id, title, description) VALUES (?, ?, ?)", [req.userId, ...fields]);
  return res.status(201).json({ id: lastID, title: fields[0], description: fields[1] });
}));

app.get("/todos", wrap(authenticate), wrap(async (req, res) => {
  const page = Number(req.query.page ?? "1");
  const limit = Number(req.query.limit ?? "10");
  if (!Number.isInteger(page) || page < 1 || !Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
    return fail(res, 400, `"page" must be a whole number from 1 and "limit" one from 1 to ${MAX_LIMIT}`);
  }
  const data = await all(
    "SELECT id, title, description FROM todos WHERE user_id = ? ORDER BY id LIMIT ? OFFSET ?",
    [req.userId, limit, (page - 1) * limit],
  );
  const { total } = await get("SELECT COUNT(*) AS total FROM todos WHERE user_id = ?", [req.userId]);
  return res.status(200).json({ data, page, limit, total });
}));

app.put("/todos/:id", wrap(authenticate), wrap(ownTodo), wrap(async (req, res) => {
  const fields = todoFields(req.body);
  if (!fields) return fail(res, 400, TODO_ERROR);
  await run("UPDATE todos SET title = ?, description = ? WHERE id = ?", [...fields, req.todoId]);
  return res.status(200).json({ id: req.todoId, title: fields[0], description: fields[1] });
}));

app.delete("/todos/:id", wrap(authenticate), wrap(ownTodo), wrap(async (req, res) => {
  await run("DELETE FROM todos WHERE id = ?", [req.todoId]);
  return res.status(204).end();
}));

app.use((req, res) => fail(res, 404, "not found"));

// Malformed JSON (express.json answers 400) and unexpected errors, as JSON instead of HTML.
app.use((err, req, res, next) => { // eslint-disable-line no-unused-vars
  const status = err.status || err.statusCode || 500;
  if (status >= 500) console.error(err);
  return fail(res, status, status >= 500 ? "internal server error" : "the body is not valid JSON");
});

db.serialize(() => {
  db.run(`CREATE TABLE IF NOT EXISTS users (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    email TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL
  )`);
  db.run(`CREATE TABLE IF NOT EXISTS todos (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL REFERENCES users(id),
    title TEXT NOT NULL,
    description TEXT NOT NULL
  )`, (err) => {
    if (err) throw err;
    const host = process.env.HOST || "0.0.0.0";
    const port = Number.parseInt(process.env.PORT || "8000", 10);
    app.listen(port, host, () => console.log(`listening on http://${host}:${port}`));
  });
});
