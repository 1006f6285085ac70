import express from "express";
import axios from "axios";
import { cache } from "./cache.js";

export const ADMIN_CLEAR_PATH = "/__admin/clear-cache";

export function startServer(port, origin) {
  const app = express();
  const base = origin.replace(/\/+$/, "");

  app.post(ADMIN_CLEAR_PATH, (req, res) => {
    const count = cache.size;
    cache.clear();
    res.json({ message: `Cache cleared (${count} entries)` });
  });

  app.get(/.*/, async (req, res) => {
    const key = req.originalUrl;
    const hit = cache.get(key);
    if (hit) {
      res.set("X-Cache", "HIT");
      res.set("Content-Type", hit.contentType);
      return res.status(hit.status).send(hit.data);
    }
    try {
      const response = await axios.get(base + req.path, {
        params: req.query,
        validateStatus: () => true, // hand every status back to the client
      });
      const entry = {
        status: response.status,
        contentType: response.headers["content-type"],
        data: response.data,
      };
      if (response.status === 200) cache.set(key, entry);
      res.set("X-Cache", "MISS");
      res.set("Content-Type", entry.contentType);
      res.status(entry.status).send(entry.data);
    } catch (err) {
      res.status(502).set("X-Cache", "MISS").json({ error: `Origin unreachable: ${err.message}` });
    }
  });

  app.listen(port, () => {
    console.log(`Caching proxy listening on port ${port}, forwarding to ${base}`);
  });
}
