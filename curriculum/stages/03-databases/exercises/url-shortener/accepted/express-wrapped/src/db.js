import fs from "node:fs";
import path from "node:path";
import sqlite3 from "sqlite3";

const dir = process.env.DATA_DIR || "data";
fs.mkdirSync(dir, { recursive: true });

const db = new sqlite3.Database(path.join(dir, "shortener.sqlite"));

export function run(sql, params = []) {
  return new Promise((resolve, reject) => {
    db.run(sql, params, function (err) {
      if (err) reject(err);
      else resolve(this);
    });
  });
}

export function get(sql, params = []) {
  return new Promise((resolve, reject) => {
    db.get(sql, params, (err, row) => (err ? reject(err) : resolve(row)));
  });
}

export async function setup() {
  await run(`CREATE TABLE IF NOT EXISTS links (
    id TEXT PRIMARY KEY,
    url TEXT NOT NULL,
    code TEXT NOT NULL UNIQUE,
    created TEXT NOT NULL,
    updated TEXT NOT NULL,
    visits INTEGER NOT NULL DEFAULT 0
  )`);
}
