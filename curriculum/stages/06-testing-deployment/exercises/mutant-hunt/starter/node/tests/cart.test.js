"use strict";

const { test } = require("node:test");
const assert = require("node:assert/strict");

// The cart pricing API under test: TARGET_URL, set by the runner (or by you, locally).
const BASE = (process.env.TARGET_URL || "http://127.0.0.1:9000").replace(/\/$/, "");

test("POST /carts answers 201 with a string id", async () => {
  const res = await fetch(`${BASE}/carts`, { method: "POST" });
  assert.equal(res.status, 201);
  const body = await res.json();
  assert.equal(typeof body.id, "string");
});

// TODO: one test per rule of the brief. Each test should fail if that rule were broken: the
// discount and where it starts, how it is rounded, the total, the subtotal with quantities,
// removing items, which items are invalid (400), and what an unknown cart answers (404).
