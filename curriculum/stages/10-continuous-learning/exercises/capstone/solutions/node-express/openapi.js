// The OpenAPI document served at GET /openapi.json, written by hand: keep it next to the routes it describes.
"use strict";

const json = (schema, description) => ({ description, content: { "application/json": { schema } } });
const ref = (name) => ({ $ref: `#/components/schemas/${name}` });
const error = (description) => json(ref("Error"), description);

const BAD_REQUEST = error("The body or a parameter is invalid (malformed JSON included)");
const UNAUTHORIZED = error("No valid Bearer token");
const secured = [{ bearer: [] }];
const idParameter = (name) => ({ name: "id", in: "path", required: true, description: `The ${name}'s id`, schema: { type: "integer" } });

module.exports = {
  openapi: "3.0.3",
  info: {
    title: "Movie Reservation API",
    version: "1.0.0",
    description:
      "Browse a week of showtimes, reserve seats and cancel reservations. Sign up or log in for a Bearer token; " +
      "seats are reserved by name (A1 to E8) or as a quantity of the best seats still free, and no seat is ever sold twice.",
  },
  paths: {
    "/health": {
      get: { summary: "Liveness check", responses: { 200: json({ type: "object", properties: { status: { type: "string" } } }, "The app runs") } },
    },
    "/auth/signup": {
      post: {
        summary: "Create an account and get a token",
        requestBody: { required: true, content: { "application/json": { schema: ref("Credentials") } } },
        responses: {
          201: json(ref("Token"), "The account exists; the token is valid for 24 hours"),
          400: BAD_REQUEST,
          409: error("An account already has this e-mail"),
        },
      },
    },
    "/auth/login": {
      post: {
        summary: "Get a token for an existing account",
        requestBody: { required: true, content: { "application/json": { schema: ref("Credentials") } } },
        responses: { 200: json(ref("Token"), "A token valid for 24 hours"), 400: BAD_REQUEST, 401: error("Wrong e-mail or password") },
      },
    },
    "/showtimes": {
      get: {
        summary: "List showtimes with the number of free seats",
        parameters: [{ name: "date", in: "query", description: "Only this day (UTC)", schema: { type: "string", format: "date" } }],
        responses: { 200: json({ type: "array", items: ref("Showtime") }, "The showtimes, earliest first"), 400: BAD_REQUEST },
      },
    },
    "/showtimes/{id}/seats": {
      get: {
        summary: "The seat map of a showtime",
        parameters: [idParameter("showtime")],
        responses: { 200: json(ref("SeatMap"), "Every seat and whether it is free"), 404: error("No showtime has this id") },
      },
    },
    "/reservations": {
      get: {
        summary: "The caller's reservations",
        security: secured,
        responses: { 200: json({ type: "array", items: ref("Reservation") }, "Oldest first"), 401: UNAUTHORIZED },
      },
      post: {
        summary: "Reserve seats for a showtime",
        security: secured,
        requestBody: { required: true, content: { "application/json": { schema: ref("ReservationRequest") } } },
        responses: {
          201: json(ref("Reservation"), "The seats are yours"),
          400: BAD_REQUEST,
          401: UNAUTHORIZED,
          404: error("No showtime has this id"),
          409: error("A seat asked for is taken, or too few are free"),
        },
      },
    },
    "/reservations/{id}": {
      get: {
        summary: "One of the caller's reservations",
        security: secured,
        parameters: [idParameter("reservation")],
        responses: { 200: json(ref("Reservation"), "The reservation"), 401: UNAUTHORIZED, 404: error("The caller has no reservation with this id") },
      },
      delete: {
        summary: "Cancel a reservation and free its seats",
        security: secured,
        parameters: [idParameter("reservation")],
        responses: { 204: { description: "Cancelled" }, 401: UNAUTHORIZED, 404: error("The caller has no reservation with this id") },
      },
    },
  },
  components: {
    securitySchemes: { bearer: { type: "http", scheme: "bearer", bearerFormat: "JWT" } },
    schemas: {
      Error: { type: "object", required: ["error"], properties: { error: { type: "string" } } },
      Credentials: {
        type: "object",
        required: ["email", "password"],
        properties: { email: { type: "string", format: "email" }, password: { type: "string", minLength: 8 } },
      },
      Token: { type: "object", required: ["token"], properties: { token: { type: "string" } } },
      Showtime: {
        type: "object",
        properties: {
          id: { type: "integer" },
          starts_at: { type: "string", format: "date-time" },
          movie_title: { type: "string" },
          genre: { type: "string" },
          seats_available: { type: "integer" },
        },
      },
      SeatMap: {
        type: "object",
        properties: {
          id: { type: "integer" },
          starts_at: { type: "string", format: "date-time" },
          movie_title: { type: "string" },
          genre: { type: "string" },
          seats: {
            type: "array",
            items: { type: "object", properties: { seat: { type: "string" }, available: { type: "boolean" } } },
          },
        },
      },
      ReservationRequest: {
        type: "object",
        description: "Give either seats or quantity.",
        required: ["showtime_id"],
        properties: {
          showtime_id: { type: "integer" },
          seats: { type: "array", items: { type: "string", example: "C4" }, minItems: 1, maxItems: 8 },
          quantity: { type: "integer", minimum: 1, maximum: 8 },
        },
      },
      Reservation: {
        type: "object",
        properties: {
          id: { type: "integer" },
          showtime_id: { type: "integer" },
          movie_title: { type: "string" },
          starts_at: { type: "string", format: "date-time" },
          seats: { type: "array", items: { type: "string" } },
          created_at: { type: "string", format: "date-time" },
        },
      },
    },
  },
};
