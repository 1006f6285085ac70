"""Node projects: ``package.json`` dependencies, and the devDependencies a start script needs.

A start script that is more than ``node file.js`` (tsx, ts-node, nodemon, ``tsc &&``, ``npm run
build &&``) runs tools whose binaries do not name their packages (``tsc`` is typescript): it gets
every devDependency. A plain ``node`` start gets those whose names it mentions only.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from stagecraft.dependencies import DependencyError, NodeDeclared
from stagecraft.dependencies.files import MAX_FILE_BYTES, MAX_LOCK_BYTES, broken, exists, read_json

NODE_FILES = ("package.json", "package-lock.json", "npm-shrinkwrap.json")
_SCRIPT_WORD = re.compile(r"[^\s;&|()<>=\"'`]+")


def read_node(project_dir: Path) -> NodeDeclared | None:
    """What the Node project declares; None when it has no package.json."""
    root = Path(project_dir)
    if not exists(root / "package.json"):
        return None
    manifest = read_json(root / "package.json", "package.json", MAX_FILE_BYTES)
    if not isinstance(manifest, dict):
        raise DependencyError('package.json must hold one JSON object, such as {"dependencies": {}}')
    dependencies = _string_map(manifest, "dependencies")
    start = _object(manifest, "scripts", '{"start": "node server.js"}').get("start")
    if start is not None and not isinstance(start, str):
        raise DependencyError('package.json: "scripts.start" must be a command in a string, such as "node server.js"')
    words = _script_words(start or "")
    # A start script that is more than `node file.js` (tsc, ts-node, nodemon, `npm run build &&`)
    # runs tools from devDependencies, named by their binaries: all of them are needed then.
    tooling = bool(start) and not re.fullmatch(r"\s*node\s+[^&|;]+", start or "")
    for name, version in _string_map(manifest, "devDependencies").items():
        if tooling or name in words:
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
        if exists(root / label):
            lock = read_json(root / label, label, MAX_LOCK_BYTES)
            if not isinstance(lock, dict) or not isinstance(lock.get("lockfileVersion"), int):
                raise broken(label, "it has no lockfileVersion", "run `npm install` to write it again, or delete it")
            return True
    return False
