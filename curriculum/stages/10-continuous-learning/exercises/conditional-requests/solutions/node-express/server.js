// Reference solution for conditional-requests: a document store with ETags and preconditions, in
// Express. The rules come from RFC 9110 (HTTP Semantics): ETag 8.8.3, If-Match 13.1.1,
// If-None-Match 13.1.2, the order of evaluation 13.2.2, 304 15.4.5 and 412 15.5.13; and from
// RFC 6585 section 3 (428).
"use strict";

const crypto = require("node:crypto");
const express = require("express");

const NAME = /^[A-Za-z0-9._-]{1,100}$/;
// entity-tag = [ weak ] opaque-tag; weak = "W/"; opaque-tag = DQUOTE *etagc DQUOTE (RFC 9110 8.8.3).
// Matching skips whatever is not an entity-tag, so a malformed header simply matches nothing.
const ENTITY_TAG = /(W\/)?"([\x21\x23-\x7e\x80-\xff]*)"/g;
const MESSAGES = {
  404: "no such document\n",
  412: "precondition failed: the document is not in the state your request expects\n",
  428: "this document exists: send If-Match with its ETag to change it\n",
};

// name -> { content: Buffer, etag }. Handlers never await, so a check and the write that follows
// it run as one step: no other request can come in between.
const docs = new Map();

// A strong ETag derived from the bytes: the same content always gets the same tag.
const etagOf = (content) => `"${crypto.createHash("sha256").update(content).digest("hex").slice(0, 32)}"`;

// The { weak, tag } entries of an If-Match or If-None-Match list.
const entityTags = (value) => [...value.matchAll(ENTITY_TAG)].map(([, weak, opaque]) => ({ weak: Boolean(weak), tag: `"${opaque}"` }));

// 13.1.1: true for * when a current representation exists, else by strong comparison.
function ifMatchPasses(value, current) {
  if (current === undefined) return false;
  if (value.trim() === "*") return true;
  return entityTags(value).some(({ weak, tag }) => !weak && tag === current);
}

// 13.1.2: false for * when a representation exists, or when any tag matches by weak comparison.
function ifNoneMatchPasses(value, current) {
  if (current === undefined) return true;
  if (value.trim() === "*") return false;
  return entityTags(value).every(({ tag }) => tag !== current);
}

// 13.2.2: the status of the first precondition that fails (412 or 304), or undefined.
function failedPrecondition(req, current) {
  const ifMatch = req.get("If-Match");
  if (ifMatch !== undefined && !ifMatchPasses(ifMatch, current)) return 412;
  const ifNoneMatch = req.get("If-None-Match");
  if (ifNoneMatch !== undefined && !ifNoneMatchPasses(ifNoneMatch, current)) {
    return req.method === "GET" || req.method === "HEAD" ? 304 : 412;
  }
  return undefined;
}

const fail = (res, status) => res.status(status).type("text/plain; charset=utf-8").end(MESSAGES[status]);

const app = express();
app.set("etag", false); // no automatic weak ETags: we send our own strong one
app.set("x-powered-by", false);

// Express routes HEAD to GET handlers, and Node leaves the body out of HEAD, 204 and 304 answers.
// res.end rather than res.send: res.send would also turn a 200 into a 304 on its own (req.fresh),
// which would hide whether our rules work.
app.get("/docs/:name", (req, res) => {
  const doc = docs.get(req.params.name);
  if (!doc) return fail(res, 404);
  const status = failedPrecondition(req, doc.etag);
  res.set("ETag", doc.etag);
  if (status === 304) return res.status(304).end();
  if (status) return fail(res, status);
  return res.status(200).type("text/plain; charset=utf-8").end(doc.content);
});

app.put("/docs/:name", express.raw({ type: () => true, limit: "1mb" }), (req, res) => {
  const { name } = req.params;
  if (!NAME.test(name)) return fail(res, 404);
  const current = docs.get(name);
  const status = failedPrecondition(req, current?.etag)
    ?? (current && req.get("If-Match") === undefined ? 428 : undefined);
  if (status) return fail(res, status);
  const content = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
  const etag = etagOf(content);
  docs.set(name, { content, etag });
  return res.status(current ? 200 : 201).set("ETag", etag).end();
});

app.delete("/docs/:name", (req, res) => {
  const doc = docs.get(req.params.name);
  if (!doc) return fail(res, 404); // 13.2.1: preconditions are ignored when the answer would not be 2xx
  const status = failedPrecondition(req, doc.etag) ?? (req.get("If-Match") === undefined ? 428 : undefined);
  if (status) return fail(res, status);
  docs.delete(req.params.name);
  return res.status(204).end();
});

app.use((req, res) => fail(res, 404));

const host = process.env.HOST || "0.0.0.0";
const port = Number.parseInt(process.env.PORT || "8000", 10);
app.listen(port, host, () => console.log(`listening on http://${host}:${port}`));
