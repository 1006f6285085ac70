// Guestbook: a Lambda function behind API Gateway (REST API, proxy integration).
//
// runtime/shim.js calls handler(event, context) for every HTTP request; do not change runtime/.
// Run it with: PORT=8000 DATA_DIR=data node runtime/shim.js

const path = require("path");

// Initialisation: runs once per execution environment (at its cold start), not once per request.
// Put the slow, reusable set-up here, never the data: entries belong in $DATA_DIR/entries/<id>.json.
const ENTRIES = path.join(process.env.DATA_DIR || "data", "entries");

exports.handler = async (event, context) => {
  // event.httpMethod, event.resource ("/entries", "/entries/{id}" or "/{proxy+}"),
  // event.pathParameters, event.queryStringParameters (null without a query string) and
  // event.body (a string, or null) describe the request: see the README.
  // TODO: POST /entries, GET /entries (?limit=n), GET /entries/{id}, then 400, 404 and 405.
  return {
    statusCode: 501,
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ error: "not implemented yet" }), // the body is always a string
  };
};
