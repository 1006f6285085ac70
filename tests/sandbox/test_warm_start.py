"""The warm start on a real engine: a slot made ahead serves exactly one job, a dead slot is never
used, sidecars come ready in the slot, the janitor spares a live process's slots, nothing is left
once the warm start is closed, and a job ends when the grader reports its run's end."""

from __future__ import annotations

import json
import time

import msgspec
import pytest

from stagecraft.sandbox import janitor, run_job
from stagecraft.sandbox.warm import WarmStart
from tests.sandbox.conftest import leftovers, write_tree
from tests.sandbox.test_sandbox_runner import REDIS_PING_APP, REDIS_PING_SUITE, events_of, make_spec

pytestmark = pytest.mark.docker


def _slot_ids(engine) -> set[str]:
    """Job ids of the warm slots in the engine (their objects are labelled warm-...)."""
    containers = engine.containers.list(all=True, filters={"label": "stagecraft.job"})
    return {c.labels["stagecraft.job"] for c in containers if c.labels["stagecraft.job"].startswith("warm-")}


def _wait_ready(warm: WarmStart, count: int = 1) -> None:
    deadline = time.monotonic() + 60
    while warm.ready_count() < count:
        assert time.monotonic() < deadline, "no slot was made"
        time.sleep(0.05)


def _network_of_app(engine, job_id: str, into: dict) -> callable:
    """An on_line that notes, at the first line, which namespace the job's app joined."""

    def on_line(line: str) -> None:
        into.setdefault("lines", []).append(line)
        if "app" not in into:
            [app] = engine.containers.list(filters={"label": [f"stagecraft.job={job_id}", "stagecraft.role=app"]})
            into["app"] = app.attrs["HostConfig"]["NetworkMode"]
            graders = engine.containers.list(filters={"label": "stagecraft.role=grader"})
            into["grader"] = next(g.name for g in graders if g.attrs["HostConfig"]["NetworkMode"] == into["app"])

    return on_line


@pytest.fixture
def warm():
    warm = WarmStart()
    yield warm
    warm.close()


def test_a_slot_serves_one_job_and_goes_with_it(built_images, engine, hello_app, hello_suite, warm):
    spec = make_spec(hello_app, hello_suite)
    warm.fill((spec.limits, spec.services, spec.suite_dir))
    _wait_ready(warm)
    [slot] = _slot_ids(engine)
    holder = engine.containers.list(filters={"label": [f"stagecraft.job={slot}", "stagecraft.role=net"]})[0]
    janitor()  # a live process's ready slot is no leftover
    assert leftovers(engine, slot) != []
    seen: dict = {}

    result = run_job(spec, _network_of_app(engine, spec.job_id, seen), warm=warm)

    assert result.ending == "completed", result.detail
    assert [e["status"] for e in events_of(seen["lines"]) if e["event"] == "test_end"] == ["passed"]
    assert seen["app"] == f"container:{holder.id}"  # the job ran in the slot made ahead
    assert seen["grader"] == f"stagecraft-{slot}-grader"  # with the grader started ahead
    _wait_ready(warm)  # the next job's slot is made meanwhile
    warm.close()  # waits for the job's clean-up and removes the unused slot
    assert leftovers(engine, slot) == leftovers(engine, spec.job_id) == []
    assert _slot_ids(engine) == set()


def test_a_slot_whose_holder_died_is_not_used(built_images, engine, hello_app, hello_suite, warm):
    spec = make_spec(hello_app, hello_suite)
    warm.fill((spec.limits, spec.services, spec.suite_dir))
    _wait_ready(warm)
    [slot] = _slot_ids(engine)
    engine.containers.list(filters={"label": [f"stagecraft.job={slot}", "stagecraft.role=net"]})[0].kill()
    seen: dict = {}

    result = run_job(spec, _network_of_app(engine, spec.job_id, seen), warm=warm)

    assert result.ending == "completed", result.detail
    [own_holder] = engine.containers.list(filters={"label": [f"stagecraft.job={spec.job_id}", "stagecraft.role=net"]})
    assert seen["app"] == f"container:{own_holder.id}"
    warm.close()
    assert leftovers(engine, slot) == leftovers(engine, spec.job_id) == []


def test_a_slot_brings_its_sidecars_ready(built_images, engine, tmp_path, warm):
    code = write_tree(tmp_path / "code", {"app.py": REDIS_PING_APP})
    suite = write_tree(tmp_path / "suite", {"test_redis.py": REDIS_PING_SUITE})
    spec = msgspec.structs.replace(make_spec(code, suite), services=("redis",))
    warm.fill((spec.limits, spec.services, spec.suite_dir))
    _wait_ready(warm)
    [slot] = _slot_ids(engine)
    roles = {c.labels["stagecraft.role"] for c in engine.containers.list(filters={"label": f"stagecraft.job={slot}"})}
    assert roles == {"net", "svc-redis", "grader"}  # all running already

    result = run_job(spec, lambda line: None, warm=warm)

    assert result.ending == "completed", result.detail
    assert "redis said '+PONG'" in result.app.log
    warm.close()
    assert leftovers(engine, slot) == leftovers(engine, spec.job_id) == []


def test_a_job_ends_when_the_grader_reports_the_end_of_its_run(built_images, engine, hello_app, tmp_path):
    """The grader's process may take its time to exit (here 20 s): its results are in at run_end."""
    suite = write_tree(
        tmp_path / "suite",
        {
            "conftest.py": "import atexit, time\natexit.register(time.sleep, 20)\n",
            "test_hello.py": "def test_root(app):\n    assert app.get('/').status_code == 200\n",
        },
    )
    spec = make_spec(hello_app, suite)
    lines: list[str] = []
    started = time.monotonic()

    result = run_job(spec, lines.append)

    assert time.monotonic() - started < 15
    assert (result.ending, result.grader_exit_code) == ("completed", 0)
    assert json.loads(lines[-1])["event"] == "run_end"
    assert leftovers(engine, spec.job_id) == []
