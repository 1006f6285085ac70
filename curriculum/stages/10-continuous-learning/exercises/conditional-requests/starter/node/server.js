// conditional-requests starter: an Express app that starts and answers 404 to everything. Make it
// pass the brief.
"use strict";

const express = require("express");

const app = express();
app.set("etag", false); // Express's automatic ETags are weak: send your own strong one instead

// TODO: keep the documents in a Map (name -> { content, etag }).
// TODO: app.get("/docs/:name", ...) (Express routes HEAD there too): 200 with the text and a
// strong, quoted ETag (a hash of the content, node:crypto); If-None-Match (weak comparison, a list
// or *) -> 304 with the ETag and no body. Answer with res.end(): res.send() turns a 200 into a 304
// by itself, which hides whether your own rules work.
// TODO: app.put("/docs/:name", express.raw({ type: () => true }), ...): req.body is then a Buffer.
// 201 for a new document, 200 for a replaced one. If-Match (strong comparison, a list or *) -> 412
// when false; If-None-Match: * -> 412 when the document exists; no If-Match on an existing
// document -> 428.
// TODO: app.delete("/docs/:name", ...): the same If-Match rules, then 204. Missing: 404.
// req.get("If-Match") is the header's value, or undefined when it was not sent.

app.use((req, res) => res.status(404).type("text/plain; charset=utf-8").end("not implemented yet\n"));

const host = process.env.HOST || "0.0.0.0";
const port = Number.parseInt(process.env.PORT || "8000", 10);
app.listen(port, host, () => console.log(`listening on http://${host}:${port}`));
