"""Python lock files: the exact pins of ``uv.lock`` (the root project's needs, transitively, markers
combined) and of ``Pipfile.lock`` (its "default" section)."""

from __future__ import annotations

from collections import deque
from pathlib import Path
from typing import Any

from stagecraft.dependencies.files import MAX_LOCK_BYTES, broken, read_json, read_toml
from stagecraft.dependencies.requirements import Collected, normalise_python_name

_MAX_MARKER_TERMS = 8  # beyond this a package reached by many marked paths is taken unconditionally


def read_uv_lock(root: Path, project: dict[str, Any] | None) -> tuple[list[str], list[str]]:
    fix = "run `uv lock` to write it again"
    data = read_toml(root / "uv.lock", "uv.lock", MAX_LOCK_BYTES)
    if data.get("version") != 1:
        raise broken("uv.lock", f"version = {data.get('version')!r}, Stagecraft reads version 1", fix)
    packages = data.get("package", [])
    if not isinstance(packages, list) or not all(_is_uv_package(package) for package in packages):
        raise broken("uv.lock", "a [[package]] entry lacks its name or source", fix)
    name = normalise_python_name(project["name"]) if project and isinstance(project.get("name"), str) else None
    roots = [i for i, package in enumerate(packages) if package["source"] in ({"editable": "."}, {"virtual": "."})]
    roots = roots or [i for i, package in enumerate(packages) if normalise_python_name(package["name"]) == name]
    if not roots:
        raise broken("uv.lock", "it has no entry for your project", fix)
    markers = _uv_closure(packages, roots, fix)
    collected = Collected(advice=fix)
    for index, package in enumerate(packages):
        if index in roots or index not in markers:
            continue
        source = package["source"]
        if "registry" not in source:
            kind, location = next(iter(source.items()))
            collected.add_unsupported(f"{package['name']} @ {'git+' if kind == 'git' else ''}{location}")
            continue
        if not isinstance(package.get("version"), str):
            raise broken("uv.lock", f"{package['name']} has no version", fix)
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
            raise broken("uv.lock", f"the dependencies of {package['name']} are not a list of tables", fix)
        for edge in edges:
            target = _uv_target(by_name, packages, edge, package["name"], fix)
            marker = edge.get("marker", "")
            extras = edge.get("extra", [])
            if (
                not isinstance(marker, str)
                or not isinstance(extras, list)
                or not all(isinstance(e, str) for e in extras)
            ):
                raise broken("uv.lock", f"a dependency of {package['name']} has a bad marker or extra", fix)
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
        raise broken("uv.lock", f"{parent} depends on {name!r}, which it does not list once", fix)
    return candidates[0]


def _or_markers(terms: frozenset[str]) -> str:
    if "" in terms:
        return ""
    return next(iter(terms)) if len(terms) == 1 else " or ".join(f"({term})" for term in sorted(terms))


def _and_markers(left: str, right: str) -> str:
    if not left or not right:
        return left or right
    return f"({left}) and ({right})"


def read_pipfile_lock(root: Path) -> tuple[list[str], list[str]]:
    fix = "run `pipenv lock` to write it again"
    data = read_json(root / "Pipfile.lock", "Pipfile.lock", MAX_LOCK_BYTES)
    default = data.get("default") if isinstance(data, dict) else None
    if not isinstance(default, dict):
        raise broken("Pipfile.lock", 'it has no "default" section', fix)
    collected = Collected(advice=fix)
    for name, entry in default.items():
        if not isinstance(entry, dict):
            raise broken("Pipfile.lock", f"the entry of {name} is not an object", fix)
        location = next((f"{k}+{entry[k]}" for k in ("git", "hg", "svn", "bzr") if k in entry), None)
        location = location or next((entry[k] for k in ("file", "path") if k in entry), None)
        if location is not None:
            collected.add_unsupported(f"{name} @ {location}")
            continue
        version, markers = entry.get("version"), entry.get("markers")
        if not isinstance(version, str) or not version.startswith("==") or not isinstance(markers, str | None):
            raise broken("Pipfile.lock", f"{name} has no pinned version", fix)
        collected.add(f"{name}{version}" + (f" ; {markers}" if markers else ""), "Pipfile.lock")
    return collected.requirements, collected.unsupported
