// Run with `npm test` (node --test): each test file gets a fresh database in a temporary folder.
"use strict";

const assert = require("node:assert/strict");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { after, before, test } = require("node:test");
const { openDatabase } = require("../db");
const { createApp } = require("../app");

let db;
let server;
let baseUrl;

before(async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "movies-"));
  db = await openDatabase(path.join(dir, "test.sqlite3"));
  server = createApp(db, { jwtSecret: "test-secret" }).listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  baseUrl = `http://127.0.0.1:${server.address().port}`;
});

after(async () => {
  server.close();
  await db.close();
});

async function call(method, url, { body, token, raw } = {}) {
  const headers = { "Content-Type": "application/json" };
  if (token) headers.Authorization = `Bearer ${token}`;
  const res = await fetch(baseUrl + url, { method, headers, body: raw ?? (body && JSON.stringify(body)) });
  return { status: res.status, body: res.status === 204 ? null : await res.json() };
}

let userCount = 0;
async function signUp() {
  userCount += 1;
  const res = await call("POST", "/auth/signup", { body: { email: `user${userCount}@example.com`, password: "popcorn-please" } });
  assert.equal(res.status, 201);
  return res.body.token;
}

test("signing up twice with one e-mail is a conflict", async () => {
  const body = { email: "twice@example.com", password: "popcorn-please" };
  assert.equal((await call("POST", "/auth/signup", { body })).status, 201);
  assert.equal((await call("POST", "/auth/signup", { body })).status, 409);
  assert.equal((await call("POST", "/auth/login", { body: { ...body, password: "wrong-password" } })).status, 401);
});

test("reservations need a valid token", async () => {
  assert.equal((await call("GET", "/reservations")).status, 401);
  assert.equal((await call("GET", "/reservations", { token: "not-a-token" })).status, 401);
});

test("a seat is never sold twice, even to concurrent requests", async () => {
  const [ada, alan] = await Promise.all([signUp(), signUp()]);
  const body = { showtime_id: 2, seats: ["C4", "C5"] };
  const results = await Promise.all([ada, alan].map((token) => call("POST", "/reservations", { body, token })));
  assert.deepEqual(results.map((r) => r.status).sort(), [201, 409]);
  const map = await call("GET", "/showtimes/2/seats");
  assert.deepEqual(map.body.seats.filter((s) => !s.available).map((s) => s.seat), ["C4", "C5"]);
});

test("a reservation can be read by its owner only, and cancelled", async () => {
  const [owner, other] = await Promise.all([signUp(), signUp()]);
  const created = await call("POST", "/reservations", { body: { showtime_id: 3, quantity: 2 }, token: owner });
  assert.equal(created.status, 201);
  assert.deepEqual(created.body.seats, ["A1", "A2"]);
  const url = `/reservations/${created.body.id}`;
  assert.deepEqual((await call("GET", url, { token: owner })).body, created.body);
  assert.equal((await call("GET", url, { token: other })).status, 404);
  assert.equal((await call("DELETE", url, { token: owner })).status, 204);
  assert.equal((await call("GET", url, { token: owner })).status, 404);
});

test("invalid bodies answer 400", async () => {
  const token = await signUp();
  assert.equal((await call("POST", "/reservations", { raw: '{"showtime_id": ', token })).status, 400);
  assert.equal((await call("POST", "/reservations", { body: { showtime_id: 1, seats: ["Z9"] }, token })).status, 400);
  assert.equal((await call("POST", "/reservations", { body: { showtime_id: 1 }, token })).status, 400);
});
