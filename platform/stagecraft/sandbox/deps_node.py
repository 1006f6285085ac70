"""Node.js dependencies: ``npm ci`` / ``npm install`` on the host with install scripts off, then,
for packages with install scripts or native code, ``npm rebuild`` in the node-build container.

The tree is mounted as /app/node_modules, so ``require``, ``import`` and ``npm start``
(node_modules/.bin) find it.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import docker
import docker.errors
import requests

from stagecraft.dependencies import NodeDeclared
from stagecraft.dependencies.semver import parse_version, satisfies
from stagecraft.sandbox import SandboxError
from stagecraft.sandbox.deps_build import UNREACHABLE, DependencyFailure, build, check_size, host_fetch
from stagecraft.sandbox.engine import local_engine
from stagecraft.sandbox.images import image_tag
from stagecraft.sandbox.packages import NODE_VERSION

Log = Callable[[str], None]


def node_image_suffices(declared: NodeDeclared, node_versions: dict[str, str]) -> bool:
    """Whether the node image holds every dependency at a version in its range (no lock: a lock is
    honoured by installing it, since it pins every transitive package too)."""
    return not declared.has_lock and all(
        name in node_versions and satisfies(parse_version(node_versions[name]), wanted) is True
        for name, wanted in declared.dependencies.items()
    )


_NODE_VERSIONS_SCRIPT = """
const fs = require("fs"), out = {};
for (const entry of fs.readdirSync("/node_modules")) {
  const names = entry.startsWith("@") ? fs.readdirSync("/node_modules/" + entry).map((n) => entry + "/" + n) : [entry];
  for (const name of names) {
    try { out[name] = JSON.parse(fs.readFileSync("/node_modules/" + name + "/package.json")).version; } catch {}
  }
}
console.log(JSON.stringify(out));
"""


def node_image_versions(store_dir: Path, client) -> dict[str, str]:
    """The node image's own modules and their versions, read once per image tag (Debian's float)."""
    tag = image_tag("node")
    cached = store_dir / f".node-image-{tag.rpartition(':')[2]}.json"
    try:
        return json.loads(cached.read_text())
    except (OSError, ValueError):
        pass
    own_client = client is None
    client = client or local_engine()
    try:
        output = client.containers.run(
            tag, ["node", "-e", _NODE_VERSIONS_SCRIPT], network_mode="none", read_only=True,
            user="10001:10001", cap_drop=["ALL"], security_opt=["no-new-privileges"], remove=True,
        )  # fmt: skip
    except (docker.errors.DockerException, requests.RequestException) as exc:
        raise SandboxError(f"cannot read the node image's module versions: {exc}") from exc
    finally:
        if own_client:
            client.close()
    versions = json.loads(output)
    store_dir.mkdir(parents=True, exist_ok=True)
    cached.write_text(json.dumps(versions))
    return versions


def prepare_node(declared: NodeDeclared, project_dir: Path, scratch: Path, settings, client, log: Log) -> Path:
    npm = shutil.which("npm")
    if npm is None:
        raise SandboxError("npm is not installed on the host (apt-get install npm)")
    work = scratch / "project"
    work.mkdir()
    manifest = json.loads((project_dir / "package.json").read_text(encoding="utf-8-sig"))
    # Only what npm needs to install: no scripts of the project's own (they would run nowhere anyway).
    manifest = {k: v for k, v in manifest.items() if k in ("name", "version", "dependencies", "devDependencies")}
    manifest["dependencies"] = declared.dependencies
    manifest.pop("devDependencies", None)
    (work / "package.json").write_text(json.dumps(manifest))
    lock = project_dir / "package-lock.json"
    use_lock = declared.has_lock and lock.is_file()
    if use_lock:
        shutil.copyfile(lock, work / "package-lock.json")
    verb = ["ci"] if use_lock else ["install", "--no-package-lock"]
    cmd = [
        npm, *verb, "--ignore-scripts", "--no-audit", "--no-fund", "--no-update-notifier", "--loglevel=warn",
        "--include=prod", "--prefix", str(work),
    ]  # fmt: skip
    if settings.npm_cache is not None:
        cmd += ["--cache", str(settings.npm_cache)]
    if settings.npm_registry:
        cmd += ["--registry", settings.npm_registry]
    output = host_fetch(cmd, "npm install")
    if output is not None and use_lock and "npm ci" in output and "in sync" in output:
        # The lock does not match package.json: npm install would repair it on the learner's machine too.
        raise DependencyFailure(
            "package-lock.json does not match package.json: run `npm install` and submit both files again.", output
        )
    if output is not None:
        log(output)
        if UNREACHABLE.search(output):
            raise SandboxError(f"the npm registry could not be reached:\n{output[-2000:]}")
        raise DependencyFailure(_explain_npm(output), log=output)
    modules = work / "node_modules"
    modules.mkdir(exist_ok=True)
    check_size(modules, settings.max_tree_mb)
    if not _needs_build(modules):
        tree = scratch / "tree"
        modules.rename(tree)
        return tree
    command = ["stagecraft-node-rebuild"]
    return build(client, image_tag("node-build"), {"node_modules": modules, "package.json": work / "package.json"},
                  command, "/build/node_modules", scratch, settings, "building native packages")  # fmt: skip


def check_engines(declared: NodeDeclared) -> None:
    if not declared.engines_node:
        return
    if satisfies(parse_version(NODE_VERSION), declared.engines_node) is False:
        raise DependencyFailure(
            f'package.json says "engines": {{"node": "{declared.engines_node}"}}, but the sandbox runs Node.js '
            f"{NODE_VERSION}. Widen the range if your code runs on Node.js {NODE_VERSION.split('.')[0]}."
        )


def _explain_npm(output: str) -> str:
    missing = re.search(r"404 Not Found - GET \S+/(@?[^\s/]+(?:%2[fF][^\s/]+)?)", output)
    if missing is not None:
        name = missing.group(1).replace("%2f", "/").replace("%2F", "/")
        return f"{name} is not on the npm registry. Check its spelling in package.json."
    target = re.search(r"No matching version found for (\S+)", output)
    if target is not None:
        return f"No published version matches {target.group(1)}. Check the version range in package.json."
    if "ERESOLVE" in output:
        return "npm could not resolve your dependencies (a peer dependency conflict); the log below explains it."
    return "npm could not install your project's packages; its output is in the log below."


def _needs_build(modules: Path) -> bool:
    """Whether any installed package has native code or an install script (skipped on the host)."""
    for manifest in modules.rglob("package.json"):
        if manifest.is_symlink():
            continue
        if (manifest.parent / "binding.gyp").is_file():
            return True
        try:
            scripts = json.loads(manifest.read_text(encoding="utf-8")).get("scripts") or {}
        except (OSError, ValueError, AttributeError):
            continue
        if isinstance(scripts, dict) and any(k in scripts for k in ("preinstall", "install", "postinstall")):
            return True
    return False
