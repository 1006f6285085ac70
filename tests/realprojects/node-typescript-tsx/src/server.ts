import http, { IncomingMessage, ServerResponse } from "node:http";

const port: number = Number(process.env.PORT) || 8000;

type Json = Record<string, unknown>;

interface Route {
  allowed: string[];
}

const routes: Record<string, Route> = {
  "/": { allowed: ["GET"] },
  "/health": { allowed: ["GET"] },
  "/echo": { allowed: ["GET", "POST"] },
};

function sendJson(res: ServerResponse, status: number, data: Json, headers: Record<string, string> = {}): void {
  const body = JSON.stringify(data);
  res.writeHead(status, {
    "Content-Type": "application/json",
    "Content-Length": Buffer.byteLength(body),
    ...headers,
  });
  res.end(body);
}

function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, {
    "Content-Type": "text/plain; charset=utf-8",
    "Content-Length": Buffer.byteLength(text),
  });
  res.end(text);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const method = req.method ?? "GET";
  const url = new URL(req.url ?? "/", `http://${req.headers.host ?? "localhost"}`);
  const path = url.pathname;

  const route = routes[path];
  if (!route) {
    sendJson(res, 404, { error: "not found" });
    return;
  }
  if (!route.allowed.includes(method)) {
    sendJson(res, 405, { error: "method not allowed" }, { Allow: route.allowed.join(", ") });
    return;
  }

  if (path === "/") {
    sendText(res, 200, "Hello, Stagecraft!");
  } else if (path === "/health") {
    sendJson(res, 200, { status: "ok" });
  } else if (path === "/echo" && method === "GET") {
    const message = url.searchParams.get("message");
    if (!message) {
      sendJson(res, 400, { error: "message is required" });
      return;
    }
    sendJson(res, 200, { message });
  } else if (path === "/echo" && method === "POST") {
    const raw = await readBody(req);
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      sendJson(res, 400, { error: "body is not valid JSON" });
      return;
    }
    if (typeof parsed !== "object" || parsed === null || typeof (parsed as Json).message !== "string") {
      sendJson(res, 400, { error: 'expected {"message": "..."}' });
      return;
    }
    sendJson(res, 200, { message: (parsed as Json).message });
  }
}

const server = http.createServer((req, res) => {
  handle(req, res).catch((err: Error) => {
    console.error(err);
    sendJson(res, 500, { error: "internal error" });
  });
});

server.listen(port, "localhost", () => {
  console.log(`Server running at http://localhost:${port}/`);
});
