// The test runner the grader talks to. You should not need to change it: write tests in tests/.
//
// POST /run {"target": "http://127.0.0.1:<port>"} runs `node --test tests/` with TARGET_URL set to
// the target and answers {"passed": <true when it exits with 0>, "output": "<its tail>"}.
"use strict";

const http = require("node:http");
const { execFile } = require("node:child_process");

const TIME_LIMIT_MS = 10000; // for one run of the whole test suite
const OUTPUT_TAIL = 4000; // characters of the test output sent back

function runTests(target) {
  return new Promise((resolve) => {
    const env = { ...process.env, TARGET_URL: target };
    const options = { cwd: __dirname, env, timeout: TIME_LIMIT_MS, maxBuffer: 10 * 1024 * 1024 };
    execFile(process.execPath, ["--test", "tests/"], options, (error, stdout, stderr) => {
      if (error && error.killed) {
        resolve({ passed: false, output: `the tests did not finish within ${TIME_LIMIT_MS / 1000} s` });
        return;
      }
      resolve({ passed: !error, output: (stdout + stderr).slice(-OUTPUT_TAIL) });
    });
  });
}

function answer(res, status, payload) {
  res.writeHead(status, { "Content-Type": "application/json" });
  res.end(JSON.stringify(payload));
}

const server = http.createServer((req, res) => {
  let raw = "";
  req.on("data", (chunk) => (raw += chunk));
  req.on("end", async () => {
    if (req.method !== "POST" || req.url !== "/run") return answer(res, 404, { error: "not found" });
    let target;
    try {
      target = JSON.parse(raw).target;
    } catch {
      return answer(res, 400, { error: 'expected a JSON body {"target": "http://..."}' });
    }
    if (typeof target !== "string" || !target.startsWith("http://")) {
      return answer(res, 400, { error: "target must be an http:// URL" });
    }
    answer(res, 200, await runTests(target));
  });
});

const host = process.env.HOST || "0.0.0.0";
const port = Number.parseInt(process.env.PORT || "8000", 10);
server.listen(port, host, () => console.log(`test runner listening on http://${host}:${port}`));
