"""The learner runtimes and the redis sidecar: what they offer, and that the images deliver it.

The first half checks stagecraft.sandbox.packages against files only; the tests marked docker
run short containers from the built images, with no network, and always remove them.
"""

from __future__ import annotations

import json
import time

import docker
import pytest

from stagecraft.sandbox import SandboxError
from stagecraft.sandbox.images import RUNTIMES, SERVICES, image_tag
from stagecraft.sandbox.packages import available_packages, missing_dependencies, normalise_python_name
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


def test_an_unknown_runtime_is_an_error(tmp_path):
    with pytest.raises(SandboxError, match="unknown runtime 'ruby'"):
        missing_dependencies("ruby", tmp_path)


def test_python_names_are_normalised_as_pep_503_says():
    assert normalise_python_name("Flask_SQLAlchemy") == "flask-sqlalchemy"
    assert normalise_python_name("zope.interface") == "zope-interface"
    assert normalise_python_name("PyJWT") == "pyjwt"


def test_a_python_project_declaring_only_what_the_image_has_misses_nothing(tmp_path):
    project = write_tree(
        tmp_path / "project",
        {
            "requirements.txt": """\
                # the web part
                Flask>=3.0  # any version: nothing is installed at grading time
                uvicorn[standard]==0.30.0
                PyJWT ; python_version >= "3.8"
                argon2_cffi
                SQLAlchemy~=2.0
                --index-url https://example.invalid/simple
                -r more.txt

                requests @ https://example.invalid/requests.whl
            """
        },
    )

    assert missing_dependencies("python", project) == []


def test_a_python_project_is_told_every_package_the_image_lacks_sorted(tmp_path):
    project = write_tree(
        tmp_path / "project",
        {"requirements.txt": "flask\npsycopg[binary]==3.2\nFlask-Login>=0.6\ngit+https://example.invalid/x.git\n"},
    )

    assert missing_dependencies("python", project) == ["flask-login", "git+https://example.invalid/x.git", "psycopg"]


def test_a_python_project_without_requirements_declares_nothing(tmp_path):
    assert missing_dependencies("python", write_tree(tmp_path / "project", {"app.py": ""})) == []


def test_a_node_project_is_told_the_dependencies_the_image_lacks(tmp_path):
    manifest = {
        "name": "todo-api",
        "dependencies": {"express": "^4.18.2", "jsonwebtoken": "^9", "mongoose": "^8", "@prisma/client": "5"},
        "devDependencies": {"jest": "^29", "nodemon": "^3"},
    }
    project = write_tree(tmp_path / "project", {"package.json": json.dumps(manifest)})

    assert missing_dependencies("node", project) == ["@prisma/client", "mongoose"]


def test_a_node_project_without_package_json_or_dependencies_declares_nothing(tmp_path):
    assert missing_dependencies("node", write_tree(tmp_path / "bare", {"server.js": ""})) == []
    assert missing_dependencies("node", write_tree(tmp_path / "empty", {"package.json": '{"name": "x"}'})) == []


def test_a_broken_package_json_is_an_error_that_names_the_file(tmp_path):
    project = write_tree(tmp_path / "project", {"package.json": '{"dependencies": '})

    with pytest.raises(SandboxError, match="package.json is not valid JSON"):
        missing_dependencies("node", project)


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
