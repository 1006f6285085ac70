"""Which packages each learner runtime image already holds, and at which versions.

A project's declared packages that the image holds at a declared version need no install
(stagecraft.sandbox.dependencies). Reads repository files only (the pins and lists under
``sandboxes/``), never Docker.

* python: the distributions pinned in ``sandboxes/python/requirements.txt`` (dependencies
  included, since they are installed too), names normalised as PEP 503 says;
* node: the module names listed in ``sandboxes/node/debian-packages.txt`` and the
  ``dependencies`` of ``sandboxes/node/package.json`` (npm names are already canonical).
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

from stagecraft.dependencies.requirements import normalise_python_name
from stagecraft.sandbox import SandboxError
from stagecraft.sandbox.images import RUNTIMES, default_repo_root

# The node image's Node.js (major.minor; Debian's point releases move the patch level), for
# checking a project's engines.node. tests/sandbox/test_runtimes.py checks it against the image.
NODE_VERSION = "20.19"
# A PEP 508 name at the start of a requirement line; what follows (extras, versions, markers,
# "@ url") does not matter here.
_REQUIREMENT_NAME = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?")
# What may follow the name in a requirement (not "+", ":" or "/", as in git+https:// or pkg/):
# the end, extras, a version, a marker or "@ url".
_ENDS_A_NAME = re.compile(r"\s|$|[\[(<>=!~;@]")


def available_packages(runtime: str, repo_root: Path | None = None) -> frozenset[str]:
    """The normalised names of the packages the ``runtime`` image offers."""
    return _available(runtime, (repo_root or default_repo_root()).resolve())


def image_python_pins(repo_root: Path | None = None) -> dict[str, str]:
    """The python image's packages and their exact versions (normalised name -> version)."""
    return _python_pins((repo_root or default_repo_root()).resolve())


@cache
def _python_pins(repo_root: Path) -> dict[str, str]:
    pins = {}
    for line in _read_lines(repo_root / "sandboxes" / "python" / "requirements.txt"):
        name, separator, version = re.sub(r"\s#.*", "", line).strip().partition("==")
        if separator and name and not name.startswith("#"):
            pins[normalise_python_name(name.strip())] = version.strip()
    return pins


@cache
def _available(runtime: str, repo_root: Path) -> frozenset[str]:
    # Cached per process: the lists change only with a new checkout (and a new image tag).
    folder = repo_root / "sandboxes" / runtime
    if runtime == "python":
        return frozenset(_python_requirements(folder / "requirements.txt"))
    if runtime == "node":
        return frozenset(_debian_modules(folder / "debian-packages.txt") | _node_dependencies(folder / "package.json"))
    raise SandboxError(f"unknown runtime {runtime!r}; known: {', '.join(RUNTIMES)}")


def _python_requirements(path: Path) -> set[str]:
    """The names a requirements file declares, without comments, options, versions or extras.

    A line that names no package (a URL, a local path) is kept whole: nothing installs it in
    the sandbox, so it is missing as well, and the learner recognises their own line.
    """
    names = set()
    for line in _read_lines(path):
        line = re.sub(r"(^|\s)#.*", "", line).strip()
        if not line or line.startswith("-"):  # blank, or -r / -c / -e / --index-url ...
            continue
        match = _REQUIREMENT_NAME.match(line)
        if match is None or not _ENDS_A_NAME.match(line, match.end()):
            names.add(line)
        else:
            names.add(normalise_python_name(match.group()))
    return names


def _node_dependencies(path: Path) -> set[str]:
    if not path.is_file():
        return set()
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise SandboxError(f"{path.name} is not valid JSON: {exc}") from exc
    dependencies = manifest.get("dependencies") if isinstance(manifest, dict) else None
    if dependencies is None:
        return set()
    if not isinstance(dependencies, dict):
        raise SandboxError(f'{path.name}: "dependencies" must be an object of names and versions')
    return {name.lower() for name in dependencies}


def _debian_modules(path: Path) -> set[str]:
    """The module names of ``debian-packages.txt``: every word after a line's package name."""
    modules = set()
    for line in _read_lines(path):
        words = line.split("#", 1)[0].split()
        modules.update(word.lower() for word in words[1:])
    return modules


def _read_lines(path: Path) -> list[str]:
    if not path.is_file():
        return []
    try:
        return path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise SandboxError(f"cannot read {path.name}: {exc}") from exc
