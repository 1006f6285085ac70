"""The postgres sidecar image under the sandbox baseline: ready fast, reachable on the job's loopback.

Each test starts the image the way the runner does (the same ``_baseline``, joined to a sleeping
net container that owns a loopback-only namespace with IPv6), then asks it real questions.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import docker
import pytest
from docker.models.containers import Container

from stagecraft.sandbox import Limits
from stagecraft.sandbox.images import image_tag
from stagecraft.sandbox.runner import _baseline
from tests.sandbox.conftest import leftovers

pytestmark = pytest.mark.docker

# Run in the net container (python3 from the base image): a PostgreSQL StartupMessage for role
# "app" and database "app" to each loopback address, retried while the server is starting, and
# what the server answered first. "AuthenticationOk" is what trust authentication says.
STARTUP_PROBE = """
import json, socket, struct, sys, time

def ask(host):
    body = struct.pack("!i", 196608) + b"user\\0app\\0database\\0app\\0\\0"  # protocol 3.0
    with socket.create_connection((host, 5432), timeout=2) as conn:
        conn.sendall(struct.pack("!i", len(body) + 4) + body)
        reply = conn.makefile("rb")
        kind, length = reply.read(1), struct.unpack("!i", reply.read(4))[0]
        payload = reply.read(length - 4)
    if kind == b"R" and struct.unpack("!i", payload[:4])[0] == 0:
        return "AuthenticationOk"
    return f"{kind!r} {payload!r}"

answers, end = {}, time.monotonic() + float(sys.argv[1])
for host in ("127.0.0.1", "::1"):
    while True:
        try:
            answers[host] = ask(host)
        except OSError as exc:
            answers[host] = f"{type(exc).__name__}: {exc}"
        if answers[host] == "AuthenticationOk" or time.monotonic() > end:
            break
        time.sleep(0.02)
print(json.dumps(answers))
"""


def new_job_id() -> str:
    return f"test-pg-{uuid.uuid4().hex[:10]}"


@contextmanager
def postgres_sidecar(engine: docker.DockerClient, job_id: str) -> Iterator[tuple[Container, Container]]:
    """(net, postgres) started as the runner starts a job's net container and sidecar; removed after."""
    limits = Limits()
    containers: list[Container] = []
    try:
        net = engine.containers.create(
            image_tag("base"),
            ["sleep", "infinity"],
            network_mode="none",
            sysctls={"net.ipv6.conf.all.disable_ipv6": "0", "net.ipv6.conf.lo.disable_ipv6": "0"},
            **_baseline(limits, job_id, "net"),
        )
        containers.append(net)
        postgres = engine.containers.create(
            image_tag("postgres"),  # the image's own command
            network_mode=f"container:{net.id}",
            **_baseline(limits, job_id, "svc-postgres"),
        )
        containers.append(postgres)
        net.start()
        postgres.start()
        yield net, postgres
    finally:
        for container in reversed(containers):
            container.remove(force=True, v=True)


def wait_until_accepting(net: Container, seconds: float = 15) -> dict[str, str]:
    exit_code, output = net.exec_run(["python3", "-c", STARTUP_PROBE, str(seconds)])
    assert exit_code == 0, output.decode(errors="replace")
    return json.loads(output)


def psql(postgres: Container, *statements: str) -> str:
    """Run ``statements`` with psql in the sidecar (PGHOST, PGUSER, PGDATABASE come from the image)."""
    command = ["psql", "-v", "ON_ERROR_STOP=1", "-qAt"]
    for statement in statements:
        command += ["-c", statement]
    exit_code, output = postgres.exec_run(command)
    assert exit_code == 0, output.decode(errors="replace")
    return output.decode()


def test_the_image_exposes_5432_so_the_runner_waits_for_it(built_images, engine):
    config = engine.images.get(image_tag("postgres")).attrs["Config"]

    assert "5432/tcp" in config["ExposedPorts"]
    assert config["User"] == "10001:10001"


def test_role_app_gets_in_on_both_loopback_addresses_within_seconds(built_images, engine):
    with postgres_sidecar(engine, new_job_id()) as (net, postgres):
        started = time.monotonic()
        answers = wait_until_accepting(net)
        seconds = time.monotonic() - started

        assert answers == {"127.0.0.1": "AuthenticationOk", "::1": "AuthenticationOk"}, postgres.logs()
        assert seconds < 5, f"took {seconds:.1f} s to accept a connection"


def test_a_table_is_created_and_its_row_read_back(built_images, engine):
    with postgres_sidecar(engine, new_job_id()) as (net, postgres):
        wait_until_accepting(net)

        output = psql(
            postgres,
            "CREATE TABLE notes (id serial PRIMARY KEY, body text NOT NULL)",
            "INSERT INTO notes (body) VALUES ('written by a learner')",
            "SELECT id, body, current_user, current_database() FROM notes",
        )

        assert output.splitlines() == ["1|written by a learner|app|app"]


def test_the_data_is_throwaway_on_tmp_and_leaves_room_for_the_learners(built_images, engine):
    with postgres_sidecar(engine, new_job_id()) as (net, postgres):
        wait_until_accepting(net)

        settings = psql(postgres, "SELECT current_setting('data_directory'), current_setting('fsync')")
        exit_code, df = postgres.exec_run(["df", "-Pk", "/tmp"])

        assert settings.strip() == "/tmp/pgdata|off"
        assert exit_code == 0
        used_kb = int(df.decode().splitlines()[1].split()[2])
        assert used_kb < 40 * 1024, f"the cluster takes {used_kb // 1024} MB of the job's 64 MB /tmp"
        assert postgres.exec_run(["touch", "/opt/postgres/x"]).exit_code != 0  # the root stays read-only


def test_it_stops_at_once_and_leaves_nothing_behind(built_images, engine):
    job_id = new_job_id()
    with postgres_sidecar(engine, job_id) as (net, postgres):
        wait_until_accepting(net)
        postgres.exec_run(["psql", "-c", "SELECT pg_sleep(60)"], detach=True)  # a client that stays
        waiting = "SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'SELECT pg_sleep%'"
        deadline = time.monotonic() + 5
        while psql(postgres, waiting).strip() != "1" and time.monotonic() < deadline:
            time.sleep(0.05)
        started = time.monotonic()

        # STOPSIGNAL SIGINT, a fast shutdown: SIGTERM would wait for that client until the kill.
        postgres.stop(timeout=10)

        assert time.monotonic() - started < 5
        postgres.reload()
        assert postgres.attrs["State"]["ExitCode"] == 0
        assert "database system is shut down" in postgres.logs().decode()
    assert leftovers(engine, job_id) == []
