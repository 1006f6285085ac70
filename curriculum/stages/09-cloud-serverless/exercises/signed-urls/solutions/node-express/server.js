// Reference solution for signed-urls: an object store with pre-signed URLs, with Express and
// node:crypto.
"use strict";

const crypto = require("node:crypto");
const fs = require("node:fs");
const path = require("node:path");
const express = require("express");

// Secrets come from the environment, never from the code: a missing one stops the app at once.
for (const name of ["API_TOKEN", "SIGNING_SECRET"]) {
  if (!process.env[name]) throw new Error(`set the environment variable ${name}`);
}
const { API_TOKEN, SIGNING_SECRET } = process.env;
const objectsDir = path.join(process.env.DATA_DIR || "data", "objects");
const MAX_OBJECT = 1024 * 1024; // 1 MiB
const KEY = /^[A-Za-z0-9._/-]{1,200}$/;
const EXPIRES = /^[0-9]{1,12}$/;
const METHODS = ["PUT", "GET"];

fs.mkdirSync(objectsDir, { recursive: true });

// A key is 1-200 safe characters, does not start with "/" and has no ".." segment.
const validKey = (key) =>
  typeof key === "string" && KEY.test(key) && !key.startsWith("/") && !key.split("/").includes("..");

const sign = (method, key, expires) =>
  crypto.createHmac("sha256", SIGNING_SECRET).update(`${method}\n${key}\n${expires}`).digest("hex");

// timingSafeEqual takes the same time wherever the values differ, but needs equal lengths.
function safeEqual(given, expected) {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && crypto.timingSafeEqual(a, b);
}

// The file name is a hash of the key, so no key can ever name a path outside objectsDir.
const objectPath = (key) => path.join(objectsDir, crypto.createHash("sha256").update(key).digest("hex"));

const fail = (res, status, error) => res.status(status).json({ error });

function requireToken(req, res, next) {
  if (safeEqual(req.get("authorization") || "", `Bearer ${API_TOKEN}`)) next();
  else fail(res, 401, "send Authorization: Bearer <API_TOKEN>");
}

// Answers 403 unless the query's expires and signature authorise this method on this key now.
function requireSignature(req, res, next) {
  const key = req.params[0];
  const { expires, signature } = req.query;
  const ok =
    validKey(key) &&
    typeof expires === "string" &&
    typeof signature === "string" &&
    EXPIRES.test(expires) &&
    Number(expires) >= Date.now() / 1000 &&
    safeEqual(signature, sign(req.method, key, expires));
  if (ok) next();
  else fail(res, 403, "the URL's signature is invalid or has expired");
}

const app = express();

app.post("/presign", requireToken, express.json({ limit: "16kb" }), (req, res) => {
  const { method, key, expires_in: expiresIn } = req.body || {};
  if (!METHODS.includes(method)) return fail(res, 400, '"method" must be "PUT" or "GET"');
  if (!validKey(key)) return fail(res, 400, '"key" must be 1-200 of A-Za-z0-9._/- with no ".." segment');
  if (!Number.isInteger(expiresIn) || expiresIn < 1 || expiresIn > 3600) {
    return fail(res, 400, '"expires_in" must be an integer from 1 to 3600');
  }
  const expires = Math.floor(Date.now() / 1000) + expiresIn;
  res.json({ url: `/objects/${key}?expires=${expires}&signature=${sign(method, key, expires)}` });
});

// The body is read only once the signature is right; express.raw answers 413 above the limit.
app.put(/^\/objects\/(.+)$/, requireSignature, express.raw({ type: () => true, limit: MAX_OBJECT }), (req, res) => {
  const key = req.params[0];
  const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
  const contentType = req.get("content-type") || "application/octet-stream";
  // "<content type>\n<bytes>" in a temporary file, then renamed into place (atomic).
  const temporary = `${objectPath(key)}.${crypto.randomUUID()}.tmp`;
  fs.writeFileSync(temporary, Buffer.concat([Buffer.from(`${contentType}\n`, "latin1"), body]));
  fs.renameSync(temporary, objectPath(key));
  res.status(201).json({ key, size: body.length });
});

app.get(/^\/objects\/(.+)$/, requireSignature, (req, res) => {
  let data;
  try {
    data = fs.readFileSync(objectPath(req.params[0]));
  } catch (err) {
    if (err.code === "ENOENT") return fail(res, 404, "no such object");
    throw err;
  }
  const newline = data.indexOf(10);
  // setHeader, not res.set or res.type: those would add "; charset=utf-8" to text types.
  res.setHeader("Content-Type", data.subarray(0, newline).toString("latin1"));
  res.status(200).send(data.subarray(newline + 1));
});

app.use((req, res) => fail(res, 404, "not found"));

// Errors from the body parsers (invalid JSON: 400, too large: 413) and anything unexpected (500).
app.use((err, req, res, next) => {
  const status = err.status || 500;
  fail(res, status, status === 500 ? "internal error" : err.message);
});

const host = process.env.HOST || "0.0.0.0";
const port = Number.parseInt(process.env.PORT || "8000", 10);
app.listen(port, host, () => {
  console.log(`listening on http://${host}:${port}, storing objects in ${objectsDir}`);
});
