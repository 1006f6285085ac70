import crypto from "node:crypto";
import express from "express";
import { get, run, setup } from "./db.js";

const app = express();
app.use(express.json());

const BASE62 = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

function newCode() {
  const bytes = crypto.randomBytes(6);
  return Array.from(bytes, (b) => BASE62[b % 62]).join("");
}

function isValidUrl(value) {
  if (typeof value !== "string" || value.length > 2048 || /\s/.test(value)) return false;
  try {
    const u = new URL(value);
    return (u.protocol === "http:" || u.protocol === "https:") && u.hostname !== "";
  } catch {
    return false;
  }
}

const toLink = (row) => ({
  id: row.id,
  url: row.url,
  shortCode: row.code,
  createdAt: row.created,
  updatedAt: row.updated,
});

const findLink = (code) => get("SELECT * FROM links WHERE code = ?", [code]);
const notFound = (res) => res.status(404).json({ message: "Short URL not found" });

app.post("/shorten", async (req, res, next) => {
  try {
    const { url } = req.body ?? {};
    if (!isValidUrl(url)) return res.status(400).json({ message: "A valid http(s) url is required" });
    const now = new Date().toISOString();
    const id = crypto.randomUUID();
    for (;;) {
      try {
        await run("INSERT INTO links (id, url, code, created, updated) VALUES (?, ?, ?, ?, ?)", [
          id,
          url,
          newCode(),
          now,
          now,
        ]);
        break;
      } catch (err) {
        if (err.code !== "SQLITE_CONSTRAINT") throw err;
      }
    }
    const row = await get("SELECT * FROM links WHERE id = ?", [id]);
    res.status(201).json({ data: toLink(row) });
  } catch (err) {
    next(err);
  }
});

app.get("/shorten/:code", async (req, res, next) => {
  try {
    const result = await run("UPDATE links SET visits = visits + 1 WHERE code = ?", [req.params.code]);
    if (result.changes === 0) return notFound(res);
    res.json({ data: toLink(await findLink(req.params.code)) });
  } catch (err) {
    next(err);
  }
});

app.put("/shorten/:code", async (req, res, next) => {
  try {
    if (!(await findLink(req.params.code))) return notFound(res);
    const { url } = req.body ?? {};
    if (!isValidUrl(url)) return res.status(400).json({ message: "A valid http(s) url is required" });
    await run("UPDATE links SET url = ?, updated = ? WHERE code = ?", [url, new Date().toISOString(), req.params.code]);
    res.json({ data: toLink(await findLink(req.params.code)) });
  } catch (err) {
    next(err);
  }
});

app.delete("/shorten/:code", async (req, res, next) => {
  try {
    const result = await run("DELETE FROM links WHERE code = ?", [req.params.code]);
    if (result.changes === 0) return notFound(res);
    res.status(204).end();
  } catch (err) {
    next(err);
  }
});

app.get("/shorten/:code/stats", async (req, res, next) => {
  try {
    const row = await findLink(req.params.code);
    if (!row) return notFound(res);
    res.json({ data: { ...toLink(row), accessCount: row.visits } });
  } catch (err) {
    next(err);
  }
});

app.use((req, res) => res.status(404).json({ message: "Not found" }));

// eslint-disable-next-line no-unused-vars
app.use((err, req, res, next) => {
  if (err.type === "entity.parse.failed") return res.status(400).json({ message: "Invalid JSON body" });
  console.error(err);
  res.status(500).json({ message: "Internal server error" });
});

const port = process.env.PORT || 3000;
setup().then(() => app.listen(port, () => console.log(`URL shortener on port ${port}`)));
