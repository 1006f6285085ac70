// documented-api starter: an Express app that serves an almost empty OpenAPI document and answers
// 404 to everything else. Make it pass the brief.
"use strict";

const express = require("express");
const openapi = require("./openapi");

const app = express();
app.use(express.json()); // parses JSON bodies into req.body

app.get("/openapi.json", (req, res) => res.json(openapi));

// TODO: keep the bookmarks in memory (a Map from id to bookmark) and add the routes of the brief:
// POST /bookmarks, GET /bookmarks (with ?tag=), GET, PATCH and DELETE /bookmarks/:id. Whatever
// status code a route sends must be listed in openapi.js.

app.use((req, res) => res.status(404).json({ error: "not found" }));

const host = process.env.HOST || "0.0.0.0";
const port = Number.parseInt(process.env.PORT || "8000", 10);
app.listen(port, host, () => {
  console.log(`listening on http://${host}:${port}`);
});
