#!/usr/bin/env node
// caching-proxy --port <number> --origin <url>
// caching-proxy --clear-cache [--port <number>]
import axios from "axios";
import { parseArgs } from "node:util";
import { startServer, ADMIN_CLEAR_PATH } from "./server.js";

const { values } = parseArgs({
  options: {
    port: { type: "string", short: "p" },
    origin: { type: "string", short: "o" },
    "clear-cache": { type: "boolean", default: false },
  },
});

const port = Number(values.port ?? 3000);

if (values["clear-cache"]) {
  try {
    const res = await axios.post(`http://127.0.0.1:${port}${ADMIN_CLEAR_PATH}`);
    console.log(res.data.message);
  } catch (err) {
    console.error(`Could not reach a caching proxy on port ${port}: ${err.message}`);
    process.exit(1);
  }
} else {
  if (!values.origin) {
    console.error("Usage: caching-proxy --port <number> --origin <url>");
    process.exit(1);
  }
  startServer(port, values.origin);
}
