#!/usr/bin/env node
// Caching proxy with a Redis cache.
//
//   node proxy.js --port 3000 --origin http://dummyjson.com
//   node proxy.js --clear-cache
//
// Answers are stored in Redis under "proxy:<METHOD> <url>" for an hour, so every process that
// reaches the same Redis shares the cache: --clear-cache simply deletes the keys.
const http = require("node:http");
const https = require("node:https");
const { createClient } = require("redis");

const PREFIX = "proxy:";
const TTL_SECONDS = 3600;
const HOP_BY_HOP = ["connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade", "content-length"];

function parseArgs(argv) {
  const args = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--clear-cache") args.clearCache = true;
    else if (arg === "--port" || arg === "-p") args.port = Number(argv[++i]);
    else if (arg === "--origin" || arg === "-o") args.origin = argv[++i];
  }
  return args;
}

async function connectRedis() {
  const client = createClient({ url: process.env.REDIS_URL || "redis://127.0.0.1:6379" });
  client.on("error", (err) => console.error("redis:", err.message));
  await client.connect();
  return client;
}

async function clearCache() {
  const redis = await connectRedis();
  let removed = 0;
  for await (const key of redis.scanIterator({ MATCH: `${PREFIX}*`, COUNT: 100 })) {
    const keys = Array.isArray(key) ? key : [key]; // redis v5 yields batches, v4 single keys
    if (keys.length) removed += await redis.del(keys);
  }
  console.log(`Removed ${removed} cached responses`);
  await redis.quit();
}

function forward(origin, req, body) {
  const target = new URL(req.url, origin);
  const client = target.protocol === "https:" ? https : http;
  const headers = { ...req.headers, host: target.host };
  delete headers.connection;
  return new Promise((resolve, reject) => {
    const upstream = client.request(target, { method: req.method, headers }, (res) => {
      const chunks = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => {
        const kept = {};
        for (const [name, value] of Object.entries(res.headers)) {
          if (!HOP_BY_HOP.includes(name)) kept[name] = value;
        }
        resolve({ status: res.statusCode, headers: kept, body: Buffer.concat(chunks) });
      });
      res.on("error", reject);
    });
    upstream.on("error", reject);
    upstream.end(body);
  });
}

function send(res, answer, cacheStatus) {
  res.writeHead(answer.status, { ...answer.headers, "content-length": answer.body.length, "x-cache": cacheStatus });
  res.end(answer.body);
}

async function start(port, origin) {
  const redis = await connectRedis();
  const server = http.createServer(async (req, res) => {
    try {
      const chunks = [];
      for await (const chunk of req) chunks.push(chunk);
      const body = Buffer.concat(chunks);
      const key = `${PREFIX}${req.method} ${req.url}`;

      if (req.method === "GET") {
        const hit = await redis.get(key);
        if (hit) {
          const entry = JSON.parse(hit);
          return send(res, { ...entry, body: Buffer.from(entry.body, "base64") }, "HIT");
        }
      }

      const answer = await forward(origin, req, body);
      if (req.method === "GET" && answer.status === 200) {
        const entry = { ...answer, body: answer.body.toString("base64") };
        await redis.set(key, JSON.stringify(entry), { EX: TTL_SECONDS });
      }
      send(res, answer, "MISS");
    } catch (err) {
      console.error(err);
      send(res, { status: 502, headers: { "content-type": "text/plain" }, body: Buffer.from("Bad Gateway\n") }, "MISS");
    }
  });
  server.listen(port, () => console.log(`Caching proxy on port ${port} -> ${origin}`));
}

const args = parseArgs(process.argv.slice(2));
if (args.clearCache) {
  clearCache().catch((err) => {
    console.error(err.message);
    process.exit(1);
  });
} else if (!args.port || !args.origin) {
  console.error("Usage: caching-proxy --port <number> --origin <url> | caching-proxy --clear-cache");
  process.exit(1);
} else {
  start(args.port, args.origin);
}
