// The OpenAPI 3 document of the bookmarks API, written by hand; server.js serves it at
// GET /openapi.json.
"use strict";

module.exports = {
  openapi: "3.1.0",
  info: { title: "Bookmarks API", version: "1.0.0" },
  // TODO: describe every operation under "paths": "/bookmarks" (post, get with a "tag" query
  // parameter) and "/bookmarks/{id}" (get, patch, delete). Give each its "requestBody" (post,
  // patch) and one entry in "responses" per status code the route can send, with a JSON schema.
  // Shared schemas go under components.schemas and are used with
  // { $ref: "#/components/schemas/Bookmark" }.
  paths: {},
  components: { schemas: {} },
};
