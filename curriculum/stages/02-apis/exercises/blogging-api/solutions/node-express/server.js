// blogging-api reference solution: an Express app keeping the posts in memory.
"use strict";

const express = require("express");

const app = express();
app.use(express.json());

const posts = new Map(); // id -> post; a Map keeps insertion order, which is id order
let nextId = 1;

function error(res, status, message) {
  res.status(status).json({ error: message });
}

// The post fields from a request body, or { message } explaining what is wrong.
function validate(data) {
  if (typeof data !== "object" || data === null || Array.isArray(data)) {
    return { message: "the body must be a JSON object" };
  }
  for (const field of ["title", "content", "category"]) {
    if (typeof data[field] !== "string" || data[field].trim() === "") {
      return { message: `"${field}" must be a non-empty string` };
    }
  }
  const { title, content, category, tags } = data;
  if (!Array.isArray(tags) || !tags.every((tag) => typeof tag === "string")) {
    return { message: '"tags" must be an array of strings' };
  }
  return { fields: { title, content, category, tags } };
}

// The post for the :id in the path, or undefined ("abc" or "1.5" are no post's id).
function findPost(req) {
  return /^\d+$/.test(req.params.id) ? posts.get(Number(req.params.id)) : undefined;
}

app.post("/posts", (req, res) => {
  const { fields, message } = validate(req.body);
  if (message) return error(res, 400, message);
  const stamp = new Date().toISOString();
  const post = { id: nextId++, ...fields, createdAt: stamp, updatedAt: stamp };
  posts.set(post.id, post);
  res.status(201).json(post);
});

app.get("/posts", (req, res) => {
  const term = typeof req.query.term === "string" ? req.query.term.toLowerCase() : "";
  const found = [...posts.values()].filter(
    (post) => !term || ["title", "content", "category"].some((field) => post[field].toLowerCase().includes(term)),
  );
  res.json(found);
});

app.get("/posts/:id", (req, res) => {
  const post = findPost(req);
  if (!post) return error(res, 404, "post not found");
  res.json(post);
});

app.put("/posts/:id", (req, res) => {
  const post = findPost(req);
  if (!post) return error(res, 404, "post not found");
  const { fields, message } = validate(req.body);
  if (message) return error(res, 400, message);
  Object.assign(post, fields, { updatedAt: new Date().toISOString() });
  res.json(post);
});

app.delete("/posts/:id", (req, res) => {
  const post = findPost(req);
  if (!post) return error(res, 404, "post not found");
  posts.delete(post.id);
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
