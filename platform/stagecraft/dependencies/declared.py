"""Read the dependencies a learner's project declares, treating every file as hostile input.

Nothing is executed and nothing leaves the project folder: files are opened without following
links, capped in size, decoded and parsed here. Every problem a learner can cause is a
DependencyError whose message names the file and says what to change.

Python, first match wins for the requirement list (pyproject.toml is always read besides):

* ``uv.lock``: pinned ``name==version`` for everything the root project needs, transitively,
  without optional or dev dependencies; markers along the way are combined with ``and``/``or``;
* ``Pipfile.lock``: pinned ``name==version`` for its "default" section ("develop" is ignored);
* ``requirements.txt``: requirement lines in file order, following ``-r`` inside the project.
  Index, link and hash options are dropped; constraint files (``-c``) are ignored;
* ``pyproject.toml``: ``[project].dependencies``.

Editable (``-e``), VCS, URL and local-path requirements cannot be installed offline: they are
listed in ``unsupported_lines`` as the learner wrote them, for the caller to refuse.

Node reads ``package.json``: its "dependencies", plus each of its devDependencies whose name is a
word of ``scripts.start`` (``tsx server.ts``, ``npx nodemon app.js``, ``node --import tsx/esm``),
since such a start command cannot work without them.
"""

from __future__ import annotations

import codecs
import errno
import json
import os
import posixpath
import re
import shlex
import stat
import tomllib
from collections import deque
from pathlib import Path, PurePosixPath
from typing import Any

from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import InvalidSpecifier, SpecifierSet

from stagecraft.dependencies import DependencyError, NodeDeclared, PythonDeclared

MAX_FILE_BYTES = 1024 * 1024
MAX_LOCK_BYTES = 16 * 1024 * 1024  # a lock lists every wheel of every package: 1 MiB is a mid-sized project
MAX_REQUIREMENT_FILES = 50
PYTHON_SOURCES = ("uv.lock", "Pipfile.lock", "requirements.txt")
NODE_FILES = ("package.json", "package-lock.json", "npm-shrinkwrap.json")
PIP_DEFAULT_BUILD_REQUIRES = ("setuptools>=40.8.0",)

# UTF-32 first: its little-endian BOM starts with UTF-16's.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_COMMENT = re.compile(r"(^|\s+)#.*$")  # pip's: "#" at the start or after whitespace
_URL = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*://|file:|[A-Za-z]:[\\/])")  # https://, git+ssh://, C:\
_ARCHIVE = re.compile(r"\.(whl|zip|tar|tar\.gz|tgz|tar\.bz2|tbz|tar\.xz|txz)$", re.IGNORECASE)
_FILE_OPTIONS = {"-r": "-r", "--requirement": "-r", "-c": "-c", "--constraint": "-c", "-e": "-e", "--editable": "-e"}
_SCRIPT_WORD = re.compile(r"[^\s;&|()<>=\"'`]+")
_MAX_MARKER_TERMS = 8  # beyond this a package reached by many marked paths is taken unconditionally


def normalise_python_name(name: str) -> str:
    """PEP 503: ``Flask_SQLAlchemy`` and ``flask.sqlalchemy`` are both ``flask-sqlalchemy``."""
    return re.sub(r"[-_.]+", "-", name).lower()


def read_text(path: Path) -> str:
    """A dependency text file decoded as pip does: by its BOM, else as UTF-8 (or BOM-less UTF-16)."""
    return _decode_pip_text(_read_bytes(path, path.name, MAX_FILE_BYTES), path.name)


def read_python(project_dir: Path) -> PythonDeclared | None:
    """What the Python project declares; None when it has no dependency file."""
    root = Path(project_dir)
    project, build_system = _read_pyproject(root)
    # Read even when another file wins: installing the project needs them valid.
    declared_in_pyproject = _pyproject_dependencies(project) if project is not None else None
    source = _python_source(root)
    if source == "uv.lock":
        requirements, unsupported = _read_uv_lock(root, project)
    elif source == "Pipfile.lock":
        requirements, unsupported = _read_pipfile_lock(root)
    elif source == "requirements.txt":
        reader = _RequirementsReader(root)
        reader.read(PurePosixPath("requirements.txt"))
        requirements, unsupported = reader.requirements, reader.unsupported
    elif declared_in_pyproject is not None:
        source, (requirements, unsupported) = "pyproject.toml", declared_in_pyproject
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
        requires_python=_requires_python(project),
        unsupported_lines=tuple(unsupported),
    )


def read_node(project_dir: Path) -> NodeDeclared | None:
    """What the Node project declares; None when it has no package.json."""
    root = Path(project_dir)
    if not _exists(root / "package.json"):
        return None
    manifest = _read_json(root / "package.json", "package.json", MAX_FILE_BYTES)
    if not isinstance(manifest, dict):
        raise DependencyError('package.json must hold one JSON object, such as {"dependencies": {}}')
    dependencies = _string_map(manifest, "dependencies")
    start = _object(manifest, "scripts", '{"start": "node server.js"}').get("start")
    if start is not None and not isinstance(start, str):
        raise DependencyError('package.json: "scripts.start" must be a command in a string, such as "node server.js"')
    words = _script_words(start or "")
    for name, version in _string_map(manifest, "devDependencies").items():
        if name in words:
            dependencies.setdefault(name, version)
    module_type = manifest.get("type", "commonjs")
    if module_type not in ("module", "commonjs"):
        raise DependencyError('package.json: "type" must be "module" or "commonjs" (or left out, for commonjs)')
    engines_node = _object(manifest, "engines", '{"node": ">=20"}').get("node")
    if engines_node is not None and not isinstance(engines_node, str):
        raise DependencyError('package.json: "engines.node" must be a version range in a string, such as ">=20"')
    return NodeDeclared(
        dependencies=dependencies,
        has_lock=_check_npm_lock(root),
        start_script=start,
        module_type=module_type,
        engines_node=engines_node,
    )


def input_files(runtime: str, project_dir: Path) -> list[Path]:
    """The dependency files ``read_python`` or ``read_node`` reads: exactly what a cache key must hash.

    pyproject.toml, and the file the requirements come from: a lock, or requirements.txt with
    the files its ``-r`` lines reach. DependencyError as ``read_python``.
    """
    root = Path(project_dir)
    if runtime == "node":
        return [root / name for name in NODE_FILES if _exists(root / name)]
    if runtime != "python":
        raise ValueError(f"unknown runtime {runtime!r}")
    source = _python_source(root)
    names = ["pyproject.toml"] if _exists(root / "pyproject.toml") else []
    if source == "requirements.txt":
        reader = _RequirementsReader(root)
        reader.read(PurePosixPath("requirements.txt"))
        names += [str(path) for path in reader.files]
    elif source is not None:
        names.append(source)
    return [root / name for name in names]


def _python_source(root: Path) -> str | None:
    """The file the requirement list comes from when not pyproject.toml: a lock wins, since it pins."""
    return next((name for name in PYTHON_SOURCES if _exists(root / name)), None)


# Reading files


def _exists(path: Path) -> bool:
    return os.path.lexists(path)


def _read_bytes(path: Path, label: str, limit: int) -> bytes:
    """The file's bytes; never through a link, never from a folder, fifo or device, never past ``limit``."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise DependencyError(f"{label} is a symbolic link; put the file itself in your project") from None
        raise DependencyError(f"{label} cannot be read ({exc.strerror}); upload it as a plain file") from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise DependencyError(f"{label} is a folder; it must be a file")
        if not stat.S_ISREG(info.st_mode):
            raise DependencyError(f"{label} is not a plain file; upload it as one")
        chunks, size = [], 0
        while chunk := os.read(fd, 1024 * 1024):
            chunks.append(chunk)
            size += len(chunk)
            if size > limit:
                raise DependencyError(f"{label} is larger than {limit // (1024 * 1024)} MiB; list only what you need")
        return b"".join(chunks)
    except OSError as exc:
        raise DependencyError(f"{label} cannot be read ({exc.strerror}); upload it as a plain file") from None
    finally:
        os.close(fd)


def _decode_pip_text(data: bytes, label: str) -> str:
    refused = DependencyError(f"{label} is not text pip can read: save it as UTF-8")
    encoding, start = "utf-8", 0
    for bom, name in _BOMS:
        if data.startswith(bom):
            encoding, start = name, len(bom)
            break
    else:
        encoding = _utf16_without_bom(data) or encoding
    try:
        text = data[start:].decode(encoding)
    except UnicodeDecodeError:
        raise refused from None
    if "\x00" in text:
        raise refused
    return text


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 when NULs sit in every other byte, as they do for ASCII text in UTF-16."""
    if b"\x00" not in data or len(data) % 2:
        return None
    even, odd = data[0::2].count(0), data[1::2].count(0)
    if odd * 4 > len(data) and even * 10 < odd:
        return "utf-16-le"
    if even * 4 > len(data) and odd * 10 < even:
        return "utf-16-be"
    return None


def _decode_utf8(data: bytes, label: str, *, bom_allowed: bool) -> str:
    if data.startswith(codecs.BOM_UTF8):
        if not bom_allowed:
            raise DependencyError(f"{label} starts with a byte order mark: save it as UTF-8 without BOM")
        data = data[len(codecs.BOM_UTF8) :]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise DependencyError(f"{label} is not UTF-8 text: save it as UTF-8") from None


def _read_json(path: Path, label: str, limit: int) -> Any:
    # npm strips a UTF-8 BOM too; any other encoding fails in npm as well.
    text = _decode_utf8(_read_bytes(path, label, limit), label, bom_allowed=True)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise DependencyError(
            f"{label} is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}; fix it there"
        ) from None
    except (ValueError, RecursionError):  # numbers past Python's digit limit, nesting past its stack
        raise DependencyError(
            f"{label} is not JSON that can be read: remove its huge numbers or deep nesting"
        ) from None


def _read_toml(path: Path, label: str, limit: int) -> dict[str, Any]:
    # Build tools read TOML as UTF-8 without BOM (tomllib): a BOM would fail in the sandbox.
    text = _decode_utf8(_read_bytes(path, label, limit), label, bom_allowed=False)
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise DependencyError(f"{label} is not valid TOML: {exc}; fix it there") from None
    except (ValueError, RecursionError):
        raise DependencyError(
            f"{label} is not TOML that can be read: remove its huge numbers or deep nesting"
        ) from None


# Python: requirement strings


_REQUIREMENT_ADVICE = "write a package name with an optional version, such as flask==3.0.3 or requests>=2.31"


def _check_requirement(text: str, where: str, advice: str = _REQUIREMENT_ADVICE) -> Requirement:
    try:
        return Requirement(text)
    except InvalidRequirement as exc:
        reason = str(exc).splitlines()[0] if str(exc) else "not PEP 508"
        raise DependencyError(f"{where}: {text!r} is not a valid requirement ({reason}); {advice}") from None


def _looks_like_location(text: str) -> bool:
    """A URL, VCS link, local path or archive rather than a package name (pip installs these without an index)."""
    head = text.split(";", 1)[0].strip()
    if _URL.match(head) or head.startswith((".", "/", "\\", "~")):
        return True
    return "/" in head.split("@", 1)[0] or "\\" in head or bool(_ARCHIVE.search(head))


def _requirement_key(requirement: Requirement) -> tuple[str, ...]:
    extras = ",".join(sorted(normalise_python_name(extra) for extra in requirement.extras))
    marker = str(requirement.marker) if requirement.marker else ""
    return normalise_python_name(requirement.name), extras, str(requirement.specifier), marker


class _Collected:
    """Requirement strings in first-seen order, without repeats; the lines nothing can install offline."""

    def __init__(self, advice: str = _REQUIREMENT_ADVICE) -> None:
        self.requirements: list[str] = []
        self.unsupported: list[str] = []
        self._keys: set[tuple[str, ...]] = set()
        self._advice = advice  # what to do about an invalid requirement

    def add(self, text: str, where: str, line: str | None = None) -> None:
        if _looks_like_location(text):
            self.add_unsupported(line or text)
            return
        requirement = _check_requirement(text, where, self._advice)
        if requirement.url:
            self.add_unsupported(line or text)
        elif (key := _requirement_key(requirement)) not in self._keys:
            self._keys.add(key)
            self.requirements.append(text)

    def add_unsupported(self, line: str) -> None:
        if line not in self.unsupported:
            self.unsupported.append(line)


class _RequirementsReader(_Collected):
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
        text = _decode_pip_text(_read_bytes(self.root / relative, label, MAX_FILE_BYTES), label)
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
            elif option == "-r" and _URL.match(value):
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
        if not _exists(self.root / target):
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


def _read_pyproject(root: Path) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """The [project] and [build-system] tables, each None when absent."""
    if not _exists(root / "pyproject.toml"):
        return None, None
    data = _read_toml(root / "pyproject.toml", "pyproject.toml", MAX_FILE_BYTES)
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
    collected = _Collected()
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
        _check_requirement(text, f"pyproject.toml [build-system].requires item {number}")
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


# Python: lock files


def _broken(label: str, what: str, fix: str) -> DependencyError:
    return DependencyError(f"{label} is broken ({what}); {fix}")


def _read_uv_lock(root: Path, project: dict[str, Any] | None) -> tuple[list[str], list[str]]:
    fix = "run `uv lock` to write it again"
    data = _read_toml(root / "uv.lock", "uv.lock", MAX_LOCK_BYTES)
    if data.get("version") != 1:
        raise _broken("uv.lock", f"version = {data.get('version')!r}, Stagecraft reads version 1", fix)
    packages = data.get("package", [])
    if not isinstance(packages, list) or not all(_is_uv_package(package) for package in packages):
        raise _broken("uv.lock", "a [[package]] entry lacks its name or source", fix)
    name = normalise_python_name(project["name"]) if project and isinstance(project.get("name"), str) else None
    roots = [i for i, package in enumerate(packages) if package["source"] in ({"editable": "."}, {"virtual": "."})]
    roots = roots or [i for i, package in enumerate(packages) if normalise_python_name(package["name"]) == name]
    if not roots:
        raise _broken("uv.lock", "it has no entry for your project", fix)
    markers = _uv_closure(packages, roots, fix)
    collected = _Collected(advice=fix)
    for index, package in enumerate(packages):
        if index in roots or index not in markers:
            continue
        source = package["source"]
        if "registry" not in source:
            kind, location = next(iter(source.items()))
            collected.add_unsupported(f"{package['name']} @ {'git+' if kind == 'git' else ''}{location}")
            continue
        if not isinstance(package.get("version"), str):
            raise _broken("uv.lock", f"{package['name']} has no version", fix)
        pin = f"{package['name']}=={package['version']}" + (f" ; {markers[index]}" if markers[index] else "")
        collected.add(pin, "uv.lock")
    return collected.requirements, collected.unsupported


def _is_uv_package(package: Any) -> bool:
    return (
        isinstance(package, dict)
        and isinstance(package.get("name"), str)
        and isinstance(package.get("source"), dict)
        and len(package["source"]) >= 1
        and all(isinstance(value, str) for value in package["source"].values())
    )


def _uv_closure(packages: list[dict[str, Any]], roots: list[int], fix: str) -> dict[int, str]:
    """Every package the roots need (not their extras or dev groups), with the marker under which it is needed."""
    by_name: dict[str, list[int]] = {}
    for index, package in enumerate(packages):
        by_name.setdefault(normalise_python_name(package["name"]), []).append(index)
    # A node is a package, or one extra of it; its condition is a set of markers joined by "or" ("" is always).
    conditions: dict[tuple[int, str | None], frozenset[str]] = {}
    work: deque[tuple[int, str | None]] = deque()

    def reach(node: tuple[int, str | None], condition: frozenset[str]) -> None:
        merged = conditions.get(node, frozenset()) | condition
        if "" in merged or len(merged) > _MAX_MARKER_TERMS:
            merged = frozenset({""})
        if merged != conditions.get(node):
            conditions[node] = merged
            work.append(node)

    for root in roots:
        reach((root, None), frozenset({""}))
    while work:
        index, extra = node = work.popleft()
        package = packages[index]
        if extra is None:
            edges = package.get("dependencies", [])
        else:
            optional = package.get("optional-dependencies", {})
            edges = optional.get(extra, []) if isinstance(optional, dict) else None
        if not isinstance(edges, list) or not all(isinstance(edge, dict) for edge in edges):
            raise _broken("uv.lock", f"the dependencies of {package['name']} are not a list of tables", fix)
        for edge in edges:
            target = _uv_target(by_name, packages, edge, package["name"], fix)
            marker = edge.get("marker", "")
            extras = edge.get("extra", [])
            if (
                not isinstance(marker, str)
                or not isinstance(extras, list)
                or not all(isinstance(e, str) for e in extras)
            ):
                raise _broken("uv.lock", f"a dependency of {package['name']} has a bad marker or extra", fix)
            condition = frozenset(_and_markers(term, marker) for term in conditions[node])
            for target_extra in (None, *extras):
                reach((target, target_extra), condition)
    needed: dict[int, frozenset[str]] = {}
    for (index, _), condition in conditions.items():
        needed[index] = needed.get(index, frozenset()) | condition
    return {index: _or_markers(terms) for index, terms in needed.items()}


def _uv_target(by_name: dict[str, list[int]], packages: list[dict[str, Any]], edge: dict, parent: str, fix: str) -> int:
    name = edge.get("name")
    candidates = by_name.get(normalise_python_name(name), []) if isinstance(name, str) else []
    if "version" in edge:
        candidates = [i for i in candidates if packages[i].get("version") == edge["version"]]
    if len(candidates) != 1:
        raise _broken("uv.lock", f"{parent} depends on {name!r}, which it does not list once", fix)
    return candidates[0]


def _or_markers(terms: frozenset[str]) -> str:
    if "" in terms:
        return ""
    return next(iter(terms)) if len(terms) == 1 else " or ".join(f"({term})" for term in sorted(terms))


def _and_markers(left: str, right: str) -> str:
    if not left or not right:
        return left or right
    return f"({left}) and ({right})"


def _read_pipfile_lock(root: Path) -> tuple[list[str], list[str]]:
    fix = "run `pipenv lock` to write it again"
    data = _read_json(root / "Pipfile.lock", "Pipfile.lock", MAX_LOCK_BYTES)
    default = data.get("default") if isinstance(data, dict) else None
    if not isinstance(default, dict):
        raise _broken("Pipfile.lock", 'it has no "default" section', fix)
    collected = _Collected(advice=fix)
    for name, entry in default.items():
        if not isinstance(entry, dict):
            raise _broken("Pipfile.lock", f"the entry of {name} is not an object", fix)
        location = next((f"{k}+{entry[k]}" for k in ("git", "hg", "svn", "bzr") if k in entry), None)
        location = location or next((entry[k] for k in ("file", "path") if k in entry), None)
        if location is not None:
            collected.add_unsupported(f"{name} @ {location}")
            continue
        version, markers = entry.get("version"), entry.get("markers")
        if not isinstance(version, str) or not version.startswith("==") or not isinstance(markers, str | None):
            raise _broken("Pipfile.lock", f"{name} has no pinned version", fix)
        collected.add(f"{name}{version}" + (f" ; {markers}" if markers else ""), "Pipfile.lock")
    return collected.requirements, collected.unsupported


# Node


def _object(manifest: dict[str, Any], key: str, example: str) -> dict[str, Any]:
    value = manifest.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise DependencyError(f'package.json: "{key}" must be an object, such as {example}')
    return value


def _string_map(manifest: dict[str, Any], key: str) -> dict[str, str]:
    value = manifest.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict) or not all(isinstance(version, str) for version in value.values()):
        raise DependencyError(
            f'package.json: "{key}" must be an object of package names and version ranges, '
            'such as {"express": "^4.19.2"}'
        )
    return dict(value)


def _script_words(script: str) -> set[str]:
    """The package names a start command may mean: each word, its package part and its file name."""
    words = set()
    for word in _SCRIPT_WORD.findall(script):
        parts = word.split("/")
        words.update({word, parts[-1], "/".join(parts[:2]) if word.startswith("@") else parts[0]})
    return words


def _check_npm_lock(root: Path) -> bool:
    """Whether a lock is present; npm prefers npm-shrinkwrap.json, so that is the one checked."""
    for label in ("npm-shrinkwrap.json", "package-lock.json"):
        if _exists(root / label):
            lock = _read_json(root / label, label, MAX_LOCK_BYTES)
            if not isinstance(lock, dict) or not isinstance(lock.get("lockfileVersion"), int):
                raise _broken(label, "it has no lockfileVersion", "run `npm install` to write it again, or delete it")
            return True
    return False
