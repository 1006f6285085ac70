// caching-proxy: forwards requests to an origin server and caches its 200 GET answers in memory.
//
//   node proxy.js --port 3000 --origin http://127.0.0.1:9000
//   node proxy.js --clear-cache --port 3000
"use strict";

const http = require("node:http");

const CLEAR_PATH = "/__cache/clear"; // answered by the proxy itself, for --clear-cache

const cache = new Map(); // "GET /path?query" -> { status, headers, body }

// Headers that describe one connection, not the answer; Content-Length is set for the body sent.
const NOT_PASSED_ON = new Set([
  "connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailer",
  "transfer-encoding", "upgrade", "content-length",
]);

// The origin's response headers the proxy sends on.
function passedOn(headers) {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !NOT_PASSED_ON.has(name)));
}

function parseArgs(argv) {
  const options = { port: null, origin: null, clearCache: false };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--port") options.port = Number.parseInt(argv[++i], 10);
    else if (argv[i] === "--origin") options.origin = argv[++i];
    else if (argv[i] === "--clear-cache") options.clearCache = true;
    else throw new Error(`unknown argument: ${argv[i]}`);
  }
  if (!Number.isInteger(options.port)) throw new Error("--port <number> is required");
  if (!options.clearCache && !options.origin) throw new Error("--origin <url> is required");
  return options;
}

function readBody(stream) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    stream.on("data", (chunk) => chunks.push(chunk));
    stream.on("end", () => resolve(Buffer.concat(chunks)));
    stream.on("error", reject);
  });
}

// Ask the origin; resolves to { status, headers, body }, whatever the status.
function fetchFromOrigin(origin, method, target, body, contentType) {
  return new Promise((resolve, reject) => {
    const headers = { "Content-Length": body.length };
    if (contentType) headers["Content-Type"] = contentType;
    const options = { host: origin.hostname, port: origin.port, path: target, method, headers, timeout: 10000 };
    const request = http.request(options, (response) => {
      readBody(response).then(
        (data) => resolve({ status: response.statusCode, headers: passedOn(response.headers), body: data }),
        reject,
      );
    });
    request.on("timeout", () => request.destroy(new Error("the origin did not answer in time")));
    request.on("error", reject);
    request.end(body);
  });
}

function reply(res, { status, headers, body }, xCache) {
  res.writeHead(status, { ...headers, "content-length": body.length, "x-cache": xCache });
  res.end(body);
}

function textAnswer(status, text) {
  return { status, headers: { "content-type": "text/plain; charset=utf-8" }, body: Buffer.from(text) };
}

async function handle(origin, req, res) {
  const body = await readBody(req);
  if (req.method === "POST" && req.url === CLEAR_PATH) {
    const count = cache.size;
    cache.clear();
    reply(res, textAnswer(200, `cleared ${count} entries\n`), "MISS");
    return;
  }
  const key = `${req.method} ${req.url}`;
  if (cache.has(key)) {
    reply(res, cache.get(key), "HIT");
    return;
  }
  let answer;
  try {
    answer = await fetchFromOrigin(origin, req.method, req.url, body, req.headers["content-type"]);
  } catch (error) {
    answer = textAnswer(502, `origin unreachable: ${error.message}\n`);
  }
  if (req.method === "GET" && answer.status === 200) cache.set(key, answer);
  reply(res, answer, "MISS");
}

function clearRemoteCache(port) {
  const request = http.request({ host: "127.0.0.1", port, path: CLEAR_PATH, method: "POST" }, (response) => {
    readBody(response).then((data) => console.log(data.toString().trim()));
  });
  request.on("error", (error) => {
    console.error(`could not reach the proxy on port ${port}: ${error.message}`);
    process.exitCode = 1;
  });
  request.end();
}

function main() {
  let options;
  try {
    options = parseArgs(process.argv.slice(2));
  } catch (error) {
    console.error(`caching-proxy: ${error.message}`);
    console.error("usage: node proxy.js --port <number> --origin <url> | --clear-cache --port <number>");
    process.exit(2);
  }
  if (options.clearCache) {
    clearRemoteCache(options.port);
    return;
  }
  const origin = new URL(options.origin);
  const server = http.createServer((req, res) => {
    handle(origin, req, res).catch((error) => {
      console.error(error);
      res.destroy();
    });
  });
  server.listen(options.port, "0.0.0.0", () => {
    console.log(`caching proxy on port ${options.port}, forwarding to ${origin.origin}`);
  });
}

main();
