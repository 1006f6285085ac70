// SQLite storage: one connection, promise helpers, the schema and a small seeded catalogue.
"use strict";

const sqlite3 = require("sqlite3");

const SCHEMA = `
CREATE TABLE IF NOT EXISTS users (
  id            INTEGER PRIMARY KEY,
  email         TEXT NOT NULL UNIQUE,
  password_hash TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS movies (
  id    INTEGER PRIMARY KEY,
  title TEXT NOT NULL,
  genre TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS showtimes (
  id        INTEGER PRIMARY KEY,
  movie_id  INTEGER NOT NULL REFERENCES movies (id),
  starts_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS reservations (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  user_id     INTEGER NOT NULL REFERENCES users (id),
  showtime_id INTEGER NOT NULL REFERENCES showtimes (id),
  created_at  TEXT NOT NULL
);
-- One row per reserved seat: the primary key makes double booking impossible, whatever the code does.
CREATE TABLE IF NOT EXISTS reserved_seats (
  showtime_id    INTEGER NOT NULL REFERENCES showtimes (id),
  seat           TEXT NOT NULL,
  reservation_id INTEGER NOT NULL REFERENCES reservations (id) ON DELETE CASCADE,
  PRIMARY KEY (showtime_id, seat)
);
CREATE INDEX IF NOT EXISTS reservations_by_user ON reservations (user_id);
`;

const MOVIES = [
  ["The Grand Budapest Hotel", "comedy"],
  ["Arrival", "science fiction"],
  ["Spirited Away", "animation"],
];
const HOURS = [18, 21];
const DAYS = 7;
const ROWS = "ABCDE";
const SEATS_PER_ROW = 8;

// Every showtime has the same hall: rows A to E, seats 1 to 8.
function seatNames() {
  return [...ROWS].flatMap((row) => Array.from({ length: SEATS_PER_ROW }, (_, i) => `${row}${i + 1}`));
}

class Database {
  constructor(file) {
    this.conn = new sqlite3.Database(file);
    this.writes = Promise.resolve();
  }

  run(sql, params = []) {
    return new Promise((resolve, reject) => {
      this.conn.run(sql, params, function done(err) {
        if (err) reject(err);
        else resolve({ lastID: this.lastID, changes: this.changes });
      });
    });
  }

  get(sql, params = []) {
    return new Promise((resolve, reject) => {
      this.conn.get(sql, params, (err, row) => (err ? reject(err) : resolve(row)));
    });
  }

  all(sql, params = []) {
    return new Promise((resolve, reject) => {
      this.conn.all(sql, params, (err, rows) => (err ? reject(err) : resolve(rows)));
    });
  }

  // Runs `work` in a transaction. Writes are queued one after another: requests share the one
  // connection, so another request's statement would otherwise land inside this transaction.
  transaction(work) {
    const result = this.writes.then(async () => {
      await this.run("BEGIN IMMEDIATE");
      try {
        const value = await work();
        await this.run("COMMIT");
        return value;
      } catch (err) {
        await this.run("ROLLBACK");
        throw err;
      }
    });
    this.writes = result.catch(() => {});
    return result;
  }

  close() {
    return new Promise((resolve, reject) => this.conn.close((err) => (err ? reject(err) : resolve())));
  }
}

async function openDatabase(file) {
  const db = new Database(file);
  await db.run("PRAGMA foreign_keys = ON");
  await new Promise((resolve, reject) => db.conn.exec(SCHEMA, (err) => (err ? reject(err) : resolve())));
  await db.transaction(() => seed(db));
  return db;
}

// A catalogue to book from, created at the first start: each movie twice a day for a week.
async function seed(db) {
  if (await db.get("SELECT 1 FROM movies LIMIT 1")) return;
  const firstDay = new Date();
  firstDay.setUTCHours(0, 0, 0, 0);
  for (const [title, genre] of MOVIES) {
    await db.run("INSERT INTO movies (title, genre) VALUES (?, ?)", [title, genre]);
  }
  const movies = await db.all("SELECT id FROM movies ORDER BY id");
  for (let day = 1; day <= DAYS; day += 1) {
    for (const [i, hour] of HOURS.entries()) {
      const startsAt = new Date(firstDay.getTime() + (day * 24 + hour) * 3600 * 1000);
      const movie = movies[(day + i) % movies.length];
      await db.run("INSERT INTO showtimes (movie_id, starts_at) VALUES (?, ?)", [movie.id, startsAt.toISOString()]);
    }
  }
}

module.exports = { openDatabase, seatNames };
