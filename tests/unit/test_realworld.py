"""The real-world agreement check: listings, checkouts at a commit, and the agreement figure."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from stagecraft.authoring.realworld import agreement, judge_all, load_projects

LISTING = """\
[[project]]
spec = "todo-list-api"
exercise = "todo-api"
repo = "someone/todo"
commit = "{commit}"
folder = "api"
human_verdict = "pass"
why = "does what the spec asks"
[project.manifest]
runtime = "node"
start = "npm start"
port = 3000

[[project]]
spec = "todo-list-api"
exercise = "todo-api"
repo = "someone/todo"
commit = "{commit}"
folder = "api"
human_verdict = "fail"
why = "no pagination"
[project.manifest]
runtime = "node"
start = "npm start"

[[project]]
spec = "todo-list-api"
exercise = "todo-api"
repo = "someone/mongo-todo"
commit = "{commit}"
human_verdict = "pass"
why = "correct, but on MongoDB"
runnable = false
[project.manifest]
runtime = "node"
start = "node index.js"
"""


def git(*args: str, cwd: Path) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout.strip()


@pytest.fixture
def copies(tmp_path: Path) -> tuple[Path, str]:
    work = tmp_path / "work"
    (work / "api").mkdir(parents=True)
    (work / "api" / "server.js").write_text("console.log('hi')\n")
    (work / "README.md").write_text("not part of the folder\n")
    git("init", "-q", cwd=work)
    git("add", ".", cwd=work)
    git("-c", "user.email=a@b", "-c", "user.name=a", "commit", "-qm", "x", cwd=work)
    commit = git("rev-parse", "HEAD", cwd=work)
    copies = tmp_path / "copies"
    copies.mkdir()
    git("clone", "-q", "--bare", str(work), str(copies / "someone+todo"), cwd=tmp_path)
    return copies, commit


def test_projects_are_checked_out_at_their_commit_with_the_learners_manifest(tmp_path, copies):
    folder_copies, commit = copies
    listing = tmp_path / "realworld.toml"
    listing.write_text(LISTING.format(commit=commit))
    projects = load_projects([listing])
    seen: list[tuple[list[str], str]] = []

    def grade(project, folder: Path):
        seen.append((sorted(p.name for p in folder.iterdir()), (folder / "stagecraft.toml").read_text()))
        return "passed", []

    judged = list(judge_all(projects, folder_copies, grade))

    assert seen[0] == (["server.js", "stagecraft.toml"], 'runtime = "node"\nstart = "npm start"\nport = 3000\n')
    assert [(j.verdict, j.agrees) for j in judged] == [("passed", True), ("passed", False), ("not run", None)]
    assert agreement(judged) == (1, 2)


def test_a_missing_copy_is_not_graded_and_a_bad_listing_names_its_file(tmp_path):
    listing = tmp_path / "realworld.toml"
    listing.write_text(LISTING.format(commit="a" * 40))
    judged = list(judge_all(load_projects([listing]), tmp_path / "none", lambda p, f: ("passed", [])))
    assert [j.verdict for j in judged] == ["missing", "missing", "not run"]
    assert agreement(judged) == (0, 0)

    listing.write_text(LISTING.format(commit="not-a-sha"))
    with pytest.raises(ValueError, match="realworld.toml"):
        load_projects([listing])
