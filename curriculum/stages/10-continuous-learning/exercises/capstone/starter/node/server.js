// Capstone starter: an Express app with GET /health and a stub OpenAPI document. The rest of the
// design is yours.
"use strict";

const express = require("express");

const dataDir = process.env.DATA_DIR || "data"; // keep your database file in here

// TODO: describe your API (info.description) and document every route under "paths", with the
// 4xx answers each can give.
const openapi = {
  openapi: "3.0.3",
  info: { title: "My capstone", version: "0.1.0" },
  paths: {
    "/health": { get: { responses: { 200: { description: "The app runs" } } } },
  },
};

const app = express();
app.use(express.json()); // parses JSON bodies into req.body

app.get("/health", (req, res) => res.json({ status: "ok" }));
app.get("/openapi.json", (req, res) => res.json(openapi));

// TODO: design your resources and add their routes; store everything in SQLite (the sqlite3
// package, a file under dataDir); serve the manifest at GET /capstone.json; add an error handler
// that answers 400 for a malformed JSON body; write your README with its decision log.
void dataDir;

app.use((req, res) => res.status(404).json({ error: "not found" }));

const host = process.env.HOST || "0.0.0.0";
const port = Number.parseInt(process.env.PORT || "8000", 10);
app.listen(port, host, () => {
  console.log(`listening on http://${host}:${port}`);
});
