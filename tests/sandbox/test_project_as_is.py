"""run_job with projects written the way learners write them: their port, files next to the code,
localhost, crashes, long logs and the services they declare."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest

from stagecraft.sandbox import JobSpec, Limits, run_job
from tests.sandbox.conftest import leftovers, write_tree

pytestmark = pytest.mark.docker

# Counts its visits in a SQLite file next to the code, on a port written into the code.
SQLITE_APP = """\
import sqlite3
import sys
from http.server import BaseHTTPRequestHandler, HTTPServer

db = sqlite3.connect("visits.db")
db.execute("CREATE TABLE IF NOT EXISTS visits (n INTEGER)")
db.commit()


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        db.execute("INSERT INTO visits VALUES (1)")
        db.commit()
        body = str(db.execute("SELECT count(*) FROM visits").fetchone()[0]).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


HTTPServer((sys.argv[1], 5000), Handler).serve_forever()
"""

COUNT_SUITE = """\
from stagecraft_grader import check_equal


def test_visits_survive_a_restart(app, app_control):
    check_equal(app.get("/").text, "1", "the first visit")
    check_equal(app.get("/").text, "2", "the second visit")
    app_control.restart()
    check_equal(app.get("/").text, "3", "the first visit after a restart")
"""


def spec_for(code: Path, suite: Path, start: str, **options) -> JobSpec:
    return JobSpec(
        job_id=f"test-{uuid.uuid4().hex[:10]}",
        runtime=options.pop("runtime", "python"),
        code_dir=code,
        start_command=start,
        suite_dir=suite,
        limits=Limits(wall_seconds=options.pop("wall_seconds", 30), **options.pop("limits", {})),
        **options,
    )


def ended_tests(lines: list[str]) -> list[tuple[str, str]]:
    events = [json.loads(line) for line in lines]
    return [(e["id"], e["status"]) for e in events if e["event"] == "test_end"]


@pytest.mark.parametrize("address", ["0.0.0.0", "localhost", "::1", "::"])
def test_a_hard_coded_port_a_sqlite_file_next_to_the_code_and_any_loopback_address_work(
    built_images, engine, tmp_path, address
):
    code = write_tree(tmp_path / "code", {"app.py": SQLITE_APP})
    suite = write_tree(tmp_path / "suite", {"test_count.py": COUNT_SUITE})
    # HTTPServer binds IPv4 unless told otherwise; the ::1 and :: cases need an IPv6 server.
    family = "import socket, http.server; http.server.HTTPServer.address_family = socket.AF_INET6\n"
    if ":" in address:
        (code / "app.py").write_text(family + SQLITE_APP)
    spec = spec_for(code, suite, f"python app.py {address}", port=5000)
    lines: list[str] = []

    result = run_job(spec, lines.append)

    assert result.ending == "completed", result.detail
    assert ended_tests(lines) == [("visits_survive_a_restart", "passed")], (lines, result.app)
    # The learner's own folder on the host is untouched: the app wrote to its job's copy.
    assert sorted(p.name for p in code.iterdir()) == ["app.py"]
    assert leftovers(engine, spec.job_id) == []


CRASH_APP = """\
import os
from http.server import BaseHTTPRequestHandler, HTTPServer


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path == "/crash":
            print("about to crash", flush=True)
            os._exit(7)
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")


HTTPServer(("127.0.0.1", int(os.environ["PORT"])), Handler).serve_forever()
"""

CRASH_SUITE = """\
import time

from stagecraft_grader import check_equal


def test_1_fine(app):
    check_equal(app.get("/").text, "ok", "the body")


def test_2_crash(app):
    app.get("/crash")


def test_3_waits_long(app):
    time.sleep(25)


def test_4_later(app):
    check_equal(app.get("/").text, "ok", "the body")
"""


def test_an_app_that_crashes_mid_run_ends_the_job_within_seconds(built_images, engine, tmp_path):
    code = write_tree(tmp_path / "code", {"app.py": CRASH_APP})
    suite = write_tree(tmp_path / "suite", {"test_crash.py": CRASH_SUITE})
    spec = spec_for(code, suite, "python app.py", wall_seconds=60)
    lines: list[str] = []

    result = run_job(spec, lines.append)

    assert result.ending == "app_exited", result.detail
    assert result.duration < 10  # not the 25 s the third test would have waited
    assert result.app is not None and result.app.exit_code == 7
    assert "about to crash" in result.app.log
    ended = dict(ended_tests(lines))
    assert ended["1_fine"] == "passed"
    assert ended.get("2_crash") == "failed"  # the request the app died on, for its own reason
    assert "4_later" not in ended  # never run: the pipeline marks it failed
    assert leftovers(engine, spec.job_id) == []


def test_a_long_log_is_cut_and_a_flood_is_told_apart(built_images, tmp_path):
    suite = write_tree(tmp_path / "suite", {"test_x.py": "def test_x(app):\n    assert app.get('/').status_code\n"})
    serve = (
        "import os, sys\nfrom http.server import HTTPServer, SimpleHTTPRequestHandler\n"
        "sys.stdout.write(('traceback line ' * 6 + chr(10)) * int(sys.argv[1]))\nsys.stdout.flush()\n"
        "HTTPServer(('127.0.0.1', int(os.environ['PORT'])), SimpleHTTPRequestHandler).serve_forever()\n"
    )
    code = write_tree(tmp_path / "code", {"app.py": serve})
    long_log = run_job(spec_for(code, suite, "python app.py 1000"), lambda line: None)  # ~100 KB
    flood = run_job(spec_for(code, suite, "python app.py 5000"), lambda line: None)  # ~500 KB

    assert long_log.ending == flood.ending == "completed"
    assert long_log.app is not None and flood.app is not None
    assert long_log.app.log_truncated and not long_log.app.flooded
    assert "bytes of log cut" in long_log.app.log
    assert flood.app.flooded


POSTGRES_APP = """\
import os
import socket
from http.server import BaseHTTPRequestHandler, HTTPServer

# The sidecar is ready before the app starts: one connection, no retry.
socket.create_connection((os.environ["PGHOST"], int(os.environ["PGPORT"])), timeout=5).close()
ENV = " ".join(f"{k}={os.environ[k]}" for k in ("DATABASE_URL", "PGUSER", "PGDATABASE"))


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        body = ENV.encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


HTTPServer(("127.0.0.1", int(os.environ["PORT"])), Handler).serve_forever()
"""


def test_a_declared_postgres_service_is_ready_and_described_to_the_app(built_images, engine, tmp_path):
    code = write_tree(tmp_path / "code", {"app.py": POSTGRES_APP})
    suite = write_tree(
        tmp_path / "suite",
        {
            "test_pg.py": "def test_env(app):\n    assert app.get('/').text == "
            "'DATABASE_URL=postgresql://app:app@127.0.0.1:5432/app PGUSER=app PGDATABASE=app'\n"
        },
    )
    spec = spec_for(code, suite, "python app.py", services=("postgres",))
    lines: list[str] = []

    result = run_job(spec, lines.append)

    assert result.ending == "completed", result.detail
    assert ended_tests(lines) == [("env", "passed")], result.app
    assert leftovers(engine, spec.job_id) == []


FILL_APP = """\
import os
from http.server import HTTPServer, SimpleHTTPRequestHandler

written = 0
try:
    with open("filler.bin", "wb") as handle:  # in the working copy, next to the code
        for _ in range(200):
            handle.write(os.urandom(1024 * 1024))
            handle.flush()
            written += 1
except OSError as exc:
    print(f"stopped at {written} MiB: {exc.strerror}", flush=True)
os.remove("filler.bin")
HTTPServer(("127.0.0.1", int(os.environ["PORT"])), SimpleHTTPRequestHandler).serve_forever()
"""


def test_the_working_copy_is_capped(built_images, tmp_path):
    code = write_tree(tmp_path / "code", {"app.py": FILL_APP})
    suite = write_tree(tmp_path / "suite", {"test_x.py": "def test_x(app):\n    assert app.get('/').status_code\n"})
    # Memory above the cap, so the tmpfs cap (not the memory limit) is what stops the writer.
    spec = spec_for(code, suite, "python app.py", limits={"memory_mb": 256, "work_mb": 48})

    result = run_job(spec, lambda line: None)

    assert result.ending == "completed", result.detail
    assert result.app is not None and not result.app.oom_killed
    assert "No space left on device" in result.app.log
    stopped = int(result.app.log.split("stopped at ")[1].split()[0])
    assert stopped <= 48
