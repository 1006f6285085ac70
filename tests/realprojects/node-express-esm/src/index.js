import express from "express";
import { validationResult } from "express-validator";
import { postRules } from "./validators.js";
import * as store from "./store.js";

const app = express();
app.use(express.json());

// the body has to be a json object, not an array or something else
function checkBody(req, res, next) {
  if (typeof req.body !== "object" || req.body === null || Array.isArray(req.body)) {
    return res.status(400).json({ error: "body must be a JSON object" });
  }
  next();
}

function checkErrors(req, res, next) {
  const errors = validationResult(req);
  if (!errors.isEmpty()) {
    return res.status(400).json({ error: errors.array()[0].msg });
  }
  next();
}

app.get("/posts", (req, res) => {
  let posts = store.getAll();
  const term = req.query.term;
  if (term) {
    const t = String(term).toLowerCase();
    posts = posts.filter(
      (p) =>
        p.title.toLowerCase().includes(t) ||
        p.content.toLowerCase().includes(t) ||
        p.category.toLowerCase().includes(t)
    );
  }
  posts = [...posts].sort((a, b) => a.id - b.id);
  res.json(posts);
});

app.get("/posts/:id", (req, res) => {
  const post = store.getById(Number(req.params.id));
  if (!post) {
    return res.status(404).json({ error: "post not found" });
  }
  res.json(post);
});

app.post("/posts", checkBody, postRules, checkErrors, (req, res) => {
  const post = store.create(req.body);
  res.status(201).json(post);
});

app.put("/posts/:id", (req, res, next) => {
  // check the id before the body
  const post = store.getById(Number(req.params.id));
  if (!post) {
    return res.status(404).json({ error: "post not found" });
  }
  next();
}, checkBody, postRules, checkErrors, (req, res) => {
  const post = store.update(Number(req.params.id), req.body);
  res.json(post);
});

app.delete("/posts/:id", (req, res) => {
  const id = Number(req.params.id);
  if (!store.getById(id)) {
    return res.status(404).json({ error: "post not found" });
  }
  store.remove(id);
  res.status(204).send();
});

// anything else
app.use((req, res) => {
  res.status(404).json({ error: "not found" });
});

// bad json ends up here
app.use((err, req, res, next) => {
  console.error(err.message);
  if (err.type === "entity.parse.failed") {
    return res.status(400).json({ error: "invalid JSON" });
  }
  res.status(err.status || 500).json({ error: err.message || "something went wrong" });
});

app.listen(3000, () => {
  console.log("Blog API running on http://localhost:3000");
});
