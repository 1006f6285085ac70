// The Express app: routes, validation and error handling. server.js opens the database and listens.
"use strict";

const bcrypt = require("bcryptjs");
const express = require("express");
const jwt = require("jsonwebtoken");
const { seatNames } = require("./db");
const openapi = require("./openapi");
const manifest = require("./capstone.json");

const SEATS = new Set(seatNames());
const MAX_SEATS_PER_RESERVATION = 8;
const TOKEN_LIFETIME = "24h";
const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
const DAY = /^\d{4}-\d{2}-\d{2}$/;

class HttpError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

// Express 4 does not catch a rejected promise: pass it on to the error handler.
const route = (handler) => (req, res, next) => handler(req, res, next).catch(next);

function isPositiveInteger(value) {
  return Number.isInteger(value) && value > 0;
}

function credentials(body) {
  const { email, password } = body ?? {};
  if (typeof email !== "string" || !EMAIL.test(email)) throw new HttpError(400, "email must be an e-mail address");
  if (typeof password !== "string" || password.length < 8) {
    throw new HttpError(400, "password must be a string of at least 8 characters");
  }
  return { email: email.toLowerCase(), password };
}

// The seats asked for: a list of seat names, or a quantity for the best seats still free.
function seatRequest(body) {
  const { showtime_id: showtimeId, seats, quantity } = body ?? {};
  if (!isPositiveInteger(showtimeId)) throw new HttpError(400, "showtime_id must be a positive integer");
  if ((seats === undefined) === (quantity === undefined)) throw new HttpError(400, "give either seats or quantity");
  if (quantity !== undefined) {
    if (!isPositiveInteger(quantity) || quantity > MAX_SEATS_PER_RESERVATION) {
      throw new HttpError(400, `quantity must be an integer from 1 to ${MAX_SEATS_PER_RESERVATION}`);
    }
    return { showtimeId, quantity };
  }
  const valid = Array.isArray(seats) && seats.length > 0 && seats.length <= MAX_SEATS_PER_RESERVATION;
  if (!valid || !seats.every((seat) => SEATS.has(seat)) || new Set(seats).size !== seats.length) {
    throw new HttpError(400, `seats must list 1 to ${MAX_SEATS_PER_RESERVATION} different seats, A1 to E8`);
  }
  return { showtimeId, seats };
}

function createApp(db, { jwtSecret }) {
  const app = express();
  app.use(express.json());

  async function issueToken(userId) {
    return { token: jwt.sign({}, jwtSecret, { subject: String(userId), expiresIn: TOKEN_LIFETIME }) };
  }

  const requireUser = route(async (req, res, next) => {
    const [scheme, token] = (req.get("authorization") ?? "").split(" ");
    try {
      if (scheme !== "Bearer" || !token) throw new Error("no Bearer token");
      req.userId = Number(jwt.verify(token, jwtSecret).sub);
    } catch {
      res.set("WWW-Authenticate", "Bearer");
      throw new HttpError(401, "a valid Bearer token is required");
    }
    next();
  });

  async function takenSeats(showtimeId) {
    const rows = await db.all("SELECT seat FROM reserved_seats WHERE showtime_id = ?", [showtimeId]);
    return new Set(rows.map((row) => row.seat));
  }

  async function findShowtime(showtimeId) {
    const showtime = await db.get(
      `SELECT s.id, s.starts_at, m.title AS movie_title, m.genre
       FROM showtimes s JOIN movies m ON m.id = s.movie_id WHERE s.id = ?`,
      [showtimeId],
    );
    if (!showtime) throw new HttpError(404, "showtime not found");
    return showtime;
  }

  // Another user's reservation is "not found" too: a 403 would confirm that the id exists.
  async function findReservation(userId, id) {
    const reservation = await db.get(
      `SELECT r.id, r.showtime_id, m.title AS movie_title, s.starts_at, r.created_at
       FROM reservations r JOIN showtimes s ON s.id = r.showtime_id JOIN movies m ON m.id = s.movie_id
       WHERE r.id = ? AND r.user_id = ?`,
      [id, userId],
    );
    if (!reservation) throw new HttpError(404, "reservation not found");
    const seats = await db.all("SELECT seat FROM reserved_seats WHERE reservation_id = ? ORDER BY seat", [id]);
    return { ...reservation, seats: seats.map((row) => row.seat) };
  }

  app.get("/health", (req, res) => res.json({ status: "ok" }));
  app.get("/openapi.json", (req, res) => res.json(openapi));
  app.get("/capstone.json", (req, res) => res.json(manifest));

  app.post(
    "/auth/signup",
    route(async (req, res) => {
      const { email, password } = credentials(req.body);
      const hash = await bcrypt.hash(password, 10);
      try {
        const { lastID } = await db.transaction(() =>
          db.run("INSERT INTO users (email, password_hash) VALUES (?, ?)", [email, hash]),
        );
        res.status(201).json(await issueToken(lastID));
      } catch (err) {
        if (err.code === "SQLITE_CONSTRAINT") throw new HttpError(409, "an account with this e-mail already exists");
        throw err;
      }
    }),
  );

  app.post(
    "/auth/login",
    route(async (req, res) => {
      const { email, password } = credentials(req.body);
      const user = await db.get("SELECT id, password_hash FROM users WHERE email = ?", [email]);
      if (!user || !(await bcrypt.compare(password, user.password_hash))) {
        throw new HttpError(401, "wrong e-mail or password");
      }
      res.json(await issueToken(user.id));
    }),
  );

  app.get(
    "/showtimes",
    route(async (req, res) => {
      const { date } = req.query;
      if (date !== undefined && (typeof date !== "string" || !DAY.test(date))) {
        throw new HttpError(400, "date must be a day such as 2024-05-01");
      }
      const rows = await db.all(
        `SELECT s.id, s.starts_at, m.title AS movie_title, m.genre,
                ? - (SELECT COUNT(*) FROM reserved_seats r WHERE r.showtime_id = s.id) AS seats_available
         FROM showtimes s JOIN movies m ON m.id = s.movie_id
         WHERE ? IS NULL OR substr(s.starts_at, 1, 10) = ?
         ORDER BY s.starts_at, s.id`,
        [SEATS.size, date ?? null, date ?? null],
      );
      res.json(rows);
    }),
  );

  app.get(
    "/showtimes/:id/seats",
    route(async (req, res) => {
      const showtime = await findShowtime(Number(req.params.id));
      const taken = await takenSeats(showtime.id);
      res.json({ ...showtime, seats: [...SEATS].map((seat) => ({ seat, available: !taken.has(seat) })) });
    }),
  );

  app.post(
    "/reservations",
    requireUser,
    route(async (req, res) => {
      const request = seatRequest(req.body);
      await findShowtime(request.showtimeId);
      const id = await db.transaction(async () => {
        const taken = await takenSeats(request.showtimeId);
        const seats = request.seats ?? [...SEATS].filter((seat) => !taken.has(seat)).slice(0, request.quantity);
        if (seats.length < (request.quantity ?? 0) || seats.some((seat) => taken.has(seat))) {
          throw new HttpError(409, "some of these seats are taken");
        }
        const { lastID } = await db.run(
          "INSERT INTO reservations (user_id, showtime_id, created_at) VALUES (?, ?, ?)",
          [req.userId, request.showtimeId, new Date().toISOString()],
        );
        for (const seat of seats) {
          await db.run("INSERT INTO reserved_seats (showtime_id, seat, reservation_id) VALUES (?, ?, ?)", [
            request.showtimeId,
            seat,
            lastID,
          ]);
        }
        return lastID;
      });
      res.status(201).json(await findReservation(req.userId, id));
    }),
  );

  app.get(
    "/reservations",
    requireUser,
    route(async (req, res) => {
      const rows = await db.all("SELECT id FROM reservations WHERE user_id = ? ORDER BY id", [req.userId]);
      res.json(await Promise.all(rows.map((row) => findReservation(req.userId, row.id))));
    }),
  );

  app.get(
    "/reservations/:id",
    requireUser,
    route(async (req, res) => res.json(await findReservation(req.userId, Number(req.params.id)))),
  );

  app.delete(
    "/reservations/:id",
    requireUser,
    route(async (req, res) => {
      const reservation = await findReservation(req.userId, Number(req.params.id));
      await db.transaction(() => db.run("DELETE FROM reservations WHERE id = ?", [reservation.id]));
      res.status(204).end();
    }),
  );

  app.use((req, res) => res.status(404).json({ error: "not found" }));

  // eslint-disable-next-line no-unused-vars -- Express recognises an error handler by its four parameters
  app.use((err, req, res, next) => {
    if (err instanceof HttpError) return res.status(err.status).json({ error: err.message });
    if (err.type === "entity.parse.failed") return res.status(400).json({ error: "the body is not valid JSON" });
    if (err.status >= 400 && err.status < 500) return res.status(err.status).json({ error: err.message });
    console.error(err);
    return res.status(500).json({ error: "internal server error" });
  });

  return app;
}

module.exports = { createApp };
