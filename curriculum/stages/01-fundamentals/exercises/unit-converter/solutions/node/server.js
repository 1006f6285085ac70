// Reference solution for unit-converter: server-rendered HTML on Node's standard library only.
"use strict";

const http = require("node:http");

const MAX_BODY = 64 * 1024;

// Each unit's size in its category's base unit: millimetres for length, grams for weight.
const LENGTH = { mm: 1, cm: 10, m: 1000, km: 1e6, in: 25.4, ft: 304.8, yd: 914.4, mi: 1609344 };
const WEIGHT = { mg: 0.001, g: 1, kg: 1000, oz: 28.349523125, lb: 453.59237 };
const TO_CELSIUS = { C: (v) => v, F: (v) => ((v - 32) * 5) / 9, K: (v) => v - 273.15 };
const FROM_CELSIUS = { C: (c) => c, F: (c) => (c * 9) / 5 + 32, K: (c) => c + 273.15 };

const CONVERTERS = {
  "/length": { title: "Length", units: Object.keys(LENGTH) },
  "/weight": { title: "Weight", units: Object.keys(WEIGHT) },
  "/temperature": { title: "Temperature", units: Object.keys(TO_CELSIUS) },
};
const NUMBER = /^\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*$/;

// Every piece of user input goes through this before it is written into a page.
function escapeHtml(text) {
  return String(text)
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}

function convert(path, value, from, to) {
  if (path === "/length") return (value * LENGTH[from]) / LENGTH[to];
  if (path === "/weight") return (value * WEIGHT[from]) / WEIGHT[to];
  return FROM_CELSIUS[to](TO_CELSIUS[from](value));
}

function layout(title, content) {
  const nav = Object.entries(CONVERTERS)
    .map(([path, c]) => `<a href="${path}">${c.title}</a>`)
    .join("\n    ");
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>${title}</title>
</head>
<body>
  <nav>
    <a href="/">Home</a>
    ${nav}
  </nav>
${content}
</body>
</html>
`;
}

function indexPage() {
  const items = Object.entries(CONVERTERS)
    .map(([path, c]) => `    <li><a href="${path}">${c.title}</a></li>`)
    .join("\n");
  return layout("Unit Converter", `  <h1>Unit Converter</h1>\n  <ul>\n${items}\n  </ul>`);
}

function converterPage(path, form = {}, { error = null, result = null } = {}) {
  const page = CONVERTERS[path];
  const select = (name, label) => {
    const options = page.units
      .map((u) => `<option value="${u}"${form[name] === u ? " selected" : ""}>${u}</option>`)
      .join("");
    return `    <label>${label} <select name="${name}">${options}</select></label>`;
  };
  const lines = [
    `  <h1>${page.title}</h1>`,
    `  <form method="post" action="${path}">`,
    `    <label>Value <input name="value" value="${escapeHtml(form.value ?? "")}"></label>`,
    select("from", "From"),
    select("to", "To"),
    `    <button type="submit">Convert</button>`,
    `  </form>`,
  ];
  if (error !== null) lines.push(`  <p id="error">${escapeHtml(error)}</p>`);
  if (result !== null) lines.push(`  <p>Result: <strong id="result">${escapeHtml(result)}</strong></p>`);
  return layout(`${page.title} – Unit Converter`, lines.join("\n"));
}

function send(res, status, html, headers = {}) {
  const bytes = Buffer.from(html, "utf8");
  res.writeHead(status, {
    "Content-Type": "text/html; charset=utf-8",
    "Content-Length": bytes.length,
    ...headers,
  });
  res.end(bytes);
}

function handlePost(res, path, body) {
  const params = new URLSearchParams(body.toString("utf8"));
  const form = { value: params.get("value") ?? "", from: params.get("from") ?? "", to: params.get("to") ?? "" };
  const units = CONVERTERS[path].units;
  let error = null;
  if (!NUMBER.test(form.value)) {
    error = `"${form.value}" is not a number.`;
  } else {
    const bad = [form.from, form.to].find((u) => !units.includes(u));
    if (bad !== undefined) {
      error = `"${bad}" is not a ${path.slice(1)} unit; use one of ${units.join(", ")}.`;
    }
  }
  if (error !== null) {
    send(res, 400, converterPage(path, form, { error }));
    return;
  }
  const result = convert(path, Number(form.value), form.from, form.to);
  send(res, 200, converterPage(path, form, { result: `${result.toFixed(4)} ${form.to}` }));
}

function dispatch(req, res, body) {
  const path = req.url.split("?")[0];
  const known = path === "/" || Object.hasOwn(CONVERTERS, path);
  const allowed = path === "/" ? ["GET"] : ["GET", "POST"];
  if (!known) {
    send(res, 404, layout("Not found", "  <h1>Not found</h1>\n  <p>Try <a href=\"/\">the home page</a>.</p>"));
  } else if (!allowed.includes(req.method)) {
    send(res, 405, layout("Method not allowed", "  <h1>Method not allowed</h1>"), { Allow: allowed.join(", ") });
  } else if (path === "/") {
    send(res, 200, indexPage());
  } else if (req.method === "GET") {
    send(res, 200, converterPage(path));
  } else {
    handlePost(res, path, body);
  }
}

const server = http.createServer((req, res) => {
  const chunks = [];
  let size = 0;
  let tooLarge = false;
  req.on("data", (chunk) => {
    size += chunk.length;
    if (size > MAX_BODY) {
      tooLarge = true;
    } else {
      chunks.push(chunk);
    }
  });
  req.on("end", () => {
    if (tooLarge) {
      res.shouldKeepAlive = false; // the client may still be sending: start afresh
      send(res, 413, layout("Too large", "  <h1>Request body too large</h1>"));
    } else {
      dispatch(req, res, Buffer.concat(chunks));
    }
  });
});

const host = process.env.HOST || "0.0.0.0";
const port = Number.parseInt(process.env.PORT || "8000", 10);
server.listen(port, host, () => {
  console.log(`listening on http://${host}:${port}`);
});
