"""What a learner's project declares it needs, read from its dependency files without running them.

`stagecraft.dependencies.declared` reads the files; these are the answers it gives.
"""

from __future__ import annotations

import msgspec


class DependencyError(ValueError):
    """A dependency file the learner must fix; str(exc) is for the learner, naming the file and what to change."""


class PythonDeclared(msgspec.Struct, frozen=True, kw_only=True):
    """The packages a Python project asks for, and whether the project itself must be installed."""

    requirements: tuple[str, ...]  # PEP 508 strings as written (locks: "name==version ; marker"), deduplicated
    source: str  # the file they came from: "uv.lock", "Pipfile.lock", "requirements.txt" or "pyproject.toml"
    installable_project: bool  # pyproject.toml names a [project] with [build-system] or [project.scripts]
    build_requires: tuple[str, ...]  # [build-system].requires when installable, else ()
    requires_python: str | None  # [project].requires-python, verbatim
    unsupported_lines: tuple[str, ...]  # editable, VCS, URL and local-path requirements, as the learner wrote them


class NodeDeclared(msgspec.Struct, frozen=True, kw_only=True):
    """The packages a Node project asks for, and how it starts."""

    dependencies: dict[str, str]  # "dependencies", plus the devDependencies that scripts.start names
    has_lock: bool  # npm-shrinkwrap.json or package-lock.json is present (and valid)
    start_script: str | None  # scripts.start
    module_type: str  # "module" or "commonjs"
    engines_node: str | None  # engines.node, verbatim
