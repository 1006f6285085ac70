// blogging-api starter: an Express app that starts and answers 404 to everything. Make it pass
// the brief.
"use strict";

const express = require("express");

const app = express();
app.use(express.json()); // parses JSON bodies into req.body

// TODO: keep the posts in memory (a Map from id to post is enough) and add the routes of the
// brief: POST /posts, GET /posts (with ?term=), GET /posts/:id, PUT /posts/:id and
// DELETE /posts/:id.

app.use((req, res) => res.status(404).json({ error: "not found" }));

const host = process.env.HOST || "0.0.0.0";
const port = Number.parseInt(process.env.PORT || "8000", 10);
app.listen(port, host, () => {
  console.log(`listening on http://${host}:${port}`);
});
