"""The prepared-dependencies store: one folder per exact set of inputs, least recently used goes first.

A tree is stored under the hash of everything that went into it (the runtime image's tag and
the bytes of each dependency file, see `dependency_key`), so different inputs never share a
tree and equal inputs always do. Each entry is ``<root>/<key>/tree`` plus ``meta.json``, whose
modification time says when a job last used it. A finished tree arrives by one rename, so a
reader never sees half of one; two jobs building the same key at once both succeed and one of
their trees is kept.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path

import msgspec

# Bump when the way trees are built changes, so no tree built the old way is reused.
RECIPE = "deps-1"
_META = "meta.json"
# A tree used this recently may be mounted by a running job (no job runs this long): never evicted.
IN_USE_SECONDS = 15 * 60


class StoredTree(msgspec.Struct, frozen=True, kw_only=True):
    key: str
    path: Path  # the tree itself (what is mounted)
    runtime: str
    size_bytes: int
    last_used: float  # seconds since the epoch
    summary: str  # what was installed, for operators ("flask-sqlalchemy==3.1.1, ...")


def dependency_key(runtime: str, image: str, files: Iterable[tuple[str, bytes]]) -> str:
    """The store key of a tree built for ``image`` from ``files`` (relative name, content)."""
    sha = hashlib.sha256()
    for part in (RECIPE, runtime, image):
        sha.update(part.encode() + b"\0")
    for name, content in sorted(files):
        sha.update(name.encode() + b"\0" + len(content).to_bytes(8, "big") + content)
    return sha.hexdigest()[:32]


class DepsStore:
    def __init__(self, root: Path, max_bytes: int) -> None:
        self.root = root
        self.max_bytes = max_bytes

    def get(self, key: str) -> Path | None:
        """The stored tree for ``key``, marked as just used; None when there is none."""
        meta = self.root / key / _META
        try:
            os.utime(meta)
        except FileNotFoundError:
            return None
        return self.root / key / "tree"

    def scratch(self) -> Path:
        """A fresh private folder on the store's file system, for building a tree to `put`."""
        self.root.mkdir(parents=True, exist_ok=True)
        return Path(tempfile.mkdtemp(prefix=".build-", dir=self.root))

    def put(self, key: str, tree: Path, *, runtime: str, summary: str) -> Path:
        """Move the finished ``tree`` (inside a `scratch` folder) into the store; return where it lives."""
        entry = tree.parent
        size = tree_size(tree)
        (entry / _META).write_text(json.dumps({"runtime": runtime, "size_bytes": size, "summary": summary[:2000]}))
        try:
            entry.rename(self.root / key)
        except OSError:  # another job stored the same key first: its tree is as good as ours
            shutil.rmtree(entry, ignore_errors=True)
        self.evict(keep=key)
        return self.root / key / "tree"

    def entries(self) -> list[StoredTree]:
        """Every stored tree, most recently used first."""
        found = []
        for meta in self.root.glob(f"*/{_META}"):
            try:
                info = json.loads(meta.read_text())
                used = meta.stat().st_mtime
            except (OSError, ValueError):
                continue  # removed while we looked, or a half-written entry
            found.append(
                StoredTree(
                    key=meta.parent.name,
                    path=meta.parent / "tree",
                    runtime=str(info.get("runtime", "")),
                    size_bytes=int(info.get("size_bytes", 0)),
                    last_used=used,
                    summary=str(info.get("summary", "")),
                )
            )
        return sorted(found, key=lambda entry: entry.last_used, reverse=True)

    def evict(self, *, keep: str = "", max_bytes: int | None = None) -> list[StoredTree]:
        """Remove the least recently used trees until the rest fit in ``max_bytes``; the removed ones.

        Trees used in the last IN_USE_SECONDS stay, even over the cap: a job may have them mounted.
        """
        limit = self.max_bytes if max_bytes is None else max_bytes
        removed, total, now = [], 0, time.time()
        for entry in self.entries():
            total += entry.size_bytes
            if total > limit and entry.key != keep and now - entry.last_used > IN_USE_SECONDS:
                self._remove(entry.key)
                removed.append(entry)
                total -= entry.size_bytes
        return removed

    def prune(self, *, older_than_seconds: float = 0.0) -> list[StoredTree]:
        """Remove the trees unused for ``older_than_seconds`` (all of them at 0), and leftover builds."""
        now = time.time()
        removed = [e for e in self.entries() if now - e.last_used >= older_than_seconds]
        for entry in removed:
            self._remove(entry.key)
        for leftover in self.root.glob(".build-*"):
            if now - leftover.stat().st_mtime > 3600:  # no build takes an hour: its job is gone
                shutil.rmtree(leftover, ignore_errors=True)
        return removed

    def _remove(self, key: str) -> None:
        # Renamed away first, so a job never mounts a tree that is half deleted.
        doomed = self.root / f".build-remove-{key}-{os.getpid()}"
        try:
            (self.root / key).rename(doomed)
        except OSError:
            return
        shutil.rmtree(doomed, ignore_errors=True)


def tree_size(tree: Path) -> int:
    """Bytes of the files under ``tree``, links not followed."""
    total = 0
    for folder, _, files in os.walk(tree):
        for name in files:
            try:
                total += os.lstat(os.path.join(folder, name)).st_size
            except OSError:
                continue
    return total
