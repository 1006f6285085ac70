// Reference solution for deploy-ready: Express, configured from the environment, with liveness and
// readiness probes, JSON access logs on stdout and a graceful shutdown on SIGTERM.
"use strict";

const crypto = require("node:crypto");
const { performance } = require("node:perf_hooks");
const express = require("express");

// Twelve-factor configuration: everything comes from the environment, and a missing variable stops
// the app at once instead of running with a made-up value.
function required(name) {
  const value = process.env[name];
  if (!value) {
    console.error(`missing environment variable ${name}`); // stderr: not a log line
    process.exit(1);
  }
  return value;
}

const PORT = Number.parseInt(process.env.PORT || "8000", 10);
const HOST = process.env.HOST || "0.0.0.0";
const RELEASE = required("APP_RELEASE");
const GREETING = required("APP_GREETING");
const SECRET = required("APP_SECRET"); // used, never logged

const started = performance.now();
let ready = false;
const inFlight = new Set(); // the responses not sent yet

// One JSON object per line on stdout, where the platform collects logs.
const log = (fields) => process.stdout.write(`${JSON.stringify(fields)}\n`);

// Compares the digests, so that timingSafeEqual gets buffers of one length and no timing leaks.
const digest = (text) => crypto.createHash("sha256").update(text).digest();
const sameSecret = (given, expected) => crypto.timingSafeEqual(digest(given), digest(expected));

const app = express();

app.use((req, res, next) => {
  const start = performance.now();
  const { method, path } = req;
  inFlight.add(res);
  if (!ready) res.set("Connection", "close");
  res.on("close", () => inFlight.delete(res));
  res.on("finish", () => {
    const durationMs = Math.round((performance.now() - start) * 10) / 10;
    log({ event: "request", method, path, status: res.statusCode, duration_ms: durationMs });
  });
  next();
});

app.get("/", (req, res) => res.json({ message: GREETING }));

app.get("/version", (req, res) => res.json({ release: RELEASE }));

app.get("/healthz", (req, res) => res.json({ status: "ok" }));

app.get("/readyz", (req, res) => {
  if (ready) return res.json({ status: "ready" });
  return res.status(503).json({ status: "shutting down" });
});

app.get("/work", (req, res) => {
  const { ms } = req.query;
  if (typeof ms !== "string" || !/^\d+$/.test(ms) || Number(ms) < 100 || Number(ms) > 5000) {
    return res.status(400).json({ error: '"ms" must be a whole number from 100 to 5000' });
  }
  // A slow request that does not block the others.
  return setTimeout(() => res.json({ slept_ms: Number(ms) }), Number(ms));
});

app.get("/admin/status", (req, res) => {
  if (!sameSecret(req.get("authorization") || "", `Bearer ${SECRET}`)) {
    return res.status(401).json({ error: "unauthorized" });
  }
  return res.json({ uptime_s: Math.round(performance.now() - started) / 1000 });
});

app.use((req, res) => res.status(404).json({ error: "not found" }));

const server = app.listen(PORT, HOST, () => {
  ready = true;
  log({ event: "startup", release: RELEASE, port: PORT }); // the configuration, without the secret
});

function shutdown(signal) {
  ready = false; // /readyz answers 503 from now on
  log({ event: "shutdown", signal, in_flight: inFlight.size });
  // Ask the clients of the requests still running to close their connection once answered.
  for (const res of inFlight) if (!res.headersSent) res.set("Connection", "close");
  // Stop accepting connections; the callback runs once every open connection has closed.
  server.close(() => process.exit(0));
  server.closeIdleConnections(); // idle keep-alive connections would keep server.close() waiting
  // A request that never ends must not keep the app alive: give up after 9 s.
  setTimeout(() => process.exit(1), 9000).unref();
}

process.once("SIGTERM", shutdown);
process.once("SIGINT", shutdown);
