// todo-api starter: an Express app that starts and answers 404 to everything. Make it pass the
// brief.
"use strict";

const express = require("express");

const dataDir = process.env.DATA_DIR || "data"; // keep your database file in here

const app = express();
app.use(express.json()); // parses JSON bodies into req.body

// TODO: store users and todos in SQLite (the sqlite3 package, a file under dataDir), hash
// passwords with bcryptjs, issue tokens with jsonwebtoken, and add the routes of the brief:
// POST /register, POST /login, POST /todos, GET /todos, PUT /todos/:id and DELETE /todos/:id.
void dataDir;

app.use((req, res) => res.status(404).json({ error: "not found" }));

const host = process.env.HOST || "0.0.0.0";
const port = Number.parseInt(process.env.PORT || "8000", 10);
app.listen(port, host, () => {
  console.log(`listening on http://${host}:${port}`);
});
