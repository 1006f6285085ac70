"""The native-addon build step: npm packages fetched on the host, built in the node-build sandbox.

A learner's dependencies are installed on the host with `npm install --ignore-scripts` (no
package code runs there); the node-build image (sandboxes/node-build) then runs the install
scripts that compile native addons in the platform's build container (no network, read-only
root, uid 10001, no capabilities, memory, pids and time limits), and the addons load in the
node runtime image.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import uuid
from pathlib import Path

import docker
import pytest

from stagecraft.sandbox.build_container import BuildRun, run_build, tar_of
from stagecraft.sandbox.images import image_tag
from tests.sandbox.conftest import REPO_ROOT, write_tree

NPM_CACHE = Path(os.environ.get("STAGECRAFT_DATA_DIR") or REPO_ROOT / "data") / "cache" / "npm"
# Learners pin versions. 12.x names Node 20 and later in its engines, yet builds and runs on
# bookworm's Node 18 (and on trixie's Node 20); 13.x needs Node 22.
BETTER_SQLITE3 = "better-sqlite3@12.11.1"
SHARP = "sharp@0.34.5"  # its native part comes as @img/sharp-linux-x64 and @img/sharp-libvips-linux-x64
# Compiling SQLite's amalgamation takes one to three minutes on one busy core; the deadline
# is there so that a hung build fails the test rather than the run.
BUILD_SECONDS = 900
TREE_MB = 512

_RUNTIME_SANDBOX = {
    "network_mode": "none",
    "read_only": True,
    "tmpfs": {"/tmp": "size=64m,mode=1777"},
    "user": "10001:10001",
    "cap_drop": ["ALL"],
    "security_opt": ["no-new-privileges"],
    "mem_limit": "256m",
    "pids_limit": 64,
    "labels": {"stagecraft.test": "node-build"},
}


@pytest.fixture(scope="session")
def node_build_image(built_images: list[str]) -> str:
    return image_tag("node-build")


def npm_install(project: Path, *packages: str, bin_links: bool = True) -> None:
    """What the platform does on the host: fetch and unpack, run no package code (``packages``: npm's args)."""
    npm = shutil.which("npm")
    if npm is None:
        pytest.fail("npm is not installed on the host (scripts/setup installs it)")
    command = [
        npm, "install", "--ignore-scripts", "--omit=dev", "--no-audit", "--no-fund", "--no-update-notifier",
        "--loglevel=warn", "--cache", str(NPM_CACHE), *([] if bin_links else ["--no-bin-links"]), *packages,
    ]  # fmt: skip
    result = subprocess.run(command, cwd=project, capture_output=True, text=True, timeout=600, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def build_in_sandbox(engine: docker.DockerClient, image: str, project: Path) -> tuple[BuildRun, Path | None]:
    """The build step: the project's package.json and node_modules/ into /build, the image's rebuild.

    The run, and the built node_modules copied out into the project (None when the build failed).
    """
    inputs = tar_of({"package.json": project / "package.json", "node_modules": project / "node_modules"})
    run, container = run_build(
        engine,
        image,
        name=f"test-node-build-{uuid.uuid4().hex[:12]}",
        inputs=inputs,
        command=["stagecraft-node-rebuild"],
        environment={},
        seconds=BUILD_SECONDS,
        cap_mb=TREE_MB,
    )
    try:
        if run.exit_code != 0:
            return run, None
        return run, container.take("/build/node_modules", project / "built", TREE_MB * 1024 * 1024)
    finally:
        container.remove()


def run_in_runtime(engine: docker.DockerClient, node_modules: Path, script: str) -> tuple[int, str]:
    """``node -e script`` in the node runtime image, from /app, with ``node_modules`` read-only in it."""
    mounts = {str(node_modules): {"bind": "/app/node_modules", "mode": "ro"}}
    container = engine.containers.create(image_tag("node"), ["node", "-e", script], volumes=mounts, **_RUNTIME_SANDBOX)
    try:
        container.start()
        exit_code = container.wait(timeout=120)["StatusCode"]
        return exit_code, container.logs().decode(errors="replace")
    finally:
        container.remove(force=True)


# --- the image -------------------------------------------------------------------------------------


@pytest.mark.docker
def test_the_build_image_runs_its_rebuild_as_the_sandbox_user_in_build(node_build_image, engine):
    config = engine.images.get(node_build_image).attrs["Config"]

    assert (config["User"], config["WorkingDir"], config["Cmd"]) == (
        "10001:10001",
        "/build",
        ["stagecraft-node-rebuild"],
    )


@pytest.mark.docker
def test_the_build_image_has_the_runtimes_node_so_addons_match_its_abi(node_build_image, engine):
    command = ["node", "-p", "process.version + ' ' + process.versions.modules + ' ' + process.versions.napi"]

    versions = [
        engine.containers.run(image, command, remove=True, **_RUNTIME_SANDBOX).decode().strip()
        for image in (node_build_image, image_tag("node"))
    ]

    assert versions[0] == versions[1]


# --- a real native addon ---------------------------------------------------------------------------


@pytest.mark.docker
def test_better_sqlite3_builds_from_source_offline_and_loads_in_the_runtime(node_build_image, engine, tmp_path):
    project = write_tree(tmp_path / "project", {"package.json": '{"name": "todo-api", "version": "1.0.0"}\n'})
    npm_install(project, BETTER_SQLITE3)
    assert not list((project / "node_modules").rglob("*.node"))  # nothing built, nothing downloaded yet

    run, built = build_in_sandbox(engine, node_build_image, project)

    assert run.exit_code == 0, run.log
    assert "nodejs.org" not in run.log, "node-gyp tried to download Node's headers"
    assert built is not None and (built / "better-sqlite3" / "build" / "Release" / "better_sqlite3.node").is_file()
    script = (
        "const Database = require('better-sqlite3');\n"
        "const db = new Database(':memory:');\n"
        "console.log(JSON.stringify(db.prepare('SELECT 1 + 1 AS x').get()));\n"
    )
    assert run_in_runtime(engine, built, script) == (0, '{"x":2}\n')


_HELLO_ADDON = {
    "package.json": json.dumps(
        {"name": "hello-addon", "version": "1.0.0", "main": "index.js", "scripts": {"install": "node-gyp rebuild"}}
    ),
    "binding.gyp": "{'targets': [{'target_name': 'hello', 'sources': ['hello.c']}]}",
    "index.js": "module.exports = require('./build/Release/hello.node');\n",
    "hello.c": """\
        #include <node_api.h>

        static napi_value hello(napi_env env, napi_callback_info info) {
          napi_value greeting;
          napi_create_string_utf8(env, "hello from C", NAPI_AUTO_LENGTH, &greeting);
          return greeting;
        }

        NAPI_MODULE_INIT() {
          napi_value fn;
          napi_create_function(env, "hello", NAPI_AUTO_LENGTH, hello, NULL, &fn);
          napi_set_named_property(env, exports, "hello", fn);
          return exports;
        }
        """,
}


@pytest.mark.docker
def test_a_node_gyp_from_npm_builds_against_the_system_headers_too(node_build_image, engine, tmp_path):
    # sqlite3 5 brings node-gyp 8 along, and node_modules/.bin comes first on an install script's
    # PATH: without the system headers named, that node-gyp downloads Node's from nodejs.org.
    # Installed with no links, which the build makes itself (install scripts call bins).
    write_tree(tmp_path / "hello-addon", _HELLO_ADDON)
    project = write_tree(tmp_path / "project", {"package.json": '{"name": "todo-api", "version": "1.0.0"}\n'})
    npm_install(project, "node-gyp@8.4.1", "--install-links", "../hello-addon", bin_links=False)

    run, built = build_in_sandbox(engine, node_build_image, project)

    assert run.exit_code == 0, run.log
    assert "using node-gyp@8.4.1" in run.log, run.log
    assert "nodejs.org" not in run.log, "node-gyp tried to download Node's headers"
    assert built is not None
    assert run_in_runtime(engine, built, "console.log(require('hello-addon').hello())") == (0, "hello from C\n")


@pytest.mark.docker
def test_a_binary_that_comes_as_a_registry_package_is_used_not_rebuilt(node_build_image, engine, tmp_path):
    # sharp's install script builds from source (and fails: no libvips) when told to, so the
    # build must not force building from source on every package.
    project = write_tree(tmp_path / "project", {"package.json": '{"name": "gallery-api", "version": "1.0.0"}\n'})
    npm_install(project, SHARP)

    run, built = build_in_sandbox(engine, node_build_image, project)

    assert run.exit_code == 0, run.log
    assert "build from source" not in run.log, run.log
    assert built is not None
    script = (
        "const sharp = require('sharp');\n"
        "sharp({ create: { width: 2, height: 2, channels: 3, background: 'red' } }).png().toBuffer()\n"
        "  .then((png) => sharp(png).metadata()).then((m) => console.log(m.format, m.width));\n"
    )
    assert run_in_runtime(engine, built, script) == (0, "png 2\n")


# --- what an install script can reach --------------------------------------------------------------

_PROBE = """\
const fs = require("fs");
const http = require("http");
const net = require("net");
const report = { writes: {} };
for (const path of ["/build/probe", "/tmp/probe", "/etc/probe", "/usr/local/lib/probe", "/app/probe"]) {
  try {
    fs.writeFileSync(path, "x");
    report.writes[path] = "ok";
  } catch (err) {
    report.writes[path] = err.code;
  }
}
function done() {
  if (report.http && report.tcp) console.log("PROBE " + JSON.stringify(report));
}
// A name (no resolver answers) and an address from TEST-NET-1 (RFC 5737), which nothing routes:
// with no interface but loopback, neither leaves the container.
http.get("http://example.com/", (res) => { report.http = "reached " + res.statusCode; done(); })
  .on("error", (err) => { console.log(String(err)); report.http = err.code; done(); });
net.connect(80, "192.0.2.1").on("connect", () => { report.tcp = "connected"; done(); })
  .on("error", (err) => { console.log(String(err)); report.tcp = err.code; done(); });
setTimeout(() => { report.http ||= "timeout"; report.tcp ||= "timeout"; done(); }, 10000).unref();
"""


@pytest.fixture
def probing_project(tmp_path: Path) -> Path:
    """A project whose dependency's install script tries the network and writes everywhere."""
    return write_tree(
        tmp_path / "project",
        {
            "package.json": json.dumps(
                {
                    "name": "learner-app",
                    "version": "1.0.0",
                    "dependencies": {"probe": "1.0.0"},
                    "scripts": {"postinstall": "echo THE-LEARNERS-SCRIPT-RAN"},
                }
            ),
            "node_modules/probe/package.json": json.dumps(
                {"name": "probe", "version": "1.0.0", "scripts": {"install": "node probe.js"}}
            ),
            "node_modules/probe/probe.js": _PROBE,
        },
    )


@pytest.mark.docker
def test_an_install_script_reaches_no_network_and_writes_only_to_build_and_tmp(
    node_build_image, engine, probing_project
):
    run, _ = build_in_sandbox(engine, node_build_image, probing_project)

    assert run.exit_code == 0, run.log
    [line] = [line for line in run.log.splitlines() if line.startswith("PROBE ")]
    report = json.loads(line.removeprefix("PROBE "))
    assert report["http"] in {"EAI_AGAIN", "ENOTFOUND"}, run.log  # no name resolves
    assert report["tcp"] in {"ENETUNREACH", "EHOSTUNREACH"}, run.log  # no route leaves the container
    assert report["writes"] == {
        "/build/probe": "ok",
        "/tmp/probe": "ok",
        "/etc/probe": "EROFS",
        "/usr/local/lib/probe": "EROFS",
        "/app/probe": "EROFS",
    }


@pytest.mark.docker
def test_the_learners_own_install_scripts_do_not_run(node_build_image, engine, probing_project):
    # They need the project's sources (a "postinstall": "tsc", say), which the build never sees.
    run, _ = build_in_sandbox(engine, node_build_image, probing_project)

    assert run.exit_code == 0, run.log
    assert "building probe" in run.log
    assert "THE-LEARNERS-SCRIPT-RAN" not in run.log


@pytest.mark.docker
def test_an_addon_that_does_not_compile_fails_the_build_with_the_compilers_message(node_build_image, engine, tmp_path):
    project = write_tree(
        tmp_path / "project",
        {
            "package.json": '{"name": "learner-app", "version": "1.0.0", "dependencies": {"broken": "1.0.0"}}',
            "node_modules/broken/package.json": '{"name": "broken", "version": "1.0.0"}',
            "node_modules/broken/binding.gyp": "{'targets': [{'target_name': 'broken', 'sources': ['broken.cc']}]}",
            "node_modules/broken/broken.cc": "#include <node_api.h>\nthis is not C++;\n",
        },
    )

    run, built = build_in_sandbox(engine, node_build_image, project)

    assert run.exit_code != 0 and built is None
    assert "broken.cc:2" in run.log and "error" in run.log, run.log
    assert "nodejs.org" not in run.log


@pytest.mark.docker
def test_a_project_without_native_packages_builds_nothing(node_build_image, engine, tmp_path):
    project = write_tree(
        tmp_path / "project",
        {
            "package.json": '{"name": "learner-app", "version": "1.0.0", "dependencies": {"plain": "1.0.0"}}',
            "node_modules/plain/package.json": '{"name": "plain", "version": "1.0.0", "main": "index.js"}',
            "node_modules/plain/index.js": "module.exports = 1;\n",
        },
    )

    run, built = build_in_sandbox(engine, node_build_image, project)

    assert run.exit_code == 0 and built is not None
    assert "nothing to build" in run.log
