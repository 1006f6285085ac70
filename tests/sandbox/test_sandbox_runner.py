"""run_job against the real engine and the real images: what a learner's job may and may not do."""

from __future__ import annotations

import json
import socket
import subprocess
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import docker
import msgspec
import pytest

from stagecraft.sandbox import JobSpec, Limits, janitor, run_job, runner
from stagecraft.sandbox import engine as engine_objects
from stagecraft.sandbox.images import image_tag
from tests.sandbox.conftest import HELLO_APP, leftovers, write_tree

pytestmark = pytest.mark.docker

SLEEPING_SUITE = """\
import time


def test_forever(app):
    time.sleep(3600)
"""


# Asks redis once, at startup and without retrying, then serves what it said.
REDIS_PING_APP = """\
import os
import socket
from http.server import BaseHTTPRequestHandler, HTTPServer

with socket.create_connection(("127.0.0.1", 6379), timeout=5) as redis:
    redis.sendall(b"PING\\r\\n")
    ANSWER = redis.recv(64).decode().strip()
print(f"redis said {ANSWER!r}", flush=True)


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        body = ANSWER.encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


HTTPServer(("127.0.0.1", int(os.environ["PORT"])), Handler).serve_forever()
"""

REDIS_PING_SUITE = """\
from stagecraft_grader import check_equal


def test_the_app_reached_redis(app):
    check_equal(app.get("/").text, "+PONG", "what redis answered the app")
"""


def make_spec(code: Path, suite: Path, *, start: str = "python app.py", **limits: float) -> JobSpec:
    return JobSpec(
        job_id=f"test-{uuid.uuid4().hex[:10]}",
        runtime="python",
        code_dir=code,
        start_command=start,
        suite_dir=suite,
        limits=Limits(**{"wall_seconds": 30, **limits}),
    )


def events_of(lines: list[str]) -> list[dict]:
    return [json.loads(line) for line in lines]


def test_happy_path_streams_the_grader_events_and_removes_everything(built_images, engine, hello_app, hello_suite):
    spec = msgspec.structs.replace(make_spec(hello_app, hello_suite), port=9123, seed=7)
    lines: list[str] = []

    result = run_job(spec, lines.append)

    assert result.ending == "completed", result.detail
    assert result.grader_exit_code == 0
    events = events_of(lines)
    assert [e["event"] for e in events] == ["run_start", "test_start", "test_end", "run_end"]
    assert events[0]["seed"] == 7
    assert events[2]["status"] == "passed", events[2]
    assert result.app is not None
    assert (result.app.running, result.app.exit_code, result.app.oom_killed) == (True, None, False)
    assert "listening on 9123" in result.app.log
    assert not result.app.log_truncated
    assert leftovers(engine, spec.job_id) == []


def test_events_arrive_while_the_grader_is_still_running(built_images, hello_app, tmp_path):
    suite = write_tree(
        tmp_path / "suite",
        {
            "test_two.py": """\
                import time


                def test_first(app):
                    assert app.get("/").status_code == 200


                def test_second(app):
                    time.sleep(2)
            """
        },
    )
    arrivals: list[tuple[float, dict]] = []

    result = run_job(make_spec(hello_app, suite), lambda line: arrivals.append((time.monotonic(), json.loads(line))))
    returned = time.monotonic()

    assert result.ending == "completed", result.detail
    first_end = next(at for at, event in arrivals if event["event"] == "test_end")
    assert returned - first_end > 1.5


def test_an_app_that_exits_at_once_ends_the_job_at_once_with_its_exit_code(built_images, engine, hello_suite, tmp_path):
    code = write_tree(tmp_path / "code", {"app.py": "print('bye')\nraise SystemExit(3)\n"})
    spec = make_spec(code, hello_suite, wall_seconds=45)  # the grader would wait 15 s for the port
    lines: list[str] = []

    result = run_job(spec, lines.append)

    assert result.ending == "app_exited", result.detail
    assert result.duration < 6  # not the 15 s startup wait
    assert result.app is not None
    assert (result.app.running, result.app.exit_code, result.app.oom_killed) == (False, 3, False)
    assert "bye" in result.app.log
    assert [e["event"] for e in events_of(lines)] == ["run_start"]  # no test began
    assert leftovers(engine, spec.job_id) == []


def test_an_app_over_its_memory_limit_is_oom_killed(built_images, hello_suite, tmp_path):
    code = write_tree(tmp_path / "code", {"app.py": "hog = b'x' * (256 << 20)\n"})

    result = run_job(make_spec(code, hello_suite, wall_seconds=9, memory_mb=64), lambda line: None)

    assert result.app is not None
    assert result.app.oom_killed
    assert not result.app.running
    assert result.app.exit_code == 137


def test_a_grader_past_the_deadline_is_killed(built_images, engine, hello_app, tmp_path):
    suite = write_tree(tmp_path / "suite", {"test_sleep.py": SLEEPING_SUITE})
    spec = make_spec(hello_app, suite, wall_seconds=5)
    lines: list[str] = []

    result = run_job(spec, lines.append)

    assert result.ending == "timeout"
    assert result.grader_exit_code is None
    assert 5 <= result.duration < 8
    assert [e["event"] for e in events_of(lines)] == ["run_start", "test_start"]
    assert result.app is not None and result.app.running
    assert leftovers(engine, spec.job_id) == []


def test_a_silent_grader_is_killed_on_time_too(built_images, engine, hello_app, tmp_path):
    # A conftest that never returns: the grader prints nothing at all.
    suite = write_tree(
        tmp_path / "suite",
        {"conftest.py": "import time\ntime.sleep(3600)\n", "test_x.py": "def test_x(app):\n    pass\n"},
    )
    spec = make_spec(hello_app, suite, wall_seconds=4)
    lines: list[str] = []

    started = time.monotonic()
    result = run_job(spec, lines.append)

    assert result.ending == "timeout"
    assert lines == []
    assert time.monotonic() - started < 7
    assert leftovers(engine, spec.job_id) == []


def test_a_flood_of_grader_output_stops_at_the_cap(built_images, engine, hello_app, tmp_path):
    suite = write_tree(
        tmp_path / "suite",
        {
            "test_many.py": """\
                import pytest


                @pytest.mark.parametrize("n", range(300))
                def test_many(n):
                    pass
            """
        },
    )
    spec = make_spec(hello_app, suite, output_bytes=30_000)
    lines: list[str] = []

    result = run_job(spec, lines.append)

    assert result.ending == "output_limit"
    assert 0 < sum(len(line.encode()) + 1 for line in lines) <= 30_000
    assert [e["event"] for e in events_of(lines)[:2]] == ["run_start", "test_start"]
    assert all(isinstance(event, dict) for event in events_of(lines))  # only whole lines
    assert leftovers(engine, spec.job_id) == []


def running_containers(engine: docker.DockerClient, job_id: str) -> dict[str, dict]:
    """The inspect data of a job's running containers, by role."""
    label = {"label": f"stagecraft.job={job_id}"}
    return {c.labels["stagecraft.role"]: c.attrs for c in engine.containers.list(filters=label)}


def assert_baseline(attrs: dict, job_id: str, role: str, limits: Limits) -> None:
    host = attrs["HostConfig"]
    assert attrs["Name"] == f"/stagecraft-{job_id}-{role}"
    labels = attrs["Config"]["Labels"]  # images add their own labels
    assert (labels["stagecraft.job"], labels["stagecraft.role"]) == (job_id, role)
    assert attrs["Config"]["User"] == "10001:10001"
    assert host["ReadonlyRootfs"] is True
    assert host["Privileged"] is False
    assert host["CapDrop"] == ["ALL"]
    assert host["SecurityOpt"] == ["no-new-privileges"]
    assert host["Memory"] == host["MemorySwap"] == limits.memory_mb * 2**20
    assert host["NanoCpus"] == int(limits.cpus * 1e9)
    assert host["PidsLimit"] == limits.pids
    assert host["Tmpfs"] == {"/tmp": f"rw,nosuid,nodev,size={limits.tmpfs_mb}m,mode=1777"}
    ulimits = {u["Name"]: (u["Soft"], u["Hard"]) for u in host["Ulimits"]}
    fsize = limits.fsize_mb * 2**20
    assert ulimits == {"nofile": (limits.nofile, limits.nofile), "fsize": (fsize, fsize)}
    assert host["AutoRemove"] is False


def test_every_container_gets_the_baseline(built_images, engine, hello_app, hello_suite):
    spec = make_spec(hello_app, hello_suite, memory_mb=200, cpus=0.5, pids=77, tmpfs_mb=16, nofile=512, fsize_mb=8)
    seen: dict[str, dict] = {}

    def inspect_while_running(line: str) -> None:
        if not seen:
            seen.update(running_containers(engine, spec.job_id))

    result = run_job(spec, inspect_while_running)

    assert result.ending == "completed", result.detail
    assert set(seen) == {"net", "app", "grader"}
    for role, attrs in seen.items():
        assert_baseline(attrs, spec.job_id, role, spec.limits)
    net, app, grader = seen["net"], seen["app"], seen["grader"]
    # Loopback only, owned by a container that only sleeps; the app and the grader share it.
    assert net["HostConfig"]["NetworkMode"] == "none"
    assert net["Config"]["Cmd"] == ["sleep", "infinity"]
    assert app["HostConfig"]["NetworkMode"] == grader["HostConfig"]["NetworkMode"] == f"container:{net['Id']}"
    # The app runs under docker-init, so the signals the grader asks for reach it.
    assert app["HostConfig"]["Init"] is True
    assert app["Config"]["Cmd"] == ["/bin/bash", "-c", "python app.py"]
    # The app works in a writable copy of the project (a tmpfs volume the net container holds).
    mounts = {m["Destination"]: (m["Type"], m["RW"], m.get("Name")) for m in app["Mounts"]}
    work, data = f"stagecraft-{spec.job_id}-work", f"stagecraft-{spec.job_id}-data"
    assert mounts == {"/app": ("volume", True, work), "/data": ("volume", True, data)}
    assert [(m["Destination"], m.get("Name")) for m in net["Mounts"]] == [("/app", work)]
    # IPv6 on the job's loopback, so an app bound to localhost (::1) can be reached.
    assert net["HostConfig"]["Sysctls"] == {"net.ipv6.conf.all.disable_ipv6": "0", "net.ipv6.conf.lo.disable_ipv6": "0"}
    # The grader reads the app's data volume, read-only, and takes control answers on its stdin.
    grader_mounts = {m["Destination"]: (m["Type"], m["RW"], m.get("Name")) for m in grader["Mounts"]}
    assert grader_mounts == {
        "/suite": ("bind", False, None),
        "/appdata": ("volume", False, f"stagecraft-{spec.job_id}-data"),
        "/appcode": ("volume", False, f"stagecraft-{spec.job_id}-work"),
    }
    assert grader["Config"]["OpenStdin"] is True
    app_env = dict(item.split("=", 1) for item in app["Config"]["Env"])
    assert {k: app_env[k] for k in ("PORT", "HOME", "DATA_DIR")} == {
        "PORT": "8000",
        "HOME": "/tmp",
        "DATA_DIR": "/data",
    }
    image_env = {"PATH", "LANG", "VIRTUAL_ENV", "PYTHONDONTWRITEBYTECODE", "PYTHONUNBUFFERED"}
    assert set(app_env) == {"PORT", "HOME", "DATA_DIR"} | image_env  # nothing from the host
    grader_env = dict(item.split("=", 1) for item in grader["Config"]["Env"])
    assert grader_env["APP_HOST"] == "localhost" and grader_env["APP_PORT"] == "8000"
    assert grader_env["STAGECRAFT_SERVICE_PORTS"] == ""
    assert (grader_env["APP_DATA_DIR"], grader_env["APP_CODE_DIR"]) == ("/appdata", "/appcode")
    assert grader_env["STARTUP_TIMEOUT"] == "10"  # min(15, wall / 3)


def test_a_sidecar_is_ready_on_the_shared_loopback_before_the_app_starts(built_images, engine, tmp_path):
    redis_image = image_tag("redis")  # an unknown image is a SandboxError: the test fails, it does not skip
    # No retry: the runner promises the sidecar accepts connections before the app starts.
    code = write_tree(tmp_path / "code", {"app.py": REDIS_PING_APP})
    suite = write_tree(tmp_path / "suite", {"test_redis.py": REDIS_PING_SUITE})
    spec = msgspec.structs.replace(make_spec(code, suite), services=("redis",))
    seen: dict[str, dict] = {}
    lines: list[str] = []

    def inspect_while_running(line: str) -> None:
        lines.append(line)
        if not seen:
            seen.update(running_containers(engine, spec.job_id))

    result = run_job(spec, inspect_while_running)

    assert result.ending == "completed", result.detail
    assert result.app is not None
    assert "redis said '+PONG'" in result.app.log
    assert [e["status"] for e in events_of(lines) if e["event"] == "test_end"] == ["passed"], lines
    assert set(seen) == {"net", "svc-redis", "app", "grader"}
    sidecar = seen["svc-redis"]
    assert_baseline(sidecar, spec.job_id, "svc-redis", spec.limits)
    assert sidecar["Config"]["Image"] == redis_image
    assert sidecar["HostConfig"]["NetworkMode"] == f"container:{seen['net']['Id']}"
    assert leftovers(engine, spec.job_id) == []


def test_a_sidecar_that_never_listens_is_an_infra_error_and_leaves_nothing(
    built_images, engine, hello_app, hello_suite, monkeypatch
):
    # The base image as a "sidecar": its shell exits at once, so nothing ever listens on the port.
    monkeypatch.setitem(runner.SIDECAR_PORTS, "base", 6399)
    spec = msgspec.structs.replace(make_spec(hello_app, hello_suite, wall_seconds=3), services=("base",))
    lines: list[str] = []

    result = run_job(spec, lines.append)

    assert result.ending == "infra_error"
    assert "not accepting connections on port(s) 6399" in result.detail
    assert lines == []  # neither the app nor the grader started
    assert result.duration < 6
    assert leftovers(engine, spec.job_id) == []


def test_the_app_sees_only_loopback_and_writes_only_its_copy_data_and_tmp(built_images, hello_suite, tmp_path):
    code = write_tree(tmp_path / "code", {"app.py": HELLO_APP})
    start = (
        "echo interfaces:; tail -n +3 /proc/net/dev | cut -d: -f1; echo end; id -u; "
        "touch /data/ok && echo data-writable; touch /tmp/ok && echo tmp-writable; "
        "touch /app/x && echo app-writable; touch /x 2>/dev/null || echo root-read-only; "
        "exec python app.py"
    )

    result = run_job(make_spec(code, hello_suite, start=start), lambda line: None)

    assert result.ending == "completed", result.detail
    assert result.app is not None
    log = result.app.log.splitlines()
    interfaces = log[log.index("interfaces:") + 1 : log.index("end")]
    assert [name.strip() for name in interfaces] == ["lo"]
    for expected in ("10001", "data-writable", "tmp-writable", "app-writable", "root-read-only"):
        assert expected in log


APP_ENV_SUITE = """\
from stagecraft_grader import check_equal


def test_the_app_and_the_grader_see_the_same_configuration(app, app_env):
    check_equal(app_env, {"GREETING": "hello", "RELEASE": "r-7f"}, "the grader's app_env")
    check_equal(app.get("/").text, "hello r-7f", "what the app read from its environment")
"""


def test_the_exercise_environment_reaches_the_app_and_the_grader(built_images, tmp_path):
    code = write_tree(tmp_path / "code", {"README": "served by python -m http.server"})
    suite = write_tree(tmp_path / "suite", {"test_env.py": APP_ENV_SUITE})
    # The app answers with its own environment: a shell writes it into the page it serves.
    start = (
        'mkdir -p /tmp/site && echo -n "$GREETING $RELEASE" > /tmp/site/index.html'
        ' && exec python -m http.server -d /tmp/site "$PORT"'
    )
    spec = msgspec.structs.replace(
        make_spec(code, suite, start=start), app_env={"GREETING": "hello", "RELEASE": "r-7f"}
    )
    lines: list[str] = []

    result = run_job(spec, lines.append)

    assert result.ending == "completed", result.detail
    ends = [e for e in events_of(lines) if e["event"] == "test_end"]
    assert [e["status"] for e in ends] == ["passed"], lines


def test_a_missing_image_is_an_infra_error_and_leaves_nothing(built_images, engine, hello_app, hello_suite):
    spec = make_spec(hello_app, hello_suite)

    result = run_job(spec, lambda line: None, grader_image="stagecraft/grader:missing")

    assert result.ending == "infra_error"
    assert "image missing" in result.detail
    assert leftovers(engine, spec.job_id) == []


def test_an_unknown_runtime_is_an_infra_error(hello_app, hello_suite):
    spec = JobSpec(job_id="test-cobol", runtime="cobol", code_dir=hello_app, start_command="run", suite_dir=hello_suite)

    result = run_job(spec, lambda line: None)

    assert (result.ending, result.app) == ("infra_error", None)
    assert "cobol" in result.detail


def test_an_unreachable_engine_is_an_infra_error(hello_app, hello_suite):
    # Nothing listens on the loopback's discard port: the connection is refused at once.
    client = docker.DockerClient(base_url="tcp://127.0.0.1:9", version="1.41", timeout=5)
    try:
        result = run_job(make_spec(hello_app, hello_suite), lambda line: None, client=client)
    finally:
        client.close()

    assert (result.ending, result.app) == ("infra_error", None)
    assert "ConnectionError" in result.detail


def test_the_janitor_removes_abandoned_jobs_and_spares_live_ones(built_images, engine):
    dead_owner = subprocess.Popen(["true"])
    dead_owner.wait()
    owners = {
        "unowned": None,  # made by hand or by an older version
        "dead": f"{socket.gethostname()}:{dead_owner.pid}:1",
        "live": engine_objects.owner_label(),  # this very process, with the job running
        "over": engine_objects.owner_label(),  # this process, a job whose clean-up failed (the engine was away)
        "elsewhere": "another-host:1:1",  # another machine's worker sharing the engine
    }
    jobs = {name: f"test-{uuid.uuid4().hex[:10]}" for name in owners}
    engine_objects.mark_active(jobs["live"])
    for name, job_id in jobs.items():
        labels = {"stagecraft.job": job_id} | ({"stagecraft.owner": owners[name]} if owners[name] else {})
        engine.volumes.create(name=f"stagecraft-{job_id}-data", labels=labels)
        name = f"stagecraft-{job_id}-app"
        options = {"name": name, "labels": labels, "network_mode": "none"}
        container = engine.containers.create(image_tag("base"), ["sleep", "infinity"], **options)
        container.start()
    bystander = engine.volumes.create(name=f"not-stagecraft-{jobs['unowned']}")
    try:
        removed = janitor()

        assert removed >= 6
        assert leftovers(engine, jobs["unowned"]) == leftovers(engine, jobs["dead"]) == []
        assert leftovers(engine, jobs["over"]) == []
        assert len(leftovers(engine, jobs["live"])) == len(leftovers(engine, jobs["elsewhere"])) == 2
        assert engine.volumes.get(bystander.name)
    finally:
        engine_objects.mark_done(jobs["live"])
        bystander.remove()
        for job_id in jobs.values():
            for container in engine.containers.list(all=True, filters={"label": f"stagecraft.job={job_id}"}):
                container.remove(force=True, v=True)
            for volume in engine.volumes.list(filters={"label": f"stagecraft.job={job_id}"}):
                volume.remove(force=True)


def test_past_the_stale_age_a_remote_owners_job_is_a_leftover_but_never_a_running_one_of_ours():
    now = time.time()
    created = datetime.fromtimestamp(now - engine_objects.STALE_AFTER - 1, UTC).isoformat()
    recent = datetime.fromtimestamp(now - 5, UTC).isoformat().replace("+00:00", "Z")
    elsewhere = {"stagecraft.owner": "another-host:1:1"}
    assert engine_objects._abandoned(elsewhere, created, now)
    assert not engine_objects._abandoned(elsewhere, recent, now)
    # This process's own job is never stale while it runs (a long dependency build), and gone once over.
    live = {"stagecraft.owner": engine_objects.owner_label(), "stagecraft.job": "test-live-job"}
    engine_objects.mark_active("test-live-job")
    try:
        assert not engine_objects._abandoned(live, created, now)
        assert not engine_objects._abandoned(live, "not a time", now)
    finally:
        engine_objects.mark_done("test-live-job")
    assert engine_objects._abandoned(live, recent, now)


def test_ensure_docker_is_a_no_op_when_the_engine_answers():
    script = Path(__file__).resolve().parents[2] / "scripts" / "ensure-docker"

    done = subprocess.run([str(script)], capture_output=True, text=True, timeout=60)

    assert done.returncode == 0, done.stderr
    assert "answers" in done.stdout
