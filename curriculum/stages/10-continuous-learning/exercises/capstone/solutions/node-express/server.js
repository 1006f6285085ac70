// Entry point: opens the database under $DATA_DIR, loads the token secret and listens on $PORT.
"use strict";

const crypto = require("node:crypto");
const fs = require("node:fs");
const path = require("node:path");
const { openDatabase } = require("./db");
const { createApp } = require("./app");

// The secret that signs tokens: $JWT_SECRET, or one generated at the first start and kept next to
// the database, so that tokens stay valid across restarts.
function loadSecret(dataDir) {
  if (process.env.JWT_SECRET) return process.env.JWT_SECRET;
  const file = path.join(dataDir, "jwt-secret");
  if (!fs.existsSync(file)) fs.writeFileSync(file, crypto.randomBytes(32).toString("hex"), { mode: 0o600 });
  return fs.readFileSync(file, "utf8");
}

async function main() {
  const dataDir = process.env.DATA_DIR || "data";
  fs.mkdirSync(dataDir, { recursive: true });
  const db = await openDatabase(path.join(dataDir, "movies.sqlite3"));
  const app = createApp(db, { jwtSecret: loadSecret(dataDir) });
  const host = process.env.HOST || "0.0.0.0";
  const port = Number.parseInt(process.env.PORT || "8000", 10);
  const server = app.listen(port, host, () => console.log(`listening on http://${host}:${port}`));
  process.on("SIGTERM", () => {
    server.close(() => db.close().then(() => process.exit(0)));
    server.closeIdleConnections(); // keep-alive connections would hold close() open
  });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
