"""Grader suite for the stage 6 exercise deploy-ready (see the exercise's README for the brief).

The app gets APP_RELEASE, APP_GREETING and APP_SECRET from exercise.toml's [app_env], each with a
fresh random token per job; the `app_env` fixture holds the values the app was given. The log
tests read the app's output with `app_control.logs()` and find their own lines by a random token
in the path. The two shutdown tests come last: each sends SIGTERM while a slow request is in
flight, then starts the app again. A job may make 20 app-control requests; this suite makes at
most 14 (usually 9).
"""

import json
import threading
import time

from stagecraft_grader import WORDS, ExchangeError, check, check_equal, fail, hint, not_graded, points, title

LOG_KEYS = ("method", "path", "status", "duration_ms")
# The test that checks what the precondition _work_works only needs to work (no cascades).
WORK = '''"GET /work?ms=N waits N milliseconds, then answers {"slept_ms": N}"'''


# --- helpers ----------------------------------------------------------------------------------


def _json(r, status, what):
    check_equal(r.status_code, status, f"the status code of {what}")
    check_equal(r.content_type, "application/json", f"the Content-Type media type of {what}")
    return r.json()


def _check_error(r, status, what):
    data = _json(r, status, what)
    check(
        isinstance(data, dict) and isinstance(data.get("error"), str),
        f'expected {what} to answer a JSON object with a string "error"',
        got=data,
    )


def _is_number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _json_object(line):
    """The line parsed as a JSON object, else None."""
    try:
        value = json.loads(line)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def _logs(app_control, wanted, tries=3):
    """The app's (stdout, stderr), asked for again, a second apart, until `wanted(stdout)` holds.

    A log line may reach the platform a moment after the response; each try is one of the job's
    20 app-control requests, so the tries are few.
    """
    time.sleep(0.3)
    for attempt in range(tries):
        answer = app_control.logs()
        if wanted(answer.stdout) or attempt == tries - 1:
            return answer.stdout, answer.stderr
        time.sleep(1)


def _lines_with(text, needle):
    return [line for line in text.splitlines() if needle in line]


def _tail(text, count=5):
    lines = [line for line in text.splitlines() if line.strip()]
    return lines[-count:] if lines else "nothing"


def _probe(app, rng):
    """A request to a random unknown path (with a query string): (method, path, token, response)."""
    token = f"{rng.choice(WORDS)}-{rng.randint(10**7, 10**8)}"
    method = rng.choice(["GET", "POST", "PUT", "DELETE"])
    path = f"/probe-{token}"
    r = app.request(method, path, params={"q": rng.choice(WORDS)})
    return method, path, token, r


def _work_works(app, ms=100):
    """Precondition of the tests about something else (logs, shutdown): GET /work?ms= answers 200.
    When it does not, the test is skipped (worth nothing): the /work test says why."""
    r = app.get("/work", params={"ms": ms})
    if r.status_code != 200:
        not_graded(
            f"this test needs GET /work?ms={ms} to answer 200 (it answered {r.status_code}): make the test "
            f"{WORK} pass first"
        )


class _InFlight:
    """GET /work?ms=<ms> in a thread of its own: the request in flight when SIGTERM arrives."""

    def __init__(self, app, ms):
        self.app, self.ms = app, ms
        self.response = None
        self.error = None
        self.started = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        self.started.wait(5)

    def _run(self):
        self.started.set()
        try:
            self.response = self.app.get("/work", params={"ms": self.ms}, timeout=self.ms / 1000 + 10)
        except ExchangeError as exc:
            self.error = str(exc)

    def running(self):
        return self._thread.is_alive()

    def wait(self):
        self._thread.join(self.ms / 1000 + 15)

    def completed(self):
        return self.response is not None and self.response.status_code == 200


def _start_again(app_control, answer):
    """After a shutdown test: make sure an app runs again for whatever comes next."""
    if answer is None:  # no signal was sent: the app still runs
        return
    if answer.running:  # it did not exit after SIGTERM: stop it for good, then start it
        app_control.restart(timeout=5)
    else:
        app_control.start()


# --- configuration ----------------------------------------------------------------------------


@title("GET /version answers the release from $APP_RELEASE")
@points(2)
@hint(
    'Read the release from the environment variable APP_RELEASE (os.environ["APP_RELEASE"], '
    'process.env.APP_RELEASE) and answer {"release": "<its value>"}. It changes on every run: '
    "a value written in the code cannot pass."
)
def test_version_release(app, app_env):
    data = _json(app.get("/version"), 200, "GET /version")
    check(isinstance(data, dict), "expected GET /version to answer a JSON object", got=data)
    check_equal(data.get("release"), app_env["APP_RELEASE"], 'the "release" of GET /version (from $APP_RELEASE)')


@title("GET / answers the greeting from $APP_GREETING")
@points(1)
@hint('Answer {"message": "<the value of APP_GREETING>"}, read from the environment, not written in the code.')
def test_root_greeting(app, app_env):
    data = _json(app.get("/"), 200, "GET /")
    check(isinstance(data, dict), "expected GET / to answer a JSON object", got=data)
    check_equal(data.get("message"), app_env["APP_GREETING"], 'the "message" of GET / (from $APP_GREETING)')


@title("GET /admin/status needs the Bearer token from $APP_SECRET")
@points(2)
@hint(
    'With the header "Authorization: Bearer <APP_SECRET>" answer 200 {"uptime_s": <seconds since start>}; '
    'without it, or with another token, answer 401 with {"error": "..."}. Compare the whole header.'
)
def test_admin_requires_secret(app, app_env, rng):
    secret = app_env["APP_SECRET"]
    data = _json(
        app.get("/admin/status", headers={"Authorization": f"Bearer {secret}"}),
        200,
        "GET /admin/status with the right token",
    )
    check(
        isinstance(data, dict) and _is_number(data.get("uptime_s")) and data["uptime_s"] >= 0,
        'expected GET /admin/status to answer a JSON object with a number "uptime_s" (0 or more)',
        got=data,
    )
    _check_error(app.get("/admin/status"), 401, "GET /admin/status without an Authorization header")
    wrong = f"sk-{rng.getrandbits(96):024x}"
    _check_error(
        app.get("/admin/status", headers={"Authorization": f"Bearer {wrong}"}),
        401,
        "GET /admin/status with a wrong token",
    )


# --- probes and the slow route ----------------------------------------------------------------


@title('GET /healthz answers 200 {"status": "ok"} (liveness)')
@points(1)
@hint('Liveness only says "the process runs": answer 200 with {"status": "ok"} without checking anything else.')
def test_healthz(app):
    data = _json(app.get("/healthz"), 200, "GET /healthz")
    check_equal(data, {"status": "ok"}, "the body of GET /healthz")


@title('GET /readyz answers 200 {"status": "ready"} once the app is ready (readiness)')
@points(1)
@hint(
    'Keep a "ready" flag: set it once the app has started, answer 200 {"status": "ready"} while it is set '
    'and 503 {"status": "shutting down"} once it is cleared.'
)
def test_readyz(app):
    deadline = time.monotonic() + 5
    r = app.get("/readyz")
    while r.status_code != 200 and time.monotonic() < deadline:
        time.sleep(0.5)
        r = app.get("/readyz")
    data = _json(r, 200, "GET /readyz (within 5 s of the start)")
    check_equal(data, {"status": "ready"}, "the body of GET /readyz")


@title('GET /work?ms=N waits N milliseconds, then answers {"slept_ms": N}')
@points(1)
@hint(
    "Wait without blocking the whole server (await asyncio.sleep(ms / 1000) in FastAPI, setTimeout in Node), "
    'then answer 200 {"slept_ms": <ms as a number>}.'
)
def test_work_sleeps(app, rng):
    ms = rng.randint(150, 600)
    start = time.monotonic()
    r = app.get("/work", params={"ms": ms})
    elapsed_ms = (time.monotonic() - start) * 1000
    data = _json(r, 200, f"GET /work?ms={ms}")
    check_equal(data, {"slept_ms": ms}, f"the body of GET /work?ms={ms}")
    check(elapsed_ms >= ms * 0.95, f"expected GET /work?ms={ms} to take at least {ms} ms", got=f"{elapsed_ms:.0f} ms")


@title("GET /work answers 400 when ms is missing or not a whole number from 100 to 5000")
@points(1)
@hint('Check ms before sleeping: digits only, 100 <= ms <= 5000; otherwise answer 400 with {"error": "..."}.')
def test_work_rejects_bad_ms(app, rng):
    _check_error(app.get("/work"), 400, "GET /work without ms")
    bad = rng.choice(["abc", "2.5", "-300", str(rng.randint(1, 99)), str(rng.randint(5001, 10**6))])
    _check_error(app.get("/work", params={"ms": bad}), 400, f"GET /work?ms={bad}")


# --- logs -------------------------------------------------------------------------------------


@title("The app logs a JSON startup line with its release on stdout")
@points(1)
@hint(
    'When the app has started, print one line such as {"event": "startup", "release": "<APP_RELEASE>", '
    '"port": 8000} on stdout (print(json.dumps(...), flush=True), console.log(JSON.stringify(...))).'
)
def test_startup_log_line(app, app_control, app_env):
    release = app_env["APP_RELEASE"]

    def startup_lines(stdout):
        return [e for e in map(_json_object, stdout.splitlines()) if e and e.get("event") == "startup"]

    stdout, stderr = _logs(app_control, startup_lines, tries=2)
    lines = startup_lines(stdout)
    if not lines and any('"startup"' in line for line in stderr.splitlines()):
        fail("your startup line went to stderr; logs belong on stdout", expected='{"event": "startup", ...} on stdout')
    check(lines, 'expected a JSON line with "event": "startup" on stdout', got=_tail(stdout))
    check(
        any(e.get("release") == release for e in lines),
        f'expected the startup line to hold "release": "{release}" (from $APP_RELEASE)',
        got=lines[-1],
    )


@title("Each request is logged on stdout, not on stderr")
@points(2)
@hint(
    "Write the access log yourself, one line per request, on stdout (print in Python, console.log or "
    "process.stdout.write in Node). Python's logging module and console.error write to stderr."
)
def test_access_log_on_stdout(app, app_control, rng):
    method, path, token, _ = _probe(app, rng)
    stdout, stderr = _logs(app_control, lambda out: token in out)
    on_stdout, on_stderr = _lines_with(stdout, token), _lines_with(stderr, token)
    if not on_stdout and on_stderr:
        fail(f"the log line for {method} {path} went to stderr; logs belong on stdout", expected="a line on stdout")
    check(on_stdout, f"expected a log line about {method} {path} on your app's stdout", got=_tail(stdout))
    check(
        not on_stderr,
        f"expected {method} {path} to be logged on stdout only; it is also on stderr "
        "(turn off your server's own access log)",
        got=on_stderr[:2],
    )


@title('Access log lines are JSON with "method", "path", "status" and "duration_ms"')
@points(2)
@hint(
    'One JSON object per line: {"method": "GET", "path": "/work", "status": 200, "duration_ms": 812.4}. '
    '"path" has no query string, "status" is the number sent, "duration_ms" is in milliseconds.'
)
def test_access_log_fields(app, app_control, rng):
    method, path, token, r = _probe(app, rng)
    ms = rng.randint(1100, 1400)  # longer than any other /work request logged so far
    _work_works(app, ms)

    def work_lines(stdout):
        entries = [e for e in map(_json_object, stdout.splitlines()) if e and e.get("path") == "/work"]
        return [e for e in entries if _is_number(e.get("duration_ms")) and e["duration_ms"] >= ms * 0.9]

    stdout, stderr = _logs(app_control, lambda out: token in out and work_lines(out))
    if not _lines_with(stdout, token) and _lines_with(stderr, token):
        stdout = stderr  # the stream is the stdout test's to check; the fields are this test's
    lines = _lines_with(stdout, token)
    check(lines, f"expected a log line about {method} {path}", got=_tail(stdout))
    entry = _json_object(lines[-1])
    check(entry is not None, f"expected the log line about {method} {path} to be one JSON object", got=lines[-1])
    missing = [key for key in LOG_KEYS if key not in entry]
    check(not missing, f"expected the log line to have the keys {', '.join(LOG_KEYS)}", got=entry)
    check_equal(entry["method"], method, "the log line's method")
    check_equal(entry["path"], path, 'the log line\'s "path" (the path without the query string)')
    check_equal(entry["status"], r.status_code, 'the log line\'s "status" (the status code sent, as a number)')
    check(
        _is_number(entry["duration_ms"]) and entry["duration_ms"] >= 0,
        'expected "duration_ms" to be a number of milliseconds',
        got=entry["duration_ms"],
    )
    durations = [e.get("duration_ms") for e in map(_json_object, stdout.splitlines()) if e and e.get("path") == "/work"]
    check(
        work_lines(stdout),
        f'expected the log line of GET /work?ms={ms} to have a "duration_ms" of about {ms} (milliseconds, not seconds)',
        got=f"durations of /work lines: {durations[-3:]}",
    )


@title("Every line the app writes on stdout is a JSON object")
@points(1)
@hint(
    'Log collectors parse stdout line by line: print nothing else there (no banner such as "listening on..."; '
    "uvicorn's access log is text, so start it with access_log=False). Send other messages to stderr."
)
def test_stdout_only_json(app, app_control):
    app.get("/healthz")
    stdout, _ = _logs(app_control, lambda out: True, tries=1)
    lines = stdout.splitlines()
    if len(stdout) >= 15_000:  # only the last 16 KB come back: the first line may be cut
        lines = lines[1:]
    bad = [line for line in lines if line.strip() and _json_object(line) is None]
    check(not bad, "expected every line on stdout to be one JSON object", got=bad[:3])


@title("The secret from $APP_SECRET never appears in the logs")
@points(2)
@hint(
    "Never log a secret: not in the startup line (log the configuration without APP_SECRET, or with it "
    "masked), not in request headers. Check your whole output for it."
)
def test_secret_not_logged(app, app_control, app_env):
    secret = app_env["APP_SECRET"]
    app.get("/admin/status", headers={"Authorization": f"Bearer {secret}"})
    stdout, stderr = _logs(app_control, lambda out: True, tries=1)
    for name, text in (("stdout", stdout), ("stderr", stderr)):
        leaks = _lines_with(text, secret)
        check(
            not leaks, f"expected the value of APP_SECRET never to appear in the logs; it is on {name}", got=leaks[:2]
        )


# --- graceful shutdown (last: each test starts the app again) ---------------------------------


@title("After SIGTERM, /readyz stops answering 200 while requests finish")
@points(2)
@hint(
    "On SIGTERM, first clear the ready flag (so /readyz answers 503) and stop accepting new connections "
    "(server.close() in Node; uvicorn does it), then let the requests in flight finish."
)
def test_not_ready_during_shutdown(app, app_control):
    _work_works(app)
    slow = _InFlight(app, 5000)
    time.sleep(1.0)  # the request is surely in flight
    probes = []  # (status code, or the error, when it came back; whether the slow request still ran)

    def probe_readyz():
        deadline = time.monotonic() + 20
        while slow.running() and time.monotonic() < deadline:
            try:
                result = app.get("/readyz", timeout=2).status_code
            except ExchangeError as exc:
                result = str(exc)
            probes.append((result, slow.running()))
            if result != 200:
                return
            time.sleep(0.2)

    prober = threading.Thread(target=probe_readyz, daemon=True)
    prober.start()
    answer = None
    try:
        answer = app_control.signal("SIGTERM", timeout=15)
        prober.join(20)
        slow.wait()
    finally:
        _start_again(app_control, answer)
    if not slow.completed():
        # Not graded, worth nothing: the app cut the request off, which the graceful shutdown test reports.
        not_graded(
            "not graded yet: the request in flight was cut off at SIGTERM, so readiness during the shutdown "
            'cannot be judged. Make "SIGTERM lets the request in flight finish, then the app exits with code 0" '
            "pass first."
        )
    check(
        any(result != 200 and running for result, running in probes),
        "expected GET /readyz to answer 503 (or the app to refuse new connections) after SIGTERM, "
        "while the request in flight was still running; it kept answering 200",
        got=[result for result, _ in probes][-5:],
    )


@title("SIGTERM lets the request in flight finish, then the app exits with code 0")
@points(3)
@hint(
    "Handle SIGTERM: stop accepting connections, wait for the requests in flight, then exit 0 within 10 s. "
    "In Node: process.on('SIGTERM', ...) and server.close(() => process.exit(0)). In Python: uvicorn drains "
    "requests, but re-raises SIGTERM when done (exit code 143): subclass uvicorn.Server and override "
    "handle_exit as the brief shows."
)
def test_graceful_shutdown(app, app_control, rng):
    _work_works(app)
    ms = rng.randint(2500, 3500)
    slow = _InFlight(app, ms)
    time.sleep(1.0)  # the request is surely in flight
    answer = None
    try:
        answer = app_control.signal("SIGTERM", timeout=15)
        slow.wait()
    finally:
        _start_again(app_control, answer)
    if slow.error:
        fail(
            f"the request in flight when SIGTERM arrived (GET /work?ms={ms}) was cut off: {slow.error}",
            expected=f'200 {{"slept_ms": {ms}}}',
        )
    # That it answered 200 shows it finished; its body is the /work test's to check.
    check_equal(
        slow.response.status_code, 200, f"the status code of GET /work?ms={ms} (in flight when SIGTERM arrived)"
    )
    check(not answer.running, "expected the app to exit within 15 s of SIGTERM; it was still running")
    if answer.exit_code == 143:
        fail("the app was killed by SIGTERM (exit code 143) instead of exiting by itself", expected="exit code 0")
    check_equal(answer.exit_code, 0, "the app's exit code after SIGTERM")
