"""A project's declared dependencies: fetched on the host without running them, built in a build container.

* python: ``pip download`` on the host, wheels only, for the runtime image's platform (a
  wheel is unpacked, never run); then ``pip install --no-index --target`` in a build container
  from those wheels, which is also where an installable project's own build backend runs.
  Mounted at /deps (PYTHONPATH, and /deps/bin on PATH). A project whose every requirement the
  runtime image already meets at the declared versions needs nothing.
* node: ``npm ci`` (or ``npm install``) on the host with install scripts off; packages that have
  install scripts or native code (node-gyp) are then built in a build container with a
  toolchain and no network. Mounted as /app/node_modules, so ``require``, ``import`` and
  ``npm start`` (node_modules/.bin) find them.

Trees are kept in `DepsStore` under the hash of the image and the exact inputs. A learner's
mistake (a package that does not exist, no wheel for this platform, a failing build, a tree
over the cap) is `DependencyFailure`, whose message names the package and the reason; a
registry that cannot be reached is `SandboxError` (a platform fault, retried).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import time
import tomllib
from collections.abc import Callable
from pathlib import Path

import docker
import docker.errors
import msgspec
import requests
from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import InvalidSpecifier, SpecifierSet

from stagecraft.dependencies.declared import (
    DependencyError,
    NodeDeclared,
    PythonDeclared,
    input_files,
    normalise_python_name,
    read_node,
    read_python,
)
from stagecraft.dependencies.semver import parse_version, satisfies
from stagecraft.sandbox import SandboxError
from stagecraft.sandbox.build_container import BuildOverCap, run_build, tar_of
from stagecraft.sandbox.deps_store import DepsStore, dependency_key
from stagecraft.sandbox.images import image_tag
from stagecraft.sandbox.packages import NODE_VERSION, image_python_pins
from stagecraft.sandbox.runner import local_engine
from stagecraft.sandbox.wheelhouse import PLATFORM_ARGS, PYTHON_VERSION

Log = Callable[[str], None]

# Markers are judged for the runtime image, not for the host's Python.
_TARGET_MARKERS = {"python_version": PYTHON_VERSION, "python_full_version": f"{PYTHON_VERSION}.0"}
_FETCH_SECONDS = 300  # for the host's download of one project's packages
_BUILD_SECONDS = 300  # for the build container
_UNREACHABLE = re.compile(
    r"NewConnectionError|Max retries exceeded|Temporary failure in name resolution|Name or service not known|"
    r"ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|ECONNRESET|network request .* failed|Connection refused|"
    r"Read timed out|ProxyError"
)


class DependencyFailure(Exception):
    """The project's dependencies cannot be prepared, for a reason the learner can fix; str() says which."""

    def __init__(self, message: str, log: str = "") -> None:
        super().__init__(message)
        self.log = log  # the installer's output, for the learner


class Prepared(msgspec.Struct, frozen=True, kw_only=True):
    tree: Path | None  # None: the runtime image has everything the project declares
    cached: bool
    seconds: float
    summary: str  # "cached", "installed in 4.2 s", "nothing to install"


class DependencySettings(msgspec.Struct, frozen=True, kw_only=True):
    store_dir: Path
    max_store_bytes: int = 5 * 1024**3
    max_tree_mb: int = 400  # one project's prepared tree
    pip_cache: Path | None = None
    npm_cache: Path | None = None
    pip_index_url: str = ""  # an operator's mirror; "" is PyPI
    npm_registry: str = ""  # an operator's mirror; "" is the npm registry


def prepare_dependencies(
    runtime: str, project_dir: Path, settings: DependencySettings, *, client, log: Log = lambda line: None
) -> Prepared:
    """Make the project's declared dependencies ready for its job (blocking)."""
    started = time.monotonic()
    try:
        declared = read_python(project_dir) if runtime == "python" else read_node(project_dir)
    except DependencyError as exc:
        raise DependencyFailure(str(exc)) from None
    if isinstance(declared, PythonDeclared):
        _check_requires_python(declared)
    elif isinstance(declared, NodeDeclared):
        _check_engines(declared)
    if declared is None:
        return Prepared(tree=None, cached=False, seconds=0.0, summary="nothing to install")
    offered = _node_image_versions(settings.store_dir, client) if _may_suffice_on_node(declared) else {}
    if image_suffices(runtime, declared, offered):
        return Prepared(tree=None, cached=False, seconds=0.0, summary="nothing to install")
    image = image_tag(runtime)
    key = dependency_key(runtime, image, _key_files(runtime, project_dir, declared))
    store = DepsStore(settings.store_dir, settings.max_store_bytes)
    tree = store.get(key)
    if tree is not None:
        return Prepared(tree=tree, cached=True, seconds=time.monotonic() - started, summary="cached")
    scratch = store.scratch()
    try:
        if isinstance(declared, PythonDeclared):
            built = _prepare_python(declared, project_dir, image, scratch, settings, client, log)
        else:
            built = _prepare_node(declared, project_dir, scratch, settings, client, log)
        tree = store.put(key, built, runtime=runtime, summary=_summary(declared))
    finally:
        if scratch.exists():
            shutil.rmtree(scratch, ignore_errors=True)
    seconds = time.monotonic() - started
    return Prepared(tree=tree, cached=False, seconds=seconds, summary=f"installed in {seconds:.1f} s")


def image_suffices(runtime: str, declared: PythonDeclared | NodeDeclared, node_versions: dict[str, str]) -> bool:
    """Whether the runtime image already has every declared package at a declared version.

    ``node_versions`` are the node image's top-level modules and versions (`_node_image_versions`).
    """
    if isinstance(declared, NodeDeclared):
        return _may_suffice_on_node(declared) and all(
            name in node_versions and satisfies(parse_version(node_versions[name]), wanted) is True
            for name, wanted in declared.dependencies.items()
        )
    if declared.installable_project or declared.unsupported_lines:
        return False
    pins = image_python_pins()
    for line in declared.requirements:
        try:
            requirement = Requirement(line)
        except InvalidRequirement:
            return False
        if requirement.marker is not None and not requirement.marker.evaluate(_TARGET_MARKERS):
            continue
        version = pins.get(normalise_python_name(requirement.name))
        if version is None or requirement.extras or not requirement.specifier.contains(version, prereleases=True):
            return False
    return True


def _may_suffice_on_node(declared: NodeDeclared | PythonDeclared) -> bool:
    # A lock pins every package, transitive ones too: honoured by installing it.
    return isinstance(declared, NodeDeclared) and not declared.has_lock


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


def _node_image_versions(store_dir: Path, client) -> dict[str, str]:
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


def _key_files(runtime: str, project_dir: Path, declared: PythonDeclared | NodeDeclared) -> list[tuple[str, bytes]]:
    files = input_files(runtime, project_dir)
    if isinstance(declared, PythonDeclared) and declared.installable_project:
        # The project itself is installed into the tree: all of it is an input.
        files = [p for p in project_dir.rglob("*") if p.is_file() and not p.is_symlink()]
    return [(p.relative_to(project_dir).as_posix(), p.read_bytes()) for p in files]


def _summary(declared: PythonDeclared | NodeDeclared) -> str:
    if isinstance(declared, PythonDeclared):
        return ", ".join(declared.requirements) + (" + the project itself" if declared.installable_project else "")
    return ", ".join(f"{name}@{spec}" for name, spec in sorted(declared.dependencies.items()))


# --- Python -----------------------------------------------------------------------------------


def _prepare_python(
    declared: PythonDeclared, project_dir: Path, image: str, scratch: Path, settings, client, log: Log
) -> Path:
    unsupported = [line for line in declared.unsupported_lines if not _is_self(line)]
    installs_itself = declared.installable_project or len(unsupported) < len(declared.unsupported_lines)
    if unsupported:
        raise DependencyFailure(
            f"{declared.source} names packages that cannot be installed without a network at grading time: "
            f"{'; '.join(unsupported)}. Name each package by its name on PyPI (with a version), "
            "not by a URL, a git repository or a local path."
        )
    requirements = scratch / "requirements.txt"
    requirements.write_text("\n".join(declared.requirements) + "\n")
    wheels = scratch / "wheels"
    locked = declared.source in ("uv.lock", "Pipfile.lock")
    _pip_download(requirements, wheels, [], locked=locked, settings=settings, log=log)
    if installs_itself:
        # What building and installing the project needs, with their own dependencies (not in a lock).
        needs = scratch / "project-needs.txt"
        needs.write_text("\n".join(_self_install_needs(project_dir, declared)) + "\n")
        _pip_download(needs, wheels, [], locked=False, settings=settings, log=log)
    inputs: dict[str, Path | bytes] = {"wheels": wheels, "requirements.txt": requirements}
    command = [
        "python", "-m", "pip", "install", "--no-index", "--find-links", "/build/wheels", "--target", "/build/deps",
        "--no-cache-dir", "--disable-pip-version-check", "--no-warn-script-location", "--progress-bar", "off",
        *(["--no-deps"] if locked else []), "-r", "/build/requirements.txt",
    ]  # fmt: skip
    if installs_itself:
        inputs["project"] = project_dir
        command.append("/build/project")
    return _build(client, image, inputs, command, "/build/deps", scratch, settings, "pip install")


def _is_self(line: str) -> bool:
    """``-e .`` or ``.`` in requirements.txt: install the project itself."""
    return line.removeprefix("-e").removeprefix("--editable").strip().rstrip("/") in (".", "./")


def _self_install_needs(project_dir: Path, declared: PythonDeclared) -> list[str]:
    """The build requirements and [project.dependencies] of a project that installs itself."""
    try:
        pyproject = tomllib.loads((project_dir / "pyproject.toml").read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        pyproject = {}  # a setup.py project: setuptools, as pip assumes
    build = pyproject.get("build-system") or {}
    needs = build.get("requires") or list(declared.build_requires) or ["setuptools>=40.8.0"]
    dependencies = (pyproject.get("project") or {}).get("dependencies") or []
    return [str(item) for item in [*needs, *dependencies] if isinstance(item, str)]


def _check_requires_python(declared: PythonDeclared) -> None:
    if not declared.requires_python:
        return
    try:
        allowed = SpecifierSet(declared.requires_python)
    except InvalidSpecifier:
        raise DependencyFailure(
            f'pyproject.toml: requires-python = "{declared.requires_python}" is not a valid version specifier'
        ) from None
    if not allowed.contains(f"{PYTHON_VERSION}.0", prereleases=True):
        raise DependencyFailure(
            f'pyproject.toml says requires-python = "{declared.requires_python}", but the sandbox runs Python '
            f"{PYTHON_VERSION}. Widen requires-python if your code runs on {PYTHON_VERSION}."
        )


def _pip_download(requirements: Path, wheels: Path, extra: list[str], *, locked: bool, settings, log: Log) -> None:
    cmd = [
        sys.executable, "-m", "pip", "download", "--disable-pip-version-check", "--no-input", "--progress-bar", "off",
        "--dest", str(wheels), *PLATFORM_ARGS, *(["--no-deps"] if locked else []), "-r", str(requirements), *extra,
    ]  # fmt: skip
    if settings.pip_cache is not None:
        cmd += ["--cache-dir", str(settings.pip_cache)]
    if settings.pip_index_url:
        cmd += ["--index-url", settings.pip_index_url]
    output = _host_fetch(cmd, "pip download")
    if output is None:
        return
    log(output)
    if _UNREACHABLE.search(output):
        raise SandboxError(f"the package index could not be reached:\n{output[-2000:]}")
    raise DependencyFailure(_explain_pip(output, settings), log=output)


def _explain_pip(output: str, settings) -> str:
    missing = re.search(r"No matching distribution found for ([^\s]+)", output)
    if "ResolutionImpossible" in output or "conflict" in output.lower():
        return "The versions your project pins conflict with each other; pip's explanation is in the log below."
    if missing is None:
        return "pip could not download your project's packages; its output is in the log below."
    requirement = missing.group(1)
    name = re.split(r"[<>=!~;\[ ]", requirement, maxsplit=1)[0]
    versions = _pip_index_versions(name, settings)
    if versions is None:
        return f"{name} is not on PyPI (pip found no package of that name). Check its spelling in your dependency file."
    return (
        f"{requirement} cannot be installed: PyPI has no wheel of it for Linux x86_64 and CPython {PYTHON_VERSION} "
        "(the sandbox installs built packages only). Pick a version that has one"
        + (f"; versions on PyPI: {versions}" if versions else "")
        + "."
    )


def _pip_index_versions(name: str, settings) -> str | None:
    """The versions the index lists for ``name`` (any kind of file), None if it has no such package."""
    cmd = [sys.executable, "-m", "pip", "index", "versions", "--disable-pip-version-check", "--no-input", name]
    if settings.pip_index_url:
        cmd += ["--index-url", settings.pip_index_url]
    output = _host_fetch(cmd, "pip index versions")
    if output is None:
        return ""
    return None if "No matching distribution" in output else ""


# --- Node.js ----------------------------------------------------------------------------------


def _prepare_node(declared: NodeDeclared, project_dir: Path, scratch: Path, settings, client, log: Log) -> Path:
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
    output = _host_fetch(cmd, "npm install")
    if output is not None and use_lock and "npm ci" in output and "in sync" in output:
        # The lock does not match package.json: npm install would repair it on the learner's machine too.
        raise DependencyFailure(
            "package-lock.json does not match package.json: run `npm install` and submit both files again.", output
        )
    if output is not None:
        log(output)
        if _UNREACHABLE.search(output):
            raise SandboxError(f"the npm registry could not be reached:\n{output[-2000:]}")
        raise DependencyFailure(_explain_npm(output), log=output)
    modules = work / "node_modules"
    modules.mkdir(exist_ok=True)
    _check_size(modules, settings.max_tree_mb)
    if not _needs_build(modules):
        tree = scratch / "tree"
        modules.rename(tree)
        return tree
    command = ["stagecraft-node-rebuild"]
    return _build(client, image_tag("node-build"), {"node_modules": modules, "package.json": work / "package.json"},
                  command, "/build/node_modules", scratch, settings, "building native packages")  # fmt: skip


def _check_engines(declared: NodeDeclared) -> None:
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


# --- shared -----------------------------------------------------------------------------------


def _host_fetch(cmd: list[str], what: str) -> str | None:
    """Run a fetching command on the host (one that runs no package code); its output if it failed."""
    try:
        done = subprocess.run(
            cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=_FETCH_SECONDS
        )
    except subprocess.TimeoutExpired:
        raise SandboxError(f"{what} took longer than {_FETCH_SECONDS} s (is the registry slow?)") from None
    except OSError as exc:
        raise SandboxError(f"{what}: cannot run {cmd[0]}: {exc}") from exc
    if done.returncode == 0:
        return None
    return done.stdout.decode("utf-8", "replace")[-20_000:]


def _check_size(tree: Path, max_mb: int) -> None:
    from stagecraft.sandbox.deps_store import tree_size

    size = tree_size(tree)
    if size > max_mb * 1024 * 1024:
        raise DependencyFailure(
            f"your dependencies take {size // 1024**2} MiB installed; at most {max_mb} MiB are allowed. "
            "Drop the packages your server does not use."
        )


def _build(client, image, inputs, command, output, scratch, settings, what) -> Path:
    name = f"deps-{scratch.name.removeprefix('.build-')}"
    own_client = client is None
    client = client or local_engine()
    try:
        run, container = run_build(
            client, image, name=name, inputs=tar_of(inputs), command=command, environment={},
            seconds=_BUILD_SECONDS, cap_mb=settings.max_tree_mb + 200,
        )  # fmt: skip
        try:
            if run.exit_code in (124, 137):  # timeout's exit codes: the time limit ended it
                raise DependencyFailure(f"{what} took longer than {_BUILD_SECONDS} s and was stopped.", run.log)
            if run.exit_code != 0:
                raise DependencyFailure(_explain_build(what, run.log), run.log)
            tree = container.take(output, scratch / "out", settings.max_tree_mb * 1024 * 1024)
        except BuildOverCap:
            raise DependencyFailure(
                f"your dependencies take more than {settings.max_tree_mb} MiB installed; at most "
                f"{settings.max_tree_mb} MiB are allowed. Drop the packages your server does not use."
            ) from None
        finally:
            container.remove()
    finally:
        if own_client:
            client.close()
    _check_size(tree, settings.max_tree_mb)
    final = scratch / "tree"
    tree.rename(final)
    return final


def _explain_build(what: str, log: str) -> str:
    missing_header = re.search(r"fatal error: ([\w./+-]+\.h): No such file", log)
    if missing_header:
        return (
            f"{what} failed: a package needs the system library header {missing_header.group(1)}, "
            "which the sandbox does not have. Use a pure-Python or pure-JavaScript alternative; the log is below."
        )
    if "No space left on device" in log:
        return f"{what} failed: the installed packages are larger than the size cap allows."
    return f"{what} failed; the end of its log is below."
