"""How fair is the grader: real public projects, graded as learners would submit them, against a human's verdict.

`graders/realworld*.toml` lists real implementations of the public specs our exercises follow
(repository @ commit, folder, the stagecraft.toml a learner would add, and the verdict a careful
human gives after reading the public spec, with why). No copy of those projects is kept in this
repository: `stagecraft curriculum realworld --copies DIR` grades the copies found in DIR (one
git directory per repository, named ``owner+name``, as the search tool's fetch leaves them) and
prints the agreement and every disagreement.
"""

from __future__ import annotations

import subprocess
import tarfile
import tempfile
import tomllib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Annotated, Literal

import msgspec

from stagecraft.curriculum.models import SubmissionManifest

Sha = Annotated[str, msgspec.Meta(pattern=r"^[0-9a-f]{40}$")]


class RealProject(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    spec: str
    exercise: str
    repo: Annotated[str, msgspec.Meta(pattern=r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")]
    commit: Sha
    folder: str = "."
    human_verdict: Literal["pass", "fail"]
    why: str
    runnable: bool = True
    runnable_why: str = ""  # when not runnable: what in the sandbox stops it
    needs_env: list[str] = []  # environment variables it will not start without (none are given)
    manifest: SubmissionManifest

    @property
    def label(self) -> str:
        where = "" if self.folder in ("", ".") else f":{self.folder}"
        return f"{self.repo}@{self.commit[:8]}{where}"


class _Listing(msgspec.Struct, kw_only=True):
    project: list[RealProject] = []


class Judged(msgspec.Struct, frozen=True, kw_only=True):
    project: RealProject
    verdict: str  # the grader's ("passed", "failed", ...), or "missing" / "not run"
    agrees: bool | None  # None: not graded (no copy, or not runnable)
    note: str = ""  # the failing tests, or why it was not graded


def load_projects(files: list[Path]) -> list[RealProject]:
    """Every project of the listing files; ValueError naming the file and the problem."""
    projects = []
    for path in files:
        try:
            listing = msgspec.convert(tomllib.loads(path.read_text(encoding="utf-8")), _Listing)
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, msgspec.ValidationError) as exc:
            raise ValueError(f"{path}: {exc}") from None
        projects.extend(listing.project)
    return projects


def judge_all(
    projects: list[RealProject],
    copies: Path,
    grade: Callable[[RealProject, Path], tuple[str, list[str]]],
) -> Iterator[Judged]:
    """Grade each runnable project found in ``copies`` with ``grade(project, folder)`` -> (verdict, failed tests)."""
    for project in projects:
        if not project.runnable:
            yield Judged(project=project, verdict="not run", agrees=None, note="marked not runnable")
            continue
        git_dir = copies / project.repo.replace("/", "+")
        if (git_dir / "repo").is_dir():  # the search tool's fetch puts the git directory there
            git_dir = git_dir / "repo"
        if not git_dir.exists():
            yield Judged(project=project, verdict="missing", agrees=None, note=f"no copy at {git_dir}")
            continue
        with tempfile.TemporaryDirectory(prefix="realworld-") as scratch:
            try:
                folder = checkout(git_dir, project, Path(scratch))
            except ValueError as exc:
                yield Judged(project=project, verdict="missing", agrees=None, note=str(exc))
                continue
            verdict, failed = grade(project, folder)
        passed = verdict == "passed"
        yield Judged(
            project=project,
            verdict=verdict,
            agrees=passed == (project.human_verdict == "pass"),
            note=", ".join(failed),
        )


def checkout(git_dir: Path, project: RealProject, scratch: Path) -> Path:
    """The project's folder at its commit, with the learner's stagecraft.toml added."""
    archive = scratch / "project.tar"
    folder = project.folder.strip("/") or "."
    command = ["git", "--git-dir", str(git_dir), "archive", "--format=tar", "-o", str(archive), project.commit, folder]
    done = subprocess.run(command, capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=120)
    if done.returncode != 0:
        raise ValueError(f"git archive {project.label}: {done.stderr.strip()[:300]}")
    target = scratch / "tree"
    with tarfile.open(archive) as tar:
        tar.extractall(target, filter="data")  # a hostile archive cannot leave `target`
    root = target / folder if folder != "." else target
    manifest = msgspec.structs.asdict(project.manifest)
    lines = [f"{key} = {_toml_value(value)}" for key, value in manifest.items() if value not in (None, [])]
    (root / "stagecraft.toml").write_text("\n".join(lines) + "\n")
    return root


def _toml_value(value: object) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(item) for item in value) + "]"
    if isinstance(value, int):
        return str(value)
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


def agreement(judged: list[Judged]) -> tuple[int, int]:
    """(agreeing, graded)."""
    graded = [j for j in judged if j.agrees is not None]
    return sum(1 for j in graded if j.agrees), len(graded)
