"""Python dependencies: ``pip download`` on the host, wheels only, for the runtime image's Python
(a wheel is unpacked, never run); then ``pip install --no-index --target`` from those wheels in a
build container, which is also where a project that installs itself runs its build backend.

The tree is mounted at /deps (on PYTHONPATH, /deps/bin on PATH).
"""

from __future__ import annotations

import platform
import re
import shutil
import sys
import tomllib
from collections.abc import Callable
from pathlib import Path

from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import InvalidSpecifier, SpecifierSet

from stagecraft.dependencies import PythonDeclared
from stagecraft.dependencies.requirements import normalise_python_name
from stagecraft.sandbox import SandboxError
from stagecraft.sandbox.deps_build import UNREACHABLE, DependencyFailure, NoWheel, build, host_fetch
from stagecraft.sandbox.deps_sdist import build_from_source
from stagecraft.sandbox.images import PYTHON_IMAGES, image_tag
from stagecraft.sandbox.packages import image_python_pins
from stagecraft.sandbox.wheelhouse import platform_args

Log = Callable[[str], None]

MAX_SOURCE_BUILDS = 5  # packages of one project built from source, at most


def python_images_for(declared: PythonDeclared) -> list[str]:
    """The Python runtime images whose Python the project allows, newest first; DependencyFailure if none."""
    if not declared.requires_python:
        return list(PYTHON_IMAGES)
    try:
        allowed = SpecifierSet(declared.requires_python)
    except InvalidSpecifier:
        raise DependencyFailure(
            f'pyproject.toml: requires-python = "{declared.requires_python}" is not a valid version specifier'
        ) from None
    images = [image for image, version in PYTHON_IMAGES.items() if allowed.contains(f"{version}.0", prereleases=True)]
    if not images:
        versions = " and ".join(PYTHON_IMAGES.values())
        raise DependencyFailure(
            f'pyproject.toml says requires-python = "{declared.requires_python}", but the sandbox offers Python '
            f"{versions}. Widen requires-python if your code runs on one of them."
        )
    return images


def python_image_suffices(declared: PythonDeclared, image: str) -> bool:
    """Whether ``image`` already has every requirement at a declared version (no install needed)."""
    if declared.installable_project or declared.unsupported_lines:
        return False
    version = PYTHON_IMAGES[image]
    markers = {"python_version": version, "python_full_version": f"{version}.0"}
    pins = image_python_pins()  # the same pins in every Python runtime image
    for line in declared.requirements:
        try:
            requirement = Requirement(line)
        except InvalidRequirement:
            return False
        if requirement.marker is not None and not requirement.marker.evaluate(markers):
            continue
        pinned = pins.get(normalise_python_name(requirement.name))
        if pinned is None or requirement.extras or not requirement.specifier.contains(pinned, prereleases=True):
            return False
    return True


def prepare_python(
    declared: PythonDeclared,
    project_dir: Path,
    image: str,
    scratch: Path,
    settings,
    client,
    log: Log,
    *,
    from_source: bool = False,
) -> Path:
    """Build the tree for the runtime image ``image`` (one of PYTHON_IMAGES) in ``scratch``.

    With ``from_source``, a package PyPI has no wheel of is built from its source distribution
    (python-build container), up to MAX_SOURCE_BUILDS of them; otherwise it is `NoWheel`.
    """
    python = PYTHON_IMAGES[image]
    unsupported = [line for line in declared.unsupported_lines if not _is_self(line)]
    itself = installs_itself(declared)
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
    built = scratch / "built"  # wheels built here from source, found by pip through --find-links
    for attempt in range(MAX_SOURCE_BUILDS + 1):
        try:
            _pip_download(requirements, wheels, python, locked=locked, settings=settings, log=log, built=built)
            break
        except NoWheel as missing:
            if not from_source or attempt == MAX_SOURCE_BUILDS:
                raise
            build_from_source(
                missing.requirement, python, built, scratch, settings, client,
                lambda needs, dest: _download_list(needs, dest, python, settings, log), log,
            )  # fmt: skip
    if built.is_dir():
        for wheel in built.glob("*.whl"):
            shutil.copy(wheel, wheels / wheel.name)
    if itself:
        # What building and installing the project needs, with their own dependencies (not in a lock).
        needs = scratch / "project-needs.txt"
        needs.write_text("\n".join(_self_install_needs(project_dir, declared)) + "\n")
        _pip_download(needs, wheels, python, locked=False, settings=settings, log=log)
    inputs: dict[str, Path | bytes] = {"wheels": wheels, "requirements.txt": requirements}
    command = [
        "python", "-m", "pip", "install", "--no-index", "--find-links", "/build/wheels", "--target", "/build/deps",
        "--no-cache-dir", "--disable-pip-version-check", "--no-warn-script-location", "--progress-bar", "off",
        *(["--no-deps"] if locked else []), "-r", "/build/requirements.txt",
    ]  # fmt: skip
    if itself:
        inputs["project"] = project_dir
        command.append("/build/project")
    return build(client, image_tag(image), inputs, command, "/build/deps", scratch, settings, "pip install")


def installs_itself(declared: PythonDeclared) -> bool:
    """Whether the project itself is installed into its tree (a package, or ``-e .`` in requirements.txt)."""
    return declared.installable_project or any(_is_self(line) for line in declared.unsupported_lines)


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


def _download_list(needs: list[str], dest: Path, python: str, settings, log: Log) -> None:
    dest.mkdir(parents=True, exist_ok=True)
    listing = dest.parent / f"{dest.name}.txt"
    listing.write_text("\n".join(needs) + "\n")
    _pip_download(listing, dest, python, locked=False, settings=settings, log=log)


def _pip_download(
    requirements: Path, wheels: Path, python: str, *, locked: bool, settings, log: Log, built: Path | None = None
) -> None:
    cmd = [
        sys.executable, "-m", "pip", "download", "--disable-pip-version-check", "--no-input", "--progress-bar", "off",
        "--dest", str(wheels), *platform_args(python), *(["--no-deps"] if locked else []), "-r", str(requirements),
    ]  # fmt: skip
    if built is not None and built.is_dir():
        # Wheels built here from source are tagged linux_x86_64 (PyPI accepts none with that tag).
        cmd += ["--find-links", str(built), "--platform", f"linux_{platform.machine()}"]
    if settings.pip_cache is not None:
        cmd += ["--cache-dir", str(settings.pip_cache)]
    if settings.pip_index_url:
        cmd += ["--index-url", settings.pip_index_url]
    output = host_fetch(cmd, "pip download")
    if output is None:
        return
    log(output)
    if UNREACHABLE.search(output):
        raise SandboxError(f"the package index could not be reached:\n{output[-2000:]}")
    raise _explain_pip(output, python, settings)


def _explain_pip(output: str, python: str, settings) -> DependencyFailure:
    missing = re.search(r"No matching distribution found for ([^\s]+)", output)
    if "ResolutionImpossible" in output or "conflict" in output.lower():
        return DependencyFailure(
            "The versions your project pins conflict with each other; pip's explanation is in the log below.", output
        )
    if missing is None:
        return DependencyFailure(
            "pip could not download your project's packages; its output is in the log below.", output
        )
    requirement = missing.group(1)
    name = re.split(r"[<>=!~;\[ ]", requirement, maxsplit=1)[0]
    if not _on_the_index(name, settings):
        return DependencyFailure(
            f"{name} is not on PyPI (pip found no package of that name). Check its spelling in your dependency file.",
            output,
        )
    return NoWheel(
        f"{requirement} cannot be installed: PyPI has no wheel of it for Linux x86_64 and CPython {python} "
        "(the sandbox installs built packages only). Pick a version that has one.",
        requirement,
        output,
    )


def _on_the_index(name: str, settings) -> bool:
    """Whether the index has a package ``name`` at all (any version, any kind of file)."""
    cmd = [sys.executable, "-m", "pip", "index", "versions", "--disable-pip-version-check", "--no-input", name]
    if settings.pip_index_url:
        cmd += ["--index-url", settings.pip_index_url]
    output = host_fetch(cmd, "pip index versions")
    return output is None or "No matching distribution" not in output
