// Guestbook: a Lambda function behind API Gateway (REST API, proxy integration).
//
// Each entry is one JSON file under $DATA_DIR/entries/, the function's "managed storage": it
// outlives any execution environment, while module globals live only as long as one.

const crypto = require("crypto");
const fs = require("fs/promises");
const { mkdirSync } = require("fs");
const path = require("path");

// Initialisation: runs once per execution environment (at its cold start), not once per request.
// Put the slow, reusable set-up here (clients, configuration, compiled patterns), never the data.
const ENTRIES = path.join(process.env.DATA_DIR || "data", "entries");
mkdirSync(ENTRIES, { recursive: true });
const ENTRY_ID = /^[A-Za-z0-9_-]{1,64}$/;

exports.handler = async (event, context) => {
  const { httpMethod: method, resource } = event;
  if (resource === "/entries") {
    if (method === "POST") return createEntry(event.body);
    if (method === "GET") return listEntries(event.queryStringParameters || {}); // null when there is no query
    return respond(405, { error: "method not allowed" }, { Allow: "GET, POST" });
  }
  if (resource === "/entries/{id}") {
    if (method === "GET") return getEntry(event.pathParameters.id);
    return respond(405, { error: "method not allowed" }, { Allow: "GET" });
  }
  return respond(404, { error: "not found" });
};

async function createEntry(body) {
  let data;
  try {
    data = JSON.parse(body ?? "");
  } catch {
    return respond(400, { error: "the body must be valid JSON" });
  }
  if (typeof data !== "object" || data === null || Array.isArray(data)) {
    return respond(400, { error: "the body must be a JSON object" });
  }
  for (const field of ["name", "message"]) {
    if (typeof data[field] !== "string" || !data[field].trim()) {
      return respond(400, { error: `"${field}" must be a non-empty string` });
    }
  }
  const entry = {
    id: crypto.randomUUID(),
    name: data.name,
    message: data.message,
    createdAt: new Date().toISOString(),
  };
  const file = path.join(ENTRIES, `${entry.id}.json`);
  await fs.writeFile(`${file}.tmp`, JSON.stringify(entry));
  await fs.rename(`${file}.tmp`, file); // atomic: a reader never sees half a file
  return respond(201, entry, { Location: `/entries/${entry.id}` });
}

async function listEntries(query) {
  const limit = query.limit;
  if (limit !== undefined && !(/^[0-9]+$/.test(limit) && Number(limit) > 0)) {
    return respond(400, { error: '"limit" must be a positive integer' });
  }
  const files = (await fs.readdir(ENTRIES)).filter((name) => name.endsWith(".json"));
  const entries = await Promise.all(files.map(async (name) => JSON.parse(await fs.readFile(path.join(ENTRIES, name), "utf8"))));
  entries.sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0));
  return respond(200, limit ? entries.slice(0, Number(limit)) : entries);
}

async function getEntry(id) {
  if (!ENTRY_ID.test(id)) return respond(404, { error: "entry not found" });
  try {
    return respond(200, JSON.parse(await fs.readFile(path.join(ENTRIES, `${id}.json`), "utf8")));
  } catch (err) {
    if (err.code === "ENOENT") return respond(404, { error: "entry not found" });
    throw err;
  }
}

// An API Gateway proxy result: the body is a string, so JSON is encoded here.
function respond(statusCode, data, headers = {}) {
  return {
    statusCode,
    headers: { "Content-Type": "application/json", ...headers },
    body: JSON.stringify(data),
  };
}
