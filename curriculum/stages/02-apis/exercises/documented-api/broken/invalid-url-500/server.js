// documented-api reference solution: an Express app that serves its hand-written OpenAPI
// document (openapi.js) at GET /openapi.json and keeps the bookmarks in memory.
"use strict";

const { randomUUID } = require("crypto");
const express = require("express");
const openapi = require("./openapi");

const app = express();
app.use(express.json());

const bookmarks = new Map(); // id -> bookmark

function error(res, status, message) {
  res.status(status).json({ error: message });
}

function isHttpUrl(value) {
  if (typeof value !== "string") return false;
  // BROKEN: new URL() throws on "not a url"; uncaught, the error handler answers 500.
  const { protocol } = new URL(value);
  return protocol === "http:" || protocol === "https:";
}

// The checks of each field a body may hold: a message, or null when the value is fine.
const checks = {
  url: (value) => (isHttpUrl(value) ? null : '"url" must be an http or https URL'),
  title: (value) =>
    typeof value === "string" && value.length >= 1 && value.length <= 200
      ? null
      : '"title" must be a string of 1 to 200 characters',
  tags: (value) =>
    Array.isArray(value) && value.every((tag) => typeof tag === "string")
      ? null
      : '"tags" must be an array of strings',
};

// The known fields of a body, or { message } explaining what is wrong. `required` lists the
// fields that must be present; the others are checked only when sent.
function validate(body, required) {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    return { message: "the body must be a JSON object" };
  }
  const fields = {};
  for (const [name, check] of Object.entries(checks)) {
    if (body[name] === undefined) {
      if (required.includes(name)) return { message: `"${name}" is required` };
      continue;
    }
    const message = check(body[name]);
    if (message) return { message };
    fields[name] = body[name];
  }
  return { fields };
}

app.get("/openapi.json", (req, res) => res.json(openapi));

app.post("/bookmarks", (req, res) => {
  const { fields, message } = validate(req.body, ["url", "title"]);
  if (message) return error(res, 400, message);
  const bookmark = { id: randomUUID(), tags: [], ...fields, created_at: new Date().toISOString() };
  bookmarks.set(bookmark.id, bookmark);
  res.status(201).json(bookmark);
});

app.get("/bookmarks", (req, res) => {
  const { tag } = req.query;
  const all = [...bookmarks.values()];
  res.json(typeof tag === "string" ? all.filter((bookmark) => bookmark.tags.includes(tag)) : all);
});

app.get("/bookmarks/:id", (req, res) => {
  const bookmark = bookmarks.get(req.params.id);
  if (!bookmark) return error(res, 404, "bookmark not found");
  res.json(bookmark);
});

app.patch("/bookmarks/:id", (req, res) => {
  const bookmark = bookmarks.get(req.params.id);
  if (!bookmark) return error(res, 404, "bookmark not found");
  const { fields, message } = validate(req.body, []);
  if (message) return error(res, 400, message);
  Object.assign(bookmark, fields);
  res.json(bookmark);
});

app.delete("/bookmarks/:id", (req, res) => {
  if (!bookmarks.delete(req.params.id)) return error(res, 404, "bookmark not found");
  res.status(204).end();
});

app.use((req, res) => error(res, 404, "not found"));

// express.json() rejects a body that is not JSON with a 400 error: answer it as JSON too.
// (Express knows an error handler by its four parameters, so `next` stays although unused.)
// eslint-disable-next-line no-unused-vars
app.use((err, req, res, next) => {
  error(res, err.status || 500, err.expose ? err.message : "internal error");
});

const host = process.env.HOST || "0.0.0.0";
const port = Number.parseInt(process.env.PORT || "8000", 10);
app.listen(port, host, () => {
  console.log(`listening on http://${host}:${port}`);
});
