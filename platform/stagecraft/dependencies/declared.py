"""Read the dependencies a learner's project declares, treating every file as hostile input.

Nothing is executed and nothing leaves the project folder: files are opened without following
links, capped in size, decoded and parsed here. Every problem a learner can cause is a
DependencyError whose message names the file and says what to change.

Python, first match wins for the requirement list (pyproject.toml is always read besides):

* ``uv.lock``: pinned ``name==version`` for everything the root project needs, transitively,
  without optional or dev dependencies; markers along the way are combined with ``and``/``or``;
* ``poetry.lock``: pinned ``name==version`` for its main group (stagecraft.dependencies.poetry);
* ``Pipfile.lock``: pinned ``name==version`` for its "default" section ("develop" is ignored);
* ``requirements.txt``: requirement lines in file order, following ``-r`` inside the project.
  Index, link and hash options are dropped; constraint files (``-c``) are ignored;
* ``pyproject.toml``: ``[project].dependencies``, or Poetry's ``[tool.poetry.dependencies]``.

Editable (``-e``), VCS, URL and local-path requirements cannot be installed offline: they are
listed in ``unsupported_lines`` as the learner wrote them, for the caller to refuse.

Files are read by stagecraft.dependencies.files, locks by .locks, requirement strings by
.requirements; Node projects by stagecraft.dependencies.node.
"""

from __future__ import annotations

import posixpath
import re
import shlex
from pathlib import Path, PurePosixPath
from typing import Any

from packaging.specifiers import InvalidSpecifier, SpecifierSet

from stagecraft.dependencies import DependencyError, PythonDeclared, poetry
from stagecraft.dependencies.files import (
    MAX_FILE_BYTES,
    MAX_LOCK_BYTES,
    decode_pip_text,
    exists,
    read_bytes,
    read_toml,
)
from stagecraft.dependencies.locks import read_pipfile_lock, read_uv_lock
from stagecraft.dependencies.node import NODE_FILES
from stagecraft.dependencies.requirements import URL, Collected, check_requirement

MAX_REQUIREMENT_FILES = 50
PYTHON_SOURCES = ("uv.lock", "poetry.lock", "Pipfile.lock", "requirements.txt")
PIP_DEFAULT_BUILD_REQUIRES = ("setuptools>=40.8.0",)

_COMMENT = re.compile(r"(^|\s+)#.*$")  # pip's: "#" at the start or after whitespace
_FILE_OPTIONS = {"-r": "-r", "--requirement": "-r", "-c": "-c", "--constraint": "-c", "-e": "-e", "--editable": "-e"}


def read_python(project_dir: Path) -> PythonDeclared | None:
    """What the Python project declares; None when it has no dependency file."""
    root = Path(project_dir)
    project, build_system = _read_pyproject(root)
    # A Poetry project: [tool.poetry] (name, dependencies, python) where [project] would be.
    tool_poetry = _tool_poetry(root)
    poetry_requirements, poetry_python = poetry.tool_requirements(tool_poetry)
    # Read even when another file wins: installing the project needs them valid.
    declared_in_pyproject = _pyproject_dependencies(project) if project is not None else None
    source = _python_source(root)
    if source == "uv.lock":
        requirements, unsupported = read_uv_lock(root, project)
    elif source == "poetry.lock":
        requirements, unsupported = poetry.lock_requirements(read_toml(root / source, source, MAX_LOCK_BYTES))
    elif source == "Pipfile.lock":
        requirements, unsupported = read_pipfile_lock(root)
    elif source == "requirements.txt":
        reader = _RequirementsReader(root)
        reader.read(PurePosixPath("requirements.txt"))
        requirements, unsupported = reader.requirements, reader.unsupported
    elif declared_in_pyproject is not None:
        source, (requirements, unsupported) = "pyproject.toml", declared_in_pyproject
    elif tool_poetry:
        source, requirements, unsupported = "pyproject.toml", poetry_requirements, []
    else:
        return None
    project = project or {}
    named = isinstance(project.get("name"), str) and project["name"] != ""
    installable = named and (build_system is not None or "scripts" in project)
    return PythonDeclared(
        requirements=tuple(requirements),
        source=source,
        installable_project=installable,
        build_requires=_build_requires(build_system) if installable else (),
        requires_python=_requires_python(project) or poetry_python,
        unsupported_lines=tuple(unsupported),
    )


def input_files(runtime: str, project_dir: Path) -> list[Path]:
    """The dependency files ``read_python`` or ``read_node`` reads: exactly what a cache key must hash.

    pyproject.toml, and the file the requirements come from: a lock, or requirements.txt with
    the files its ``-r`` lines reach. DependencyError as ``read_python``.
    """
    root = Path(project_dir)
    if runtime == "node":
        return [root / name for name in NODE_FILES if exists(root / name)]
    if runtime != "python":
        raise ValueError(f"unknown runtime {runtime!r}")
    source = _python_source(root)
    names = ["pyproject.toml"] if exists(root / "pyproject.toml") else []
    if source == "requirements.txt":
        reader = _RequirementsReader(root)
        reader.read(PurePosixPath("requirements.txt"))
        names += [str(path) for path in reader.files]
    elif source is not None:
        names.append(source)
    return [root / name for name in names]


def _python_source(root: Path) -> str | None:
    """The file the requirement list comes from when not pyproject.toml: a lock wins, since it pins."""
    return next((name for name in PYTHON_SOURCES if exists(root / name)), None)


class _RequirementsReader(Collected):
    """pip's requirements-file syntax, without its network: ``-r`` is followed inside the project only."""

    def __init__(self, root: Path) -> None:
        super().__init__()
        self.root = root
        self.files: list[PurePosixPath] = []

    def read(self, relative: PurePosixPath) -> None:
        if relative in self.files:
            return  # already read (a cycle or a diamond): pip would recurse forever
        if len(self.files) >= MAX_REQUIREMENT_FILES:
            raise DependencyError(f"{relative}: more than {MAX_REQUIREMENT_FILES} requirement files; merge some")
        self.files.append(relative)
        label = str(relative)
        text = decode_pip_text(read_bytes(self.root / relative, label, MAX_FILE_BYTES), label)
        for number, line in _logical_lines(text):
            self._read_line(relative, number, line)

    def _read_line(self, relative: PurePosixPath, number: int, line: str) -> None:
        where = f"{relative} line {number}"
        cut = next((m.start() for m in re.finditer(r"\S+", line) if m.group().startswith("-")), len(line))
        requirement = line[:cut].strip()
        try:
            options = shlex.split(line[cut:])
        except ValueError:
            raise DependencyError(f"{where}: a quote is not closed; close it or remove it") from None
        if requirement:  # per-requirement options (--hash, --config-settings) are dropped
            self.add(requirement, where, line)
            return
        for option, value in _file_options(options, where):
            if option == "-e":
                self.add_unsupported(line)
            elif option == "-r" and URL.match(value):
                self.add_unsupported(line)
            elif option == "-r":
                self.read(self._inside_project(relative, value, f"{where}: {line}"))

    def _inside_project(self, relative: PurePosixPath, value: str, where: str) -> PurePosixPath:
        """The project file ``-r value`` names; ``where`` is the learner's line, as they wrote it."""
        joined = posixpath.normpath(posixpath.join(str(relative.parent), value))
        if value.startswith(("/", "~")) or joined == ".." or joined.startswith("../"):
            raise DependencyError(f"{where} points outside your project; keep requirement files inside it")
        target = PurePosixPath(joined)
        for depth in range(1, len(target.parts) + 1):
            if (self.root.joinpath(*target.parts[:depth])).is_symlink():
                raise DependencyError(f"{where} goes through a symbolic link; use the file itself")
        if not exists(self.root / target):
            hint = " (write paths with /, not \\)" if "\\" in where else ""
            raise DependencyError(f"{where} names a file that is not in your project{hint}")
        return target


def _logical_lines(text: str) -> list[tuple[int, str]]:
    """(first line number, line) with continuations joined and comments and blank lines removed, as pip does."""
    lines, pending, first = [], [], 0
    for number, line in enumerate(text.splitlines(), start=1):
        if line.endswith("\\") and not _COMMENT.match(line):
            first = first if pending else number
            pending.append(line.strip("\\"))
            continue
        if pending:
            line = "".join(pending) + (" " + line if _COMMENT.match(line) else line)
            number, pending = first, []
        lines.append((number, line))
    if pending:
        lines.append((first, "".join(pending)))
    return [(number, stripped) for number, line in lines if (stripped := _COMMENT.sub("", line).strip())]


def _file_options(options: list[str], where: str) -> list[tuple[str, str]]:
    """The -r, -c and -e options of a line with their values; every other option is dropped."""
    found, index = [], 0
    while index < len(options):
        token = options[index]
        index += 1
        name, _, value = token.partition("=") if token.startswith("--") else (token[:2], "", token[2:])
        option = _FILE_OPTIONS.get(name)
        if option is None:
            continue
        if not value and index < len(options):
            value, index = options[index], index + 1
        if not value:
            raise DependencyError(f"{where}: {name} needs a file name after it")
        if option != "-c":  # constraints only narrow versions; an offline install needs none
            found.append((option, value))
    return found


# Python: pyproject.toml


def _tool_poetry(root: Path) -> dict[str, Any]:
    if not exists(root / "pyproject.toml"):
        return {}
    table = (read_toml(root / "pyproject.toml", "pyproject.toml", MAX_FILE_BYTES).get("tool") or {}).get("poetry")
    return table if isinstance(table, dict) else {}


def _read_pyproject(root: Path) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """The [project] and [build-system] tables, each None when absent."""
    if not exists(root / "pyproject.toml"):
        return None, None
    data = read_toml(root / "pyproject.toml", "pyproject.toml", MAX_FILE_BYTES)
    tables = []
    for name in ("project", "build-system"):
        table = data.get(name)
        if table is not None and not isinstance(table, dict):
            raise DependencyError(f"pyproject.toml: [{name}] must be a table, written [{name}] on a line of its own")
        tables.append(table)
    project, build_system = tables
    if project is not None:
        if "name" in project and not isinstance(project["name"], str):
            raise DependencyError('pyproject.toml: [project].name must be a string, such as name = "myapp"')
        if "scripts" in project and not isinstance(project["scripts"], dict):
            raise DependencyError('pyproject.toml: [project.scripts] must be a table, such as app = "myapp:main"')
    return project, build_system


def _string_list(table: dict[str, Any], key: str, where: str) -> list[str]:
    value = table.get(key, [])
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise DependencyError(f'pyproject.toml: {where} must be a list of strings, such as ["flask>=3"]')
    return value


def _pyproject_dependencies(project: dict[str, Any]) -> tuple[list[str], list[str]]:
    collected = Collected()
    for number, text in enumerate(_string_list(project, "dependencies", "[project].dependencies"), start=1):
        collected.add(text, f"pyproject.toml [project].dependencies item {number}")
    return collected.requirements, collected.unsupported


def _build_requires(build_system: dict[str, Any] | None) -> tuple[str, ...]:
    if build_system is None:
        return PIP_DEFAULT_BUILD_REQUIRES  # what pip assumes for a project without [build-system]
    if "requires" not in build_system:
        raise DependencyError('pyproject.toml: [build-system] needs requires, such as requires = ["setuptools>=69"]')
    requires = _string_list(build_system, "requires", "[build-system].requires")
    for number, text in enumerate(requires, start=1):
        check_requirement(text, f"pyproject.toml [build-system].requires item {number}")
    return tuple(requires)


def _requires_python(project: dict[str, Any]) -> str | None:
    value = project.get("requires-python")
    if value is None:
        return None
    if not isinstance(value, str):
        raise DependencyError('pyproject.toml: requires-python must be a string, such as ">=3.11"')
    try:
        SpecifierSet(value)
    except InvalidSpecifier:
        raise DependencyError(
            f'pyproject.toml: requires-python = "{value}" is not a version range; write one such as ">=3.11"'
        ) from None
    return value
