import express from "express";
import { randomUUID } from "node:crypto";

const app = express();
app.use(express.json());

// posts by id; every answer is { data: ... } so the client always knows where to look
const posts = new Map();

const TEXT_FIELDS = ["title", "content", "category"];

function validatePost(body) {
  if (!body || typeof body !== "object" || Array.isArray(body)) {
    return "Request body must be a JSON object";
  }
  for (const name of TEXT_FIELDS) {
    if (body[name] === undefined) return `${name} is required`;
    if (typeof body[name] !== "string" || !body[name].trim()) return `${name} must be a non-empty string`;
  }
  if (!Array.isArray(body.tags) || body.tags.some((tag) => typeof tag !== "string")) {
    return "tags must be an array of strings";
  }
  return null;
}

function matches(post, term) {
  const needle = term.toLowerCase();
  return [post.title, post.content, post.category, ...post.tags].some((text) => text.toLowerCase().includes(needle));
}

app.get("/posts", (req, res) => {
  const term = typeof req.query.term === "string" ? req.query.term : "";
  const list = [...posts.values()].filter((post) => !term || matches(post, term));
  res.json({ data: list, count: list.length });
});

app.get("/posts/:id", (req, res) => {
  const post = posts.get(req.params.id);
  if (!post) return res.status(404).json({ message: "Post not found" });
  res.json({ data: post });
});

app.post("/posts", (req, res) => {
  const problem = validatePost(req.body);
  if (problem) return res.status(400).json({ message: problem });
  const { title, content, category, tags } = req.body;
  const now = new Date().toISOString();
  const post = { id: randomUUID(), title, content, category, tags, createdAt: now, updatedAt: now };
  posts.set(post.id, post);
  res.status(201).json({ data: post });
});

app.put("/posts/:id", (req, res) => {
  const post = posts.get(req.params.id);
  if (!post) return res.status(404).json({ message: "Post not found" });
  const problem = validatePost(req.body);
  if (problem) return res.status(400).json({ message: problem });
  const { title, content, category, tags } = req.body;
  Object.assign(post, { title, content, category, tags, updatedAt: new Date().toISOString() });
  res.json({ data: post });
});

app.delete("/posts/:id", (req, res) => {
  if (!posts.delete(req.params.id)) return res.status(404).json({ message: "Post not found" });
  res.sendStatus(204);
});

app.use((req, res) => {
  res.status(404).json({ message: `Cannot ${req.method} ${req.path}` });
});

// malformed JSON bodies come here from express.json()
// eslint-disable-next-line no-unused-vars
app.use((err, req, res, next) => {
  const status = err.status ?? 500;
  res.status(status).json({ message: status === 500 ? "Something went wrong" : err.message });
});

export default app;
