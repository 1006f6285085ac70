"""Dependency preparation figures (run with `scripts/bench`; never part of the default run).

- a cold install (empty store, warm pip/npm download caches, then empty ones) of a typical
  Flask + SQLAlchemy set and of a typical Express set;
- the per-job overhead of a cached tree: grading the same project with and without declared
  dependencies, p50 over 10 runs each (goal: under 0.2 s).
"""

from __future__ import annotations

import json
import statistics
import time
from pathlib import Path

import pytest

from stagecraft.curriculum.loader import load_curriculum
from stagecraft.grading.local import grade_directory
from stagecraft.sandbox.dependencies import DependencySettings, prepare_dependencies
from stagecraft.settings import REPO_ROOT
from tests.sandbox.conftest import write_tree

pytestmark = [pytest.mark.bench, pytest.mark.docker]
RUNS = 10
FLASK_SET = "Flask==3.0.3\nFlask-SQLAlchemy==3.1.1\nSQLAlchemy==2.0.36\npython-dotenv==1.0.1\nFlask-Cors==5.0.0\n"
EXPRESS_SET = {"express": "^4.21.2", "express-validator": "^7.2.0", "cors": "^2.8.5", "dotenv": "^16.4.5"}


def _cold(runtime: str, project: Path, tmp_path: Path, label: str, *, fresh_downloads: bool) -> float:
    caches = tmp_path / f"{label}-caches" if fresh_downloads else REPO_ROOT / "data" / "cache"
    settings = DependencySettings(
        store_dir=tmp_path / f"{label}-store", pip_cache=caches / "pip", npm_cache=caches / "npm"
    )
    started = time.perf_counter()
    prepared = prepare_dependencies(runtime, project, settings, client=None)
    seconds = time.perf_counter() - started
    assert prepared.tree is not None and not prepared.cached
    return seconds


def test_print_dependency_figures(sandbox_images, tmp_path):
    flask = write_tree(tmp_path / "flask", {"requirements.txt": FLASK_SET})
    express = write_tree(tmp_path / "express", {"package.json": json.dumps({"dependencies": EXPRESS_SET})})
    figures = {
        "Flask + SQLAlchemy, cold (downloads cached)": _cold("python", flask, tmp_path, "f1", fresh_downloads=False),
        "Flask + SQLAlchemy, cold (nothing cached)": _cold("python", flask, tmp_path, "f2", fresh_downloads=True),
        "Express set, cold (downloads cached)": _cold("node", express, tmp_path, "e1", fresh_downloads=False),
        "Express set, cold (nothing cached)": _cold("node", express, tmp_path, "e2", fresh_downloads=True),
    }

    exercise = load_curriculum(REPO_ROOT / "curriculum", REPO_ROOT / "graders").exercise("http-basics")
    reference = exercise.path / "solutions" / "python"
    with_deps = write_tree(tmp_path / "with-deps", {})
    for path in reference.iterdir():
        (with_deps / path.name).write_bytes(path.read_bytes())
    (with_deps / "requirements.txt").write_text(FLASK_SET)
    deps = DependencySettings(store_dir=tmp_path / "bench-store", pip_cache=REPO_ROOT / "data" / "cache" / "pip")
    grade_directory(exercise, with_deps, tmp_path / "jobs", deps=deps)  # fills the store

    def timed(project: Path) -> list[float]:
        runs = []
        for _ in range(RUNS):
            started = time.perf_counter()
            outcome = grade_directory(exercise, project, tmp_path / "jobs", deps=deps)
            runs.append(time.perf_counter() - started)
            assert outcome.verdict == "passed", outcome.message
        return runs

    plain, cached = timed(reference), timed(with_deps)
    overhead = statistics.median(cached) - statistics.median(plain)

    print("\nDependency preparation")
    for label, seconds in figures.items():
        print(f"  {label:45} {seconds:6.1f} s")
    print(f"  grading without dependencies, p50 of {RUNS}       {statistics.median(plain):6.2f} s")
    print(f"  grading with a cached tree, p50 of {RUNS}         {statistics.median(cached):6.2f} s")
    print(f"  per-job overhead of a cached tree               {overhead:+6.2f} s (goal: under 0.2 s)")
