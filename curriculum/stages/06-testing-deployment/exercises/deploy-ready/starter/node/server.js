// deploy-ready starter: an Express app that starts and answers 404 to everything. Make it pass the
// brief.
"use strict";

const express = require("express");

const app = express();

// TODO: read APP_RELEASE, APP_GREETING and APP_SECRET from process.env.
// TODO: log one JSON line per request on stdout: a middleware that notes the start time and logs
//       in res.on("finish", ...). console.log(JSON.stringify({...})) writes one line.
// TODO: add the routes of the brief: GET /, /version, /healthz, /readyz, /work?ms=N and /admin/status.

app.use((req, res) => res.status(404).json({ error: "not found" }));

const host = process.env.HOST || "0.0.0.0";
const port = Number.parseInt(process.env.PORT || "8000", 10);
const server = app.listen(port, host, () => {
  // TODO: stdout is for JSON lines only: make this a JSON startup line with the release.
  console.log(`listening on http://${host}:${port}`);
});

// TODO: on SIGTERM, clear the ready flag, stop accepting connections with server.close(), let the
// requests in flight finish and exit with 0 (process.exit(0) in server.close's callback).
void server;
