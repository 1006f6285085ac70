"""The test runner the grader talks to. You should not need to change it: write tests in tests/.

POST /run {"target": "http://127.0.0.1:<port>"} runs `python -m pytest -q tests` with TARGET_URL
set to the target and answers {"passed": <true when pytest exits with 0>, "output": "<its tail>"}.
"""

import json
import os
import subprocess
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

PROJECT = Path(__file__).resolve().parent
TIME_LIMIT = 10  # seconds for one run of the whole test suite
OUTPUT_TAIL = 4000  # characters of pytest's output sent back


def run_tests(target):
    env = {**os.environ, "TARGET_URL": target, "PYTHONDONTWRITEBYTECODE": "1"}
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"]
    try:
        done = subprocess.run(command, cwd=PROJECT, env=env, capture_output=True, text=True, timeout=TIME_LIMIT)
    except subprocess.TimeoutExpired:
        return {"passed": False, "output": f"the tests did not finish within {TIME_LIMIT} s"}
    output = done.stdout + done.stderr
    return {"passed": done.returncode == 0, "output": output[-OUTPUT_TAIL:]}


class Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        if self.path != "/run":
            return self.answer(404, {"error": "not found"})
        try:
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)))
            target = body["target"]
        except (ValueError, TypeError, KeyError):
            return self.answer(400, {"error": 'expected a JSON body {"target": "http://..."}'})
        if not isinstance(target, str) or not target.startswith("http://"):
            return self.answer(400, {"error": "target must be an http:// URL"})
        self.answer(200, run_tests(target))

    def answer(self, status, payload):
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


if __name__ == "__main__":
    host = os.environ.get("HOST", "0.0.0.0")
    port = int(os.environ.get("PORT", "8000"))
    print(f"test runner listening on http://{host}:{port}", flush=True)
    ThreadingHTTPServer((host, port), Handler).serve_forever()
