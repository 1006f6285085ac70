// A tiny AWS Lambda runtime with API Gateway (REST API, proxy integration) in front of it.
//
// Do not change this file: it plays the part of the cloud platform, and the grader relies on it.
//
// 1. An HTTP server on $PORT turns each request into an API Gateway proxy event (payload 1.0).
// 2. The function runs in an *execution environment*: a child process that loads handler.js the
//    first time it is needed (the cold start) and then stays warm for the next requests.
// 3. There it calls handler(event, context), allowing FUNCTION_TIMEOUT_MS milliseconds per call.
// 4. The object the handler returns becomes the HTTP response; a crash, a timeout or a result that
//    does not follow the contract becomes a 502 or 504 with {"errorType", "errorMessage"}.
//
// A request with the header "X-Recycle: 1" throws the environment away first, as Lambda does with
// an idle one: that request is a cold start in a new process, with fresh module globals.
// Every invoked response carries "X-Cold-Start: true" or "X-Cold-Start: false".

const { fork } = require("child_process");
const crypto = require("crypto");
const http = require("http");
const path = require("path");

const PROJECT = path.resolve(__dirname, ".."); // the folder that holds handler.js
const HANDLER = "handler.handler"; // module.function, like the "Handler" setting of a Lambda function
const FUNCTION_NAME = "guestbook";
const MEMORY_MB = 128;
const TIMEOUT_MS = Number(process.env.FUNCTION_TIMEOUT_MS || "3000");
const INIT_TIMEOUT_MS = 10000; // loading the handler (the init phase) has its own limit, as on Lambda
// The API's resources, most specific first. Every method (ANY) of each one invokes the function.
const RESOURCES = ["/entries", "/entries/{id}", "/{proxy+}"];

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const HEADER_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;
const NO_RESOURCE = '{"message": "Missing Authentication Token"}'; // API Gateway's answer to an unknown path
const BASE64 = /^([A-Za-z0-9+/]{4})*([A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

// --- Inside the execution environment (the child process) ------------------------------------

function runEnvironment() {
  const [moduleName, functionName] = HANDLER.split(".");
  let fn;
  try {
    fn = require(path.join(PROJECT, moduleName))[functionName];
  } catch (err) {
    console.error(err);
    process.send(error("Runtime.ImportModuleError", `Unable to import module '${moduleName}': ${err.message}`));
    return;
  }
  if (typeof fn !== "function") {
    process.send(error("Runtime.HandlerNotFound", `${HANDLER} is undefined or not a function`));
    return;
  }
  process.send({ ready: true });
  process.on("message", async ({ event, requestId }) => {
    const deadline = Date.now() + TIMEOUT_MS;
    const context = {
      awsRequestId: requestId,
      functionName: FUNCTION_NAME,
      memoryLimitInMB: String(MEMORY_MB),
      getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    };
    let result;
    try {
      result = await fn(event, context);
    } catch (err) {
      console.error(err); // the stack trace goes to the log, as in CloudWatch
      const isError = err instanceof Error;
      process.send(error(isError ? err.name : "Error", isError ? err.message : String(err)));
      return;
    }
    try {
      process.send({ result: JSON.stringify(result) ?? "null" }); // results travel as JSON, as on Lambda
    } catch (err) {
      process.send(error("Runtime.MarshalError", `Unable to marshal response: ${err.message}`));
    }
  });
}

// --- The platform (the parent process) --------------------------------------------------------

function error(errorType, errorMessage) {
  return { errorType, errorMessage };
}

// An execution environment: a new Node.js process running runEnvironment().
class Environment {
  constructor() {
    this.child = fork(__filename, ["--environment"]); // a new process: nothing is inherited
    this.broken = false;
  }

  // The environment's next message. A timeout or an exit breaks the environment.
  receive(timeoutMs, phase) {
    return new Promise((resolve) => {
      const done = (reply, broken) => {
        clearTimeout(timer);
        this.child.off("message", onMessage).off("exit", onExit);
        this.broken = this.broken || broken;
        resolve(reply);
      };
      const onMessage = (message) => done(message, false);
      const onExit = () => done(error("Runtime.ExitError", "the execution environment exited during the invocation"), true);
      const timer = setTimeout(
        () => done(error("TimeoutError", `${phase} timed out after ${(timeoutMs / 1000).toFixed(2)} seconds`), true),
        timeoutMs,
      );
      this.child.on("message", onMessage).on("exit", onExit);
    });
  }

  stop() {
    this.child.kill("SIGKILL");
  }
}

let environment = null; // the warm environment, if any
let queue = Promise.resolve(); // one environment runs one invocation at a time

// Run the function on one event: [the environment's reply, whether this was a cold start].
function invoke(event, requestId, recycle) {
  const run = queue.then(async () => {
    const cold = recycle || environment === null;
    let reply;
    if (cold) {
      if (environment !== null) environment.stop();
      environment = new Environment();
      reply = await environment.receive(INIT_TIMEOUT_MS, "Init"); // {ready: true} once loaded
      if ("errorType" in reply) environment.broken = true;
    }
    if (!environment.broken) {
      environment.child.send({ event, requestId });
      reply = await environment.receive(TIMEOUT_MS, "Task");
    }
    if (environment.broken) {
      // start afresh on the next request
      environment.stop();
      environment = null;
    }
    return [reply, cold];
  });
  queue = run.catch(() => {});
  return run;
}

function unquote(text) {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

// The first resource that matches the path and its path parameters, or [null, null].
function matchResource(urlPath) {
  for (const resource of RESOURCES) {
    const pattern = resource
      .replace(/\{(\w+)\}/g, "(?<$1>[^/]+)") // {id}: one segment
      .replace(/\{(\w+)\+\}/g, "(?<$1>.+)"); // {proxy+}: the rest of the path
    const found = new RegExp(`^${pattern}$`).exec(urlPath);
    if (found) {
      const params = Object.entries(found.groups || {}).map(([name, value]) => [name, unquote(value)]);
      return [resource, params.length ? Object.fromEntries(params) : null];
    }
  }
  return [null, null];
}

// The API Gateway proxy event (REST API, payload format 1.0) for one HTTP request.
function toEvent(method, target, headerPairs, rawBody, requestId) {
  const mark = target.indexOf("?");
  const urlPath = mark === -1 ? target : target.slice(0, mark);
  const query = [...new URLSearchParams(mark === -1 ? "" : target.slice(mark + 1))];
  const [resource, pathParameters] = matchResource(urlPath);
  let body = null;
  let isBase64Encoded = false;
  if (rawBody.length) {
    try {
      body = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(rawBody);
    } catch {
      // not text: API Gateway hands binary bodies over in base64
      body = rawBody.toString("base64");
      isBase64Encoded = true;
    }
  }
  return {
    resource,
    path: unquote(urlPath),
    httpMethod: method,
    headers: Object.fromEntries(headerPairs), // a repeated header keeps its last value here...
    multiValueHeaders: group(headerPairs), // ...and all of them here
    queryStringParameters: query.length ? Object.fromEntries(query) : null, // null, not {}, without a query string
    multiValueQueryStringParameters: query.length ? group(query) : null,
    pathParameters, // null when the resource has no {parameter}
    requestContext: { requestId, stage: "prod", resourcePath: resource, httpMethod: method },
    body, // a string, or null when the request has no body
    isBase64Encoded,
  };
}

function group(pairs) {
  const grouped = {};
  for (const [name, value] of pairs) (grouped[name] ||= []).push(value);
  return grouped;
}

function jsonType(value) {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return { object: "an object", string: "a string", boolean: "a boolean" }[typeof value] || "a number";
}

// What is wrong with the handler's result, as API Gateway checks it; null if nothing.
function checkResult(result) {
  if (typeof result !== "object" || result === null || Array.isArray(result)) {
    return `the handler must return an object like {"statusCode": 200, "body": "..."}, not ${jsonType(result)}`;
  }
  const status = result.statusCode;
  if (!Number.isInteger(status) || status < 100 || status > 599) {
    return `"statusCode" must be an integer from 100 to 599, got ${JSON.stringify(status ?? null)}`;
  }
  const headers = result.headers ?? {};
  if (
    typeof headers !== "object" ||
    Array.isArray(headers) ||
    !Object.entries(headers).every(
      ([name, value]) => HEADER_NAME.test(name) && typeof value === "string" && HEADER_VALUE.test(value),
    )
  ) {
    return '"headers" must be an object that maps header names to strings (one line each)';
  }
  const body = result.body ?? null;
  if (body !== null && typeof body !== "string") {
    return `"body" must be a string, not ${jsonType(body)}: encode a JSON body with JSON.stringify()`;
  }
  if (result.isBase64Encoded && !BASE64.test(body ?? "")) {
    return '"isBase64Encoded" is true but "body" is not base64';
  }
  return null;
}

// [status, headers, body buffer] for the environment's reply.
function toResponse(reply) {
  let result;
  if ("result" in reply) {
    result = JSON.parse(reply.result);
    const problem = checkResult(result);
    if (problem) reply = error("InvalidResponse", problem);
  }
  if ("errorType" in reply) {
    const status = reply.errorType === "TimeoutError" ? 504 : 502;
    return [status, { "Content-Type": "application/json" }, Buffer.from(JSON.stringify(reply))];
  }
  const headers = Object.fromEntries(
    Object.entries(result.headers ?? {}).filter(([name]) => name.toLowerCase() !== "content-length"),
  );
  if (!Object.keys(headers).some((name) => name.toLowerCase() === "content-type")) {
    headers["Content-Type"] = "application/json"; // API Gateway's default
  }
  const body = Buffer.from(result.body ?? "", result.isBase64Encoded ? "base64" : "utf8");
  return [result.statusCode, headers, body];
}

async function handleRequest(req, res, rawBody) {
  const started = performance.now();
  const requestId = crypto.randomUUID();
  const headerPairs = [];
  for (let i = 0; i < req.rawHeaders.length; i += 2) headerPairs.push([req.rawHeaders[i], req.rawHeaders[i + 1]]);
  const event = toEvent(req.method, req.url, headerPairs, rawBody, requestId);
  let status, headers, body;
  if (event.resource === null) {
    // no resource matches: API Gateway answers without the function
    [status, headers, body] = [403, { "Content-Type": "application/json" }, Buffer.from(NO_RESOURCE)];
  } else {
    const [reply, cold] = await invoke(event, requestId, (req.headers["x-recycle"] || "").trim() === "1");
    [status, headers, body] = toResponse(reply);
    headers["X-Cold-Start"] = cold ? "true" : "false";
    const took = performance.now() - started;
    console.log(
      `REPORT RequestId: ${requestId} ${req.method} ${event.path} -> ${status} ` +
        `Duration: ${took.toFixed(1)} ms${cold ? " (cold start)" : ""}`,
    );
  }
  res.writeHead(status, { ...headers, "Content-Length": body.length });
  res.end(req.method === "HEAD" ? undefined : body);
}

if (process.argv[2] === "--environment") {
  runEnvironment();
} else {
  const port = Number(process.env.PORT || "8000");
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on("data", (chunk) => chunks.push(chunk));
    req.on("end", () => handleRequest(req, res, Buffer.concat(chunks)));
  });
  server.listen(port, process.env.HOST || "0.0.0.0", () => {
    console.log(`API Gateway listening on port ${port}; function timeout ${TIMEOUT_MS} ms`);
  });
}
