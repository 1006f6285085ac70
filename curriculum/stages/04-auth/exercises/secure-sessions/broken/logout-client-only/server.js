// Reference solution for secure-sessions: Express with cookie-parser, the sqlite3 package for
// users and notes, bcryptjs for passwords, and the sessions in a Map on the server, each with its
// own CSRF token.
"use strict";

const crypto = require("node:crypto");
const fs = require("node:fs");
const path = require("node:path");
const bcrypt = require("bcryptjs");
const cookieParser = require("cookie-parser");
const express = require("express");
const sqlite3 = require("sqlite3");

const dataDir = process.env.DATA_DIR || "data";
const COOKIE = "sid";
const SESSION_LIFETIME_MS = 8 * 3600 * 1000;
const USERNAME = /^[A-Za-z0-9_.-]{3,32}$/;
const LOGIN_FAILED = "invalid username or password";
// Behind HTTPS, add secure: true. The sandbox speaks plain HTTP, so it is left out here.
const COOKIE_OPTIONS = { httpOnly: true, sameSite: "lax", path: "/" };

fs.mkdirSync(dataDir, { recursive: true });
const db = new sqlite3.Database(path.join(dataDir, "sessions.db"));

// Promise wrappers: run() resolves with { lastID }, get() with a row or undefined, all() with rows.
function run(sql, params = []) {
  return new Promise((resolve, reject) => {
    db.run(sql, params, function done(err) {
      if (err) reject(err);
      else resolve({ lastID: this.lastID });
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

// --- sessions, kept on the server: id -> { userId, username, csrfToken, expiresAt } --------------

const sessions = new Map();
const randomToken = () => crypto.randomBytes(32).toString("base64url");

// The request's unexpired session, else undefined.
function currentSession(req) {
  const sid = req.cookies[COOKIE];
  const session = sid ? sessions.get(sid) : undefined;
  if (session && session.expiresAt <= Date.now()) {
    sessions.delete(sid);
    return undefined;
  }
  return session;
}

// A new session with a fresh random id and CSRF token, stored and sent in the cookie.
function startSession(res, user = null) {
  const session = {
    id: randomToken(),
    userId: user ? user.id : null,
    username: user ? user.username : null,
    csrfToken: randomToken(),
    expiresAt: Date.now() + SESSION_LIFETIME_MS,
  };
  sessions.set(session.id, session);
  res.cookie(COOKIE, session.id, COOKIE_OPTIONS);
  return session;
}

function endSession(session) {
  if (session) sessions.delete(session.id);
}

function sameToken(sent, expected) {
  const a = Buffer.from(String(sent || ""));
  const b = Buffer.from(expected);
  return a.length === b.length && crypto.timingSafeEqual(a, b);
}

const isObject = (value) => typeof value === "object" && value !== null && !Array.isArray(value);
const fail = (res, status, error) => res.status(status).json({ error });

// Sets req.session to the logged-in session, else answers 401.
function requireLogin(req, res, next) {
  const session = currentSession(req);
  if (!session || session.userId === null) return fail(res, 401, "not logged in");
  req.session = session;
  return next();
}

// Express 4 does not catch rejected promises: pass them on to the error handler.
const wrap = (handler) => (req, res, next) => Promise.resolve(handler(req, res, next)).catch(next);

const app = express();
app.use(express.json({ strict: false }));
app.use(cookieParser());

app.post("/register", wrap(async (req, res) => {
  const { body } = req;
  if (!isObject(body)) return fail(res, 400, "the body must be a JSON object");
  if (typeof body.username !== "string" || !USERNAME.test(body.username)) {
    return fail(res, 400, '"username" must be 3 to 32 letters, digits, "_", "." or "-"');
  }
  if (typeof body.password !== "string" || body.password.length < 8) {
    return fail(res, 400, '"password" must be a string of at least 8 characters');
  }
  const hash = await bcrypt.hash(body.password, 10);
  try {
    await run("INSERT INTO users (username, password_hash) VALUES (?, ?)", [body.username, hash]);
  } catch (err) {
    if (err.code === "SQLITE_CONSTRAINT") return fail(res, 409, "this username is taken");
    throw err;
  }
  return res.status(201).json({ username: body.username });
}));

app.post("/login", wrap(async (req, res) => {
  const { body } = req;
  if (!isObject(body) || typeof body.username !== "string" || typeof body.password !== "string") {
    return fail(res, 400, 'the body must be a JSON object with "username" and "password"');
  }
  const user = await get("SELECT id, username, password_hash FROM users WHERE username = ?", [body.username]);
  if (!user || !(await bcrypt.compare(body.password, user.password_hash))) {
    return fail(res, 401, LOGIN_FAILED);
  }
  // Never promote the session the request came with: drop it and start a new one (session fixation).
  endSession(currentSession(req));
  startSession(res, user);
  return res.status(200).json({ username: user.username });
}));

app.get("/me", requireLogin, (req, res) => res.status(200).json({ username: req.session.username }));

app.post("/logout", (req, res) => {
  // BROKEN: only the browser's cookie is cleared; the session stays in the Map and its id still works.
  res.clearCookie(COOKIE, COOKIE_OPTIONS);
  return res.status(204).end();
});

app.get("/csrf", (req, res) => {
  const session = currentSession(req) || startSession(res);
  return res.status(200).json({ csrf_token: session.csrfToken });
});

app.post("/notes", requireLogin, wrap(async (req, res) => {
  if (!sameToken(req.get("x-csrf-token"), req.session.csrfToken)) {
    return fail(res, 403, "missing or wrong CSRF token");
  }
  const { body } = req;
  if (!isObject(body) || typeof body.text !== "string" || body.text.trim() === "") {
    return fail(res, 400, 'the body must be a JSON object with a non-empty "text"');
  }
  const { lastID } = await run("INSERT INTO notes (user_id, text) VALUES (?, ?)", [req.session.userId, body.text]);
  return res.status(201).json({ id: lastID, text: body.text });
}));

app.get("/notes", requireLogin, wrap(async (req, res) => {
  const notes = await all("SELECT id, text FROM notes WHERE user_id = ? ORDER BY id", [req.session.userId]);
  return res.status(200).json(notes);
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
    username TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL
  )`);
  db.run(`CREATE TABLE IF NOT EXISTS notes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL REFERENCES users(id),
    text TEXT NOT NULL
  )`, (err) => {
    if (err) throw err;
    const host = process.env.HOST || "0.0.0.0";
    const port = Number.parseInt(process.env.PORT || "8000", 10);
    app.listen(port, host, () => console.log(`listening on http://${host}:${port}`));
  });
});
