// secure-sessions starter: an Express app that starts and answers 404 to everything. Make it pass
// the brief.
"use strict";

const cookieParser = require("cookie-parser");
const express = require("express");

const dataDir = process.env.DATA_DIR || "data"; // keep your users (and maybe your sessions) in here

const app = express();
app.use(express.json()); // parses JSON bodies into req.body
app.use(cookieParser()); // parses the Cookie header into req.cookies

// TODO: store users and notes in SQLite (the sqlite3 package, a file under dataDir) and hash
// passwords with bcryptjs. Keep sessions on the server (a Map or a table): id -> user and CSRF
// token, with ids from crypto.randomBytes(32).toString("base64url"). Then add the routes of the
// brief: POST /register, POST /login, GET /me, POST /logout, GET /csrf, POST /notes and
// GET /notes. res.cookie("sid", id, { httpOnly: true, sameSite: "lax", path: "/" }) sets the
// session cookie; req.cookies.sid reads it.
void dataDir;

app.use((req, res) => res.status(404).json({ error: "not found" }));

const host = process.env.HOST || "0.0.0.0";
const port = Number.parseInt(process.env.PORT || "8000", 10);
app.listen(port, host, () => {
  console.log(`listening on http://${host}:${port}`);
});
