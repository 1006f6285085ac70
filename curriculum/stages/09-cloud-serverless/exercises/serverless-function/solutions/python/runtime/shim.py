"""A tiny AWS Lambda runtime with API Gateway (REST API, proxy integration) in front of it.

Do not change this file: it plays the part of the cloud platform, and the grader relies on it.

1. An HTTP server on $PORT turns each request into an API Gateway proxy event (payload 1.0).
2. The function runs in an *execution environment*: a child process that imports handler.py the
   first time it is needed (the cold start) and then stays warm for the next requests.
3. There it calls handler(event, context), allowing FUNCTION_TIMEOUT_MS milliseconds per call.
4. The dict the handler returns becomes the HTTP response; a crash, a timeout or a result that
   does not follow the contract becomes a 502 or 504 with {"errorType", "errorMessage"}.

A request with the header "X-Recycle: 1" throws the environment away first, as Lambda does with an
idle one: that request is a cold start in a new process, with fresh module globals.
Every invoked response carries "X-Cold-Start: true" or "X-Cold-Start: false".
"""

import base64
import importlib
import json
import multiprocessing
import os
import re
import sys
import threading
import time
import traceback
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit

PROJECT = Path(__file__).resolve().parent.parent  # the folder that holds handler.py
HANDLER = "handler.handler"  # module.function, like the "Handler" setting of a Lambda function
FUNCTION_NAME = "guestbook"
MEMORY_MB = 128
TIMEOUT_MS = int(os.environ.get("FUNCTION_TIMEOUT_MS", "3000"))
INIT_TIMEOUT_MS = 10_000  # importing the handler (the init phase) has its own limit, as on Lambda
# The API's resources, most specific first. Every method (ANY) of each one invokes the function.
RESOURCES = ["/entries", "/entries/{id}", "/{proxy+}"]

HEADER_NAME = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
HEADER_VALUE = re.compile(r"[\t\x20-\x7e\x80-\xff]*")
NO_RESOURCE = b'{"message": "Missing Authentication Token"}'  # API Gateway's answer to an unknown path
BASE64 = re.compile(r"([A-Za-z0-9+/]{4})*([A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?")


# --- Inside the execution environment (the child process) ------------------------------------


class Context:
    """The `context` argument: facts about this invocation."""

    def __init__(self, request_id):
        self.aws_request_id = request_id
        self.function_name = FUNCTION_NAME
        self.memory_limit_in_mb = MEMORY_MB
        self._deadline = time.monotonic() + TIMEOUT_MS / 1000

    def get_remaining_time_in_millis(self):
        return max(0, int((self._deadline - time.monotonic()) * 1000))


def run_environment(channel):
    """Import the handler once (init), say so, then run one invocation per message received."""
    sys.stdout.reconfigure(line_buffering=True)  # print() in the handler reaches the log at once
    sys.path.insert(0, str(PROJECT))
    module_name, function_name = HANDLER.split(".")
    try:
        function = getattr(importlib.import_module(module_name), function_name, None)
    except Exception as exc:
        traceback.print_exc()
        channel.send(error("Runtime.ImportModuleError", f"Unable to import module '{module_name}': {exc}"))
        return
    if not callable(function):
        channel.send(error("Runtime.HandlerNotFound", f"{HANDLER} is undefined or not a function"))
        return
    channel.send({"ready": True})
    while True:
        try:
            message = channel.recv()
        except EOFError:  # the platform closed the environment
            return
        try:
            result = function(message["event"], Context(message["requestId"]))
        except Exception as exc:
            traceback.print_exc()  # the traceback goes to the log, as in CloudWatch
            channel.send(error(type(exc).__name__, str(exc)))
            continue
        try:
            channel.send({"result": json.dumps(result)})  # results travel as JSON, as on Lambda
        except (TypeError, ValueError) as exc:
            channel.send(error("Runtime.MarshalError", f"Unable to marshal response: {exc}"))


# --- The platform (the parent process) --------------------------------------------------------


def error(error_type, message):
    return {"errorType": error_type, "errorMessage": message}


class Environment:
    """An execution environment: a new Python process running run_environment()."""

    def __init__(self):
        spawn = multiprocessing.get_context("spawn")  # a new interpreter: nothing is inherited
        self.channel, child_end = spawn.Pipe()
        self.process = spawn.Process(target=run_environment, args=(child_end,), daemon=True)
        self.process.start()
        child_end.close()
        self.broken = False

    def receive(self, timeout_ms, phase):
        """The environment's next message. A timeout or an exit breaks the environment."""
        if not self.channel.poll(timeout_ms / 1000):
            self.broken = True
            return error("TimeoutError", f"{phase} timed out after {timeout_ms / 1000:.2f} seconds")
        try:
            return self.channel.recv()
        except EOFError:
            self.broken = True
            return error("Runtime.ExitError", "the execution environment exited during the invocation")

    def stop(self):
        self.process.kill()
        self.process.join()
        self.channel.close()


environment = None  # the warm environment, if any
lock = threading.Lock()  # one environment runs one invocation at a time


def invoke(event, request_id, recycle):
    """Run the function on one event: (the environment's reply, whether this was a cold start)."""
    global environment
    with lock:
        cold = recycle or environment is None
        if cold:
            if environment is not None:
                environment.stop()
            environment = Environment()
            reply = environment.receive(INIT_TIMEOUT_MS, "Init")  # {"ready": True} once imported
            if "errorType" in reply:
                environment.broken = True
        if not environment.broken:
            environment.channel.send({"event": event, "requestId": request_id})
            reply = environment.receive(TIMEOUT_MS, "Task")
        if environment.broken:  # start afresh on the next request
            environment.stop()
            environment = None
        return reply, cold


def match_resource(path):
    """The first resource that matches the path and its path parameters, or (None, None)."""
    for resource in RESOURCES:
        pattern = re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", resource)  # {id}: one segment
        pattern = re.sub(r"\{(\w+)\+\}", r"(?P<\1>.+)", pattern)  # {proxy+}: the rest of the path
        found = re.fullmatch(pattern, path)
        if found:
            return resource, {name: unquote(value) for name, value in found.groupdict().items()} or None
    return None, None


def to_event(method, target, header_pairs, raw_body, request_id):
    """The API Gateway proxy event (REST API, payload format 1.0) for one HTTP request."""
    url = urlsplit(target)
    resource, path_parameters = match_resource(url.path)
    query = parse_qsl(url.query, keep_blank_values=True)
    try:
        body, is_base64 = (raw_body.decode("utf-8") if raw_body else None), False
    except UnicodeDecodeError:  # not text: API Gateway hands binary bodies over in base64
        body, is_base64 = base64.b64encode(raw_body).decode("ascii"), True
    return {
        "resource": resource,
        "path": unquote(url.path),
        "httpMethod": method,
        "headers": dict(header_pairs),  # a repeated header keeps its last value here...
        "multiValueHeaders": group(header_pairs),  # ...and all of them here
        "queryStringParameters": dict(query) or None,  # None, not {}, when there is no query string
        "multiValueQueryStringParameters": group(query) or None,
        "pathParameters": path_parameters,  # None when the resource has no {parameter}
        "requestContext": {"requestId": request_id, "stage": "prod", "resourcePath": resource, "httpMethod": method},
        "body": body,  # a string, or None when the request has no body
        "isBase64Encoded": is_base64,
    }


def group(pairs):
    grouped = {}
    for name, value in pairs:
        grouped.setdefault(name, []).append(value)
    return grouped


def json_type(value):
    names = {dict: "an object", list: "an array", str: "a string", bool: "a boolean", type(None): "null"}
    return names.get(type(value), "a number")


def check_result(result):
    """What is wrong with the handler's result, as API Gateway checks it; None if nothing."""
    if not isinstance(result, dict):
        return f'the handler must return an object like {{"statusCode": 200, "body": "..."}}, not {json_type(result)}'
    status = result.get("statusCode")
    if type(status) is not int or not 100 <= status <= 599:
        return f'"statusCode" must be an integer from 100 to 599, got {json.dumps(status)}'
    headers = result.get("headers")
    if headers is not None and not (
        isinstance(headers, dict)
        and all(
            HEADER_NAME.fullmatch(name) and isinstance(value, str) and HEADER_VALUE.fullmatch(value)
            for name, value in headers.items()
        )
    ):
        return '"headers" must be an object that maps header names to strings (one line each)'
    body = result.get("body")
    if body is not None and not isinstance(body, str):
        return f'"body" must be a string, not {json_type(body)}: encode a JSON body with json.dumps()'
    if result.get("isBase64Encoded") and not BASE64.fullmatch(body or ""):
        return '"isBase64Encoded" is true but "body" is not base64'
    return None


def to_response(reply):
    """(status, headers, body bytes) for the environment's reply."""
    if "result" in reply:
        result = json.loads(reply["result"])
        problem = check_result(result)
        if problem:
            reply = error("InvalidResponse", problem)
    if "errorType" in reply:
        status = 504 if reply["errorType"] == "TimeoutError" else 502
        return status, {"Content-Type": "application/json"}, json.dumps(reply).encode()
    headers = {name: value for name, value in (result.get("headers") or {}).items() if name.lower() != "content-length"}
    if not any(name.lower() == "content-type" for name in headers):
        headers["Content-Type"] = "application/json"  # API Gateway's default
    body = result.get("body") or ""
    body = base64.b64decode(body) if result.get("isBase64Encoded") else body.encode()
    return result["statusCode"], headers, body


class Gateway(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def handle_any_method(self):
        started = time.monotonic()
        request_id = str(uuid.uuid4())
        raw_body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        event = to_event(self.command, self.path, list(self.headers.items()), raw_body, request_id)
        if event["resource"] is None:  # no resource matches: API Gateway answers without the function
            status, headers, body = 403, {"Content-Type": "application/json"}, NO_RESOURCE
        else:
            reply, cold = invoke(event, request_id, recycle=self.headers.get("X-Recycle", "").strip() == "1")
            status, headers, body = to_response(reply)
            headers["X-Cold-Start"] = "true" if cold else "false"
            took = (time.monotonic() - started) * 1000
            print(
                f"REPORT RequestId: {request_id} {self.command} {event['path']} -> {status} "
                f"Duration: {took:.1f} ms{' (cold start)' if cold else ''}",
                flush=True,
            )
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = handle_any_method

    def log_message(self, format, *args):  # the REPORT lines above replace the default access log
        pass


if __name__ == "__main__":
    port = int(os.environ.get("PORT", "8000"))
    server = ThreadingHTTPServer((os.environ.get("HOST", "0.0.0.0"), port), Gateway)
    print(f"API Gateway listening on port {port}; function timeout {TIMEOUT_MS} ms", flush=True)
    server.serve_forever()
