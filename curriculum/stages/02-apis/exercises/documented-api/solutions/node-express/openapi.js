// The OpenAPI 3 document of the bookmarks API, written by hand. Keep it next to the code it
// describes: every status code a route sends must be listed under that operation's "responses".
"use strict";

const json = (schema) => ({ "application/json": { schema } });
const ref = (name) => ({ $ref: `#/components/schemas/${name}` });

const notFound = { description: "No bookmark has this id", content: json(ref("Error")) };
const invalid = { description: "The body is not a valid bookmark", content: json(ref("Error")) };
const idParameter = {
  name: "id",
  in: "path",
  required: true,
  description: "The bookmark's id",
  schema: { type: "string" },
};

module.exports = {
  openapi: "3.1.0",
  info: {
    title: "Bookmarks API",
    version: "1.0.0",
    description: "Save links with a title and tags.",
  },
  paths: {
    "/bookmarks": {
      post: {
        summary: "Create a bookmark",
        requestBody: { required: true, content: json(ref("NewBookmark")) },
        responses: {
          201: { description: "The created bookmark", content: json(ref("Bookmark")) },
          400: invalid,
        },
      },
      get: {
        summary: "List bookmarks",
        parameters: [
          {
            name: "tag",
            in: "query",
            required: false,
            description: "Only the bookmarks that have this tag",
            schema: { type: "string" },
          },
        ],
        responses: {
          200: { description: "The bookmarks", content: json({ type: "array", items: ref("Bookmark") }) },
        },
      },
    },
    "/bookmarks/{id}": {
      parameters: [idParameter],
      get: {
        summary: "Read a bookmark",
        responses: {
          200: { description: "The bookmark", content: json(ref("Bookmark")) },
          404: notFound,
        },
      },
      patch: {
        summary: "Change some fields of a bookmark",
        requestBody: { required: true, content: json(ref("BookmarkChanges")) },
        responses: {
          200: { description: "The changed bookmark", content: json(ref("Bookmark")) },
          400: invalid,
          404: notFound,
        },
      },
      delete: {
        summary: "Delete a bookmark",
        responses: {
          204: { description: "Deleted" },
          404: notFound,
        },
      },
    },
  },
  components: {
    schemas: {
      Bookmark: {
        type: "object",
        properties: {
          id: { type: "string", format: "uuid" },
          url: { type: "string", format: "uri" },
          title: { type: "string", minLength: 1, maxLength: 200 },
          tags: { type: "array", items: { type: "string" } },
          created_at: { type: "string", format: "date-time" },
        },
        required: ["id", "url", "title", "tags", "created_at"],
      },
      NewBookmark: {
        type: "object",
        properties: {
          url: { type: "string", format: "uri", description: "An http or https URL" },
          title: { type: "string", minLength: 1, maxLength: 200 },
          tags: { type: "array", items: { type: "string" }, default: [] },
        },
        required: ["url", "title"],
      },
      BookmarkChanges: {
        type: "object",
        description: "Any of the fields of a new bookmark; the others are kept.",
        properties: {
          url: { type: "string", format: "uri", description: "An http or https URL" },
          title: { type: "string", minLength: 1, maxLength: 200 },
          tags: { type: "array", items: { type: "string" } },
        },
      },
      Error: {
        type: "object",
        properties: { error: { type: "string" } },
        required: ["error"],
      },
    },
  },
};
