"""The prepared-dependencies store: keys, reuse, least-recently-used eviction, pruning."""

from __future__ import annotations

import os
import time
from pathlib import Path

from stagecraft.sandbox.deps_store import IN_USE_SECONDS, DepsStore, dependency_key


def build(store: DepsStore, key: str, size: int) -> Path:
    scratch = store.scratch()
    tree = scratch / "tree"
    tree.mkdir()
    (tree / "package.bin").write_bytes(b"x" * size)
    return store.put(key, tree, runtime="python", summary=f"{key}==1.0")


def age(store: DepsStore, key: str, seconds: float) -> None:
    then = time.time() - seconds
    os.utime(store.root / key / "meta.json", (then, then))


def test_keys_differ_for_any_difference_in_the_inputs():
    base = dependency_key("python", "stagecraft/python:abc", [("requirements.txt", b"flask==3.0.3\n")])
    assert base == dependency_key("python", "stagecraft/python:abc", [("requirements.txt", b"flask==3.0.3\n")])
    others = {
        dependency_key("python", "stagecraft/python:abc", [("requirements.txt", b"flask==3.0.2\n")]),
        dependency_key("python", "stagecraft/python:def", [("requirements.txt", b"flask==3.0.3\n")]),
        dependency_key("node", "stagecraft/python:abc", [("requirements.txt", b"flask==3.0.3\n")]),
        dependency_key("python", "stagecraft/python:abc", [("requirements.in", b"flask==3.0.3\n")]),
        # Moving bytes from one file's content to the other's name must not collide.
        dependency_key("python", "stagecraft/python:abc", [("a", b"bc"), ("d", b"")]),
        dependency_key("python", "stagecraft/python:abc", [("a", b"b"), ("cd", b"")]),
    }
    assert base not in others and len(others) == 6


def test_a_stored_tree_is_found_again_and_marked_used(tmp_path):
    store = DepsStore(tmp_path / "deps", max_bytes=10_000)
    assert store.get("k1") is None
    tree = build(store, "k1", 100)
    age(store, "k1", 3600)

    assert store.get("k1") == tree
    assert (tree / "package.bin").read_bytes() == b"x" * 100
    [entry] = store.entries()
    assert (entry.key, entry.runtime, entry.size_bytes, entry.summary) == ("k1", "python", 100, "k1==1.0")
    assert time.time() - entry.last_used < 60
    assert [p.name for p in (tmp_path / "deps").iterdir()] == ["k1"]  # no scratch folder left


def test_a_second_build_of_the_same_key_keeps_one_tree(tmp_path):
    store = DepsStore(tmp_path / "deps", max_bytes=10_000)
    first = build(store, "k1", 10)
    second = build(store, "k1", 20)

    assert first == second
    assert [p.name for p in (tmp_path / "deps").iterdir()] == ["k1"]


def test_past_the_cap_the_least_recently_used_trees_go_but_never_one_in_use(tmp_path):
    store = DepsStore(tmp_path / "deps", max_bytes=250)
    for key in ("old", "older", "recent"):
        build(store, key, 100)
    age(store, "old", IN_USE_SECONDS + 60)
    age(store, "older", IN_USE_SECONDS + 120)
    age(store, "recent", 10)

    build(store, "new", 100)  # 400 bytes now: over the cap

    # Most recently used first: new, recent, then old and older, which no longer fit.
    assert sorted(e.key for e in store.entries()) == ["new", "recent"]
    # Over the cap with only recently used trees: they stay (a job may have them mounted).
    assert store.evict(max_bytes=0) == []
    age(store, "recent", IN_USE_SECONDS + 1)
    assert [e.key for e in store.evict(max_bytes=0)] == ["recent"]
    assert [e.key for e in store.entries()] == ["new"]


def test_prune_removes_trees_unused_for_long_enough_or_all(tmp_path):
    store = DepsStore(tmp_path / "deps", max_bytes=10_000)
    build(store, "stale", 10)
    build(store, "fresh", 10)
    age(store, "stale", 40 * 86400)

    assert [e.key for e in store.prune(older_than_seconds=30 * 86400)] == ["stale"]
    assert [e.key for e in store.prune()] == ["fresh"]
    assert store.entries() == []


def test_a_project_that_installs_itself_is_keyed_by_all_of_its_files(tmp_path):
    from stagecraft.dependencies.declared import read_python
    from stagecraft.sandbox.dependencies import _key_files

    def key_of(code: str) -> str:
        folder = tmp_path / str(abs(hash(code)))
        folder.mkdir()
        (folder / "requirements.txt").write_text("-e .\nflask==3.0.3\n")
        (folder / "setup.py").write_text("from setuptools import setup\nsetup(name='x')\n")
        (folder / "app.py").write_text(code)
        declared = read_python(folder)
        return dependency_key("python", "stagecraft/python:abc", _key_files("python", folder, declared))

    # The installed tree holds the project itself: another learner's code is another tree.
    assert key_of("print(1)\n") != key_of("print(2)\n")
