"""Poetry projects: ``poetry.lock`` pins, or ``[tool.poetry.dependencies]`` ranges turned into PEP 508.

Read only, never run: the lock is TOML, the ranges are Poetry's own syntax (``^2.0``, ``~1.4``,
``*``), which this module writes the way Poetry reads them.
"""

from __future__ import annotations

import re
from typing import Any

from stagecraft.dependencies import DependencyError

_FIX = "run `poetry lock` to write it again"


def lock_requirements(lock: dict[str, Any]) -> tuple[list[str], list[str]]:
    """(pinned requirements, unsupported sources) of the main group of a parsed poetry.lock."""
    packages = lock.get("package")
    if not isinstance(packages, list):
        raise DependencyError(f"poetry.lock is broken: it has no [[package]] entries; {_FIX}")
    requirements, unsupported = [], []
    for package in packages:
        if not isinstance(package, dict) or not isinstance(package.get("name"), str):
            raise DependencyError(f"poetry.lock is broken: a [[package]] entry has no name; {_FIX}")
        name, version = package["name"], package.get("version")
        groups = package.get("groups")
        category = package.get("category")
        if (isinstance(groups, list) and "main" not in groups) or (category is not None and category != "main"):
            continue  # dev and test groups: not needed to run the server
        source = package.get("source")
        if isinstance(source, dict) and source.get("type") in ("git", "url", "file", "directory"):
            unsupported.append(f"{name} @ {source.get('url', source.get('type'))}")
            continue
        if not isinstance(version, str):
            raise DependencyError(f"poetry.lock is broken: {name} has no version; {_FIX}")
        markers = package.get("markers")
        requirements.append(f"{name}=={version}" + (f" ; {markers}" if isinstance(markers, str) and markers else ""))
    return requirements, unsupported


def tool_requirements(poetry: dict[str, Any]) -> tuple[list[str], str | None]:
    """(requirements, requires-python) from ``[tool.poetry.dependencies]``."""
    table = poetry.get("dependencies")
    if not isinstance(table, dict):
        return [], None
    requirements, requires_python = [], None
    for name, spec in table.items():
        if isinstance(spec, dict):
            if "git" in spec or "path" in spec or "url" in spec:
                raise DependencyError(
                    f"pyproject.toml: [tool.poetry.dependencies] {name} comes from a git repository, a path or a URL; "
                    "name it by its version on PyPI instead"
                )
            extras = spec.get("extras")
            spec = spec.get("version", "*")
            extras = f"[{','.join(extras)}]" if isinstance(extras, list) and extras else ""
        else:
            extras = ""
        if not isinstance(spec, str):
            raise DependencyError(f'pyproject.toml: [tool.poetry.dependencies] {name} must be a version such as "^2.0"')
        if name.lower() == "python":
            requires_python = to_pep440(spec)
            continue
        requirements.append(f"{name}{extras}{to_pep440(spec)}")
    return requirements, requires_python


def to_pep440(spec: str) -> str:
    """Poetry's range (``^2.0``, ``~1.4.2``, ``2.*``, ``*``, ``>=1,<2``, ``2.0.1``) as a PEP 440 specifier."""
    parts = []
    for piece in (p.strip() for p in spec.split(",")):
        if not piece or piece == "*":
            continue
        caret = re.fullmatch(r"\^\s*(\d+(?:\.\d+)*)", piece)
        tilde = re.fullmatch(r"~\s*(\d+(?:\.\d+)*)", piece)
        if caret:
            numbers = [int(n) for n in caret.group(1).split(".")]
            fixed = next((i for i, n in enumerate(numbers) if n != 0), len(numbers) - 1)
            parts += [f">={caret.group(1)}", f"<{_bump(numbers, fixed)}"]
        elif tilde:
            numbers = [int(n) for n in tilde.group(1).split(".")]
            parts += [f">={tilde.group(1)}", f"<{_bump(numbers, 0 if len(numbers) == 1 else 1)}"]
        elif re.fullmatch(r"\d+(?:\.\d+)*(?:\.\*)?", piece):
            parts.append(f"=={piece}")
        else:
            parts.append(piece.replace(" ", ""))
    return ",".join(parts)


def _bump(numbers: list[int], index: int) -> str:
    bumped = [*numbers[:index], numbers[index] + 1]
    return ".".join(str(n) for n in bumped)
