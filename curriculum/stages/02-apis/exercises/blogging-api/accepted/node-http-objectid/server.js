// Blogging Platform API (roadmap.sh) on plain node:http, no framework.
// I wanted Mongo-like documents without running Mongo: ids are 24 hex characters like an
// ObjectId, kept under _id, and lists come newest first like .sort({ createdAt: -1 }).
const http = require("node:http");
const crypto = require("node:crypto");

const posts = []; // oldest first; reversed when listing

function objectId() {
  const seconds = Math.floor(Date.now() / 1000).toString(16).padStart(8, "0");
  return seconds + crypto.randomBytes(8).toString("hex");
}

function send(res, status, data) {
  if (data === undefined) {
    res.writeHead(status);
    return res.end();
  }
  const body = JSON.stringify(data);
  res.writeHead(status, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(body) });
  res.end(body);
}

function readJson(req) {
  return new Promise((resolve) => {
    let raw = "";
    req.on("data", (chunk) => (raw += chunk));
    req.on("end", () => {
      try {
        resolve({ ok: true, body: JSON.parse(raw) });
      } catch {
        resolve({ ok: false });
      }
    });
  });
}

function errorsIn(body) {
  if (body === null || typeof body !== "object" || Array.isArray(body)) return ["body must be an object"];
  const errors = [];
  for (const key of ["title", "content", "category"]) {
    if (typeof body[key] !== "string" || body[key].trim() === "") errors.push(`${key} is required and must be text`);
  }
  if (!Array.isArray(body.tags) || !body.tags.every((t) => typeof t === "string")) {
    errors.push("tags must be an array of strings");
  }
  return errors;
}

function search(term) {
  const t = term.toLowerCase();
  return posts.filter((p) => [p.title, p.content, p.category].some((v) => v.toLowerCase().includes(t)));
}

async function handle(req, res) {
  const url = new URL(req.url, "http://localhost");
  const parts = url.pathname.split("/").filter(Boolean);
  if (parts[0] !== "posts" || parts.length > 2) return send(res, 404, { error: "Route not found" });

  if (parts.length === 1) {
    if (req.method === "GET") {
      const term = url.searchParams.get("term");
      const found = term ? search(term) : posts;
      return send(res, 200, [...found].reverse());
    }
    if (req.method === "POST") {
      const { ok, body } = await readJson(req);
      if (!ok) return send(res, 400, { error: "Invalid JSON" });
      const errors = errorsIn(body);
      if (errors.length) return send(res, 400, { error: errors.join(", ") });
      const now = new Date().toISOString();
      const post = {
        _id: objectId(),
        title: body.title,
        content: body.content,
        category: body.category,
        tags: body.tags,
        createdAt: now,
        updatedAt: now,
        __v: 0,
      };
      posts.push(post);
      return send(res, 201, post);
    }
    return send(res, 405, { error: "Method not allowed" });
  }

  const id = parts[1];
  if (!/^[0-9a-f]{24}$/.test(id)) return send(res, 400, { error: `Invalid post id: ${id}` });
  const index = posts.findIndex((p) => p._id === id);

  if (req.method === "GET") {
    if (index === -1) return send(res, 404, { error: "Post not found" });
    return send(res, 200, posts[index]);
  }
  if (req.method === "PUT") {
    const { ok, body } = await readJson(req);
    if (index === -1) return send(res, 404, { error: "Post not found" });
    if (!ok) return send(res, 400, { error: "Invalid JSON" });
    const errors = errorsIn(body);
    if (errors.length) return send(res, 400, { error: errors.join(", ") });
    const post = posts[index];
    Object.assign(post, {
      title: body.title,
      content: body.content,
      category: body.category,
      tags: body.tags,
      updatedAt: new Date().toISOString(),
    });
    return send(res, 200, post);
  }
  if (req.method === "DELETE") {
    if (index === -1) return send(res, 404, { error: "Post not found" });
    posts.splice(index, 1);
    return send(res, 204);
  }
  return send(res, 405, { error: "Method not allowed" });
}

const port = process.env.PORT || 5000;
http
  .createServer((req, res) => {
    handle(req, res).catch((err) => {
      console.error(err);
      send(res, 500, { error: "Internal server error" });
    });
  })
  .listen(port, () => console.log(`listening on ${port}`));
