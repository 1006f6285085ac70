"""Grade a project folder from this machine through the same checks and sandbox as an upload."""

from __future__ import annotations

import io
import random
import shutil
import tarfile
import uuid
from collections.abc import Callable
from pathlib import Path

from stagecraft.curriculum.models import Exercise
from stagecraft.grading.events import GraderEvent
from stagecraft.grading.pipeline import GradeOutcome, grade_project
from stagecraft.sandbox.dependencies import DependencySettings
from stagecraft.submissions.archive import archive_kind, check_project, extract_project

_SKIP = {".git", "__pycache__", ".venv", "node_modules", ".pytest_cache", ".mypy_cache"}


def pack_directory(path: Path) -> bytes:
    """A tar.gz of a local project; links are kept as links, so the archive checks refuse them."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for item in sorted(path.rglob("*")):
            relative = item.relative_to(path)
            if not any(part in _SKIP for part in relative.parts):
                archive.add(item, arcname=str(relative), recursive=False)
    return buffer.getvalue()


def grade_directory(
    exercise: Exercise,
    project: Path,
    jobs_dir: Path,
    *,
    deps: DependencySettings | None = None,
    on_event: Callable[[GraderEvent], None] = lambda event: None,
    on_step: Callable[[str], None] = lambda text: None,
) -> GradeOutcome:
    """Pack, check, extract and grade `project`; ArchiveError says what is wrong with it.

    ``deps`` says where prepared dependencies are kept (default: a store under ``jobs_dir``).
    """
    job_id = f"local-{uuid.uuid4().hex[:12]}"
    job_dir = jobs_dir / job_id
    try:
        data = pack_directory(project)
        extract_project(data, archive_kind(str(project), data), job_dir)
        manifest = check_project(exercise, job_dir)
        return grade_project(
            exercise,
            job_dir,
            manifest,
            job_id=job_id,
            seed=random.randrange(2**31),
            deps=deps or DependencySettings(store_dir=jobs_dir / "deps"),
            on_event=on_event,
            on_step=on_step,
        )
    finally:
        shutil.rmtree(job_dir, ignore_errors=True)
