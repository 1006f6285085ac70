// caching-proxy starter: the command line is parsed and a server listens, but nothing is forwarded yet.
//
//   node proxy.js --port 3000 --origin http://127.0.0.1:9000
//   node proxy.js --clear-cache --port 3000
"use strict";

const http = require("node:http");

const cache = new Map(); // TODO: "GET /path?query" -> what the origin answered (status, Content-Type, body)

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

function reply(res, status, contentType, body, xCache) {
  res.writeHead(status, {
    "Content-Type": contentType,
    "Content-Length": body.length, // every response needs a correct Content-Length
    "X-Cache": xCache,
  });
  res.end(body);
}

function handle(origin, req, res) {
  // TODO: look `GET ${req.url}` up in the cache and answer from it with X-Cache: HIT.
  // Otherwise collect the body (req.on("data"), req.on("end")), send the same method, path
  // (req.url holds the query string too), body and Content-Type to the origin with http.request,
  // keep a GET answer with status 200 in the cache, and answer with X-Cache: MISS.
  req.resume(); // read (and here ignore) any request body
  req.on("end", () => reply(res, 501, "text/plain; charset=utf-8", Buffer.from("forwarding is not implemented yet\n"), "MISS"));
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
    // TODO (not graded): ask the proxy running on options.port to empty its cache.
    console.error("caching-proxy: --clear-cache is not implemented yet");
    process.exit(2);
  }
  const origin = new URL(options.origin); // origin.hostname, origin.port
  const server = http.createServer((req, res) => handle(origin, req, res));
  server.listen(options.port, "0.0.0.0", () => {
    console.log(`caching proxy on port ${options.port}, forwarding to ${origin.origin}`);
  });
}

main();
