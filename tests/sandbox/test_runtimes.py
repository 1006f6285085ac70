"""The learner runtimes and the redis sidecar: what they offer, and that the images deliver it.

The first half checks stagecraft.sandbox.packages against files only; the tests marked docker
run short containers from the built images, with no network, and always remove them.
"""

from __future__ import annotations

import json
import time

import docker
import pytest

from stagecraft.dependencies.declared import read_python
from stagecraft.dependencies.requirements import normalise_python_name
from stagecraft.sandbox import SandboxError
from stagecraft.sandbox.deps_python import python_image_suffices
from stagecraft.sandbox.images import RUNTIMES, SERVICES, image_tag
from stagecraft.sandbox.packages import NODE_VERSION, available_packages, image_python_pins
from stagecraft.sandbox.wheelhouse import PYTHON_VERSION
from tests.sandbox.conftest import REPO_ROOT, write_tree

# What real projects of the curriculum reach for; the images must keep offering these.
PYTHON_PACKAGES = {
    "flask", "fastapi", "uvicorn", "websockets", "django", "litestar", "sqlalchemy", "pyjwt",
    "bcrypt", "argon2-cffi", "redis", "requests", "httpx",
}  # fmt: skip
NODE_MODULES = {"express", "ws", "sqlite3", "redis", "jsonwebtoken", "bcryptjs"}


# --- what each runtime offers (files only) ------------------------------------------------------


def test_the_python_runtime_offers_the_common_web_packages():
    assert PYTHON_PACKAGES <= available_packages("python")


def test_the_node_runtime_offers_the_common_web_modules():
    assert NODE_MODULES <= available_packages("node")


def test_an_unknown_runtime_is_an_error():
    with pytest.raises(SandboxError, match="unknown runtime 'ruby'"):
        available_packages("ruby")


def test_the_python_image_pins_are_read_with_their_versions():
    pins = image_python_pins()
    assert PYTHON_PACKAGES <= set(pins)
    assert pins["flask"].count(".") == 2 and pins["argon2-cffi"][0].isdigit()


@pytest.mark.parametrize(
    ("requirements", "needs_install"),
    [
        ("Flask>=3.0\nSQLAlchemy~=2.1\nPyJWT ; python_version >= '3.8'\n", False),
        ("flask\nuvicorn\n", False),
        ("tomli>=2 ; python_version < '3.11'\nflask\n", False),  # a marker the image's Python skips
        ("Flask==3.0.3\n", True),  # another version than the image's
        ("flask\nflask-sqlalchemy\n", True),  # a package the image lacks
        ("uvicorn[standard]\n", True),  # extras may pull in more
    ],
)
def test_a_project_needs_an_install_only_for_what_the_image_does_not_meet(tmp_path, requirements, needs_install):
    project = write_tree(tmp_path / "project", {"requirements.txt": requirements})
    declared = read_python(project)
    assert declared is not None
    assert python_image_suffices(declared, "python") is not needs_install


# --- the built images deliver it -----------------------------------------------------------------


def run_once(engine: docker.DockerClient, image: str, command: list[str]) -> tuple[int, str]:
    """Run ``command`` to its end in a sandbox-like container (no network); exit code and output."""
    container = engine.containers.create(image, command, **_SANDBOX_LIKE)
    try:
        container.start()
        exit_code = container.wait(timeout=120)["StatusCode"]
        return exit_code, container.logs().decode(errors="replace")
    finally:
        container.remove(force=True)


_SANDBOX_LIKE = {
    "network_mode": "none",
    "read_only": True,
    "tmpfs": {"/tmp": "size=64m,mode=1777"},
    "cap_drop": ["ALL"],
    "security_opt": ["no-new-privileges"],
    "labels": {"stagecraft.test": "runtimes"},
}


@pytest.mark.docker
@pytest.mark.parametrize("name", [*RUNTIMES, *SERVICES])
def test_every_runtime_and_sidecar_runs_as_the_sandbox_user(built_images, engine, name):
    config = engine.images.get(image_tag(name)).attrs["Config"]

    assert config["User"] == "10001:10001"
    if name in RUNTIMES:
        assert config["WorkingDir"] == "/app"


@pytest.mark.docker
def test_the_python_image_holds_exactly_the_pinned_packages(built_images, engine):
    exit_code, output = run_once(engine, image_tag("python"), ["python", "-m", "pip", "freeze"])

    assert exit_code == 0, output
    installed = {normalise_python_name(line.split("==")[0]) + "==" + line.split("==")[1] for line in output.split()}
    pins = {
        normalise_python_name(name) + "==" + version
        for name, version in (
            line.split("#")[0].strip().split("==")
            for line in (REPO_ROOT / "sandboxes" / "python" / "requirements.txt").read_text().splitlines()
            if line.split("#")[0].strip()
        )
    }
    assert installed == pins


@pytest.mark.docker
def test_the_images_run_the_runtime_versions_dependency_checks_assume(built_images, engine):
    # requires-python, engines.node and the wheels fetched for a project are judged by these.
    python = engine.containers.run(image_tag("python"), ["python", "--version"], network_mode="none", remove=True)
    node = engine.containers.run(image_tag("node"), ["node", "--version"], network_mode="none", remove=True)
    assert python.decode().startswith(f"Python {PYTHON_VERSION}.")
    assert node.decode().startswith(f"v{NODE_VERSION}.")


def test_the_python_image_imports_the_frameworks_and_hashes_passwords(built_images, engine):
    script = (
        "import flask, fastapi, uvicorn, django, litestar, sqlalchemy, jwt, bcrypt, argon2, redis, websockets, "
        "requests, httpx\n"
        "assert bcrypt.checkpw(b'pw', bcrypt.hashpw(b'pw', bcrypt.gensalt(4)))\n"
        "assert argon2.PasswordHasher().verify(argon2.PasswordHasher().hash('pw'), 'pw')\n"
        "assert jwt.decode(jwt.encode({'sub': 'x'}, 'k' * 32), 'k' * 32, algorithms=['HS256']) == {'sub': 'x'}\n"
        "print('ok')"
    )

    exit_code, output = run_once(engine, image_tag("python"), ["python", "-c", script])

    assert (exit_code, output.strip()) == (0, "ok")


@pytest.mark.docker
def test_the_node_image_offers_every_module_it_lists_from_app(built_images, engine):
    modules = sorted(available_packages("node"))
    script = (
        f"for (const name of {json.dumps(modules)}) require(name);\n"
        "const sqlite3 = require('sqlite3');\n"
        "const jwt = require('jsonwebtoken');\n"
        "const bcrypt = require('bcryptjs');\n"
        "if (!bcrypt.compareSync('pw', bcrypt.hashSync('pw', 4))) throw new Error('bcryptjs');\n"
        "if (jwt.verify(jwt.sign({ sub: 'x' }, 'k'), 'k').sub !== 'x') throw new Error('jsonwebtoken');\n"
        "new sqlite3.Database(':memory:').get('SELECT 1 + 1 AS two', (err, row) => {\n"
        "  if (err || row.two !== 2) throw err || new Error('sqlite3');\n"
        "  console.log('ok ' + process.cwd());\n"
        "});\n"
    )

    exit_code, output = run_once(engine, image_tag("node"), ["node", "-e", script])

    assert (exit_code, output.strip()) == (0, "ok /app")


@pytest.mark.docker
def test_the_redis_sidecar_answers_ping_on_loopback_and_keeps_nothing(built_images, engine):
    assert "6379/tcp" in engine.images.get(image_tag("redis")).attrs["Config"]["ExposedPorts"]
    container = engine.containers.create(image_tag("redis"), **_SANDBOX_LIKE)  # the image's own command
    try:
        container.start()
        deadline, reply = time.monotonic() + 15, b""
        while time.monotonic() < deadline and reply.strip() != b"PONG":
            reply = container.exec_run(["redis-cli", "-h", "127.0.0.1", "-p", "6379", "ping"]).output
            time.sleep(0.1)
        assert reply.strip() == b"PONG", container.logs().decode(errors="replace")
        for setting, expected in (("save", ""), ("appendonly", "no"), ("bind", "127.0.0.1")):
            result = container.exec_run(["redis-cli", "config", "get", setting])
            assert result.output.decode().split("\n")[1] == expected
        assert container.exec_run(["id", "-u"]).output.strip() == b"10001"
    finally:
        container.remove(force=True)
