"""Submission intake and queries: rules only, no HTTP."""

from __future__ import annotations

import tempfile
from datetime import UTC, datetime
from pathlib import Path

import msgspec

from stagecraft.accounts.tables import User
from stagecraft.curriculum.models import Exercise
from stagecraft.settings import Settings
from stagecraft.storage.archives import read_archive, store_archive
from stagecraft.submissions.archive import ArchiveError, ArchiveKind, archive_kind, check_project, extract_project
from stagecraft.submissions.tables import GradedTest, Submission

REVIEWER_ROLES = frozenset({"mentor", "admin"})


async def stored_archive(settings: Settings, submission: Submission) -> tuple[bytes, ArchiveKind]:
    """The bytes and kind of the archive a submission was made from (see storage.archives)."""
    return await read_archive(settings, submission.archive_sha256)


def check_upload(settings: Settings, exercise: Exercise, filename: str, data: bytes) -> tuple[ArchiveKind, str]:
    """Refuse a bad upload before anything is stored; returns (kind, runtime)."""
    if not data:
        raise ArchiveError("the upload is empty: choose a .zip or .tar.gz of your project")
    if len(data) > settings.max_upload_bytes:
        raise ArchiveError(f"the archive is larger than {settings.max_upload_bytes // (1024 * 1024)} MiB")
    kind = archive_kind(filename, data)
    with tempfile.TemporaryDirectory(dir=settings.jobs_dir, prefix="intake-") as folder:
        extract_project(data, kind, Path(folder) / "code")
        manifest = check_project(exercise, Path(folder) / "code")
    return kind, manifest.runtime


async def create_submission(settings: Settings, user_id: int, exercise: Exercise, filename: str, data: bytes) -> int:
    kind, runtime = check_upload(settings, exercise, filename, data)
    sha256 = await store_archive(settings, data, kind)
    rows = await Submission.insert(
        Submission(
            user=user_id,
            exercise=exercise.slug,
            runtime=runtime,
            archive_sha256=sha256,
            archive_name=Path(filename or "upload").name[:255],
            state="queued",
            created_at=datetime.now(UTC),
        )
    ).returning(Submission.id)
    return rows[0]["id"]


def can_view(user: User, submission: Submission) -> bool:
    return submission.user == user.id or user.role in REVIEWER_ROLES


async def submission_for(user: User, submission_id: int) -> Submission | None:
    """The submission if this user may see it; None otherwise (so no one learns it exists)."""
    submission = await Submission.objects().where(Submission.id == submission_id).first()
    if submission is None or not can_view(user, submission):
        return None
    return submission


async def test_results(submission_id: int) -> list[GradedTest]:
    return await GradedTest.objects().where(GradedTest.submission == submission_id).order_by(GradedTest.position)


class TestSection(msgspec.Struct, kw_only=True):
    """The tests of one tier, as the result page shows them."""

    __test__ = False  # not a pytest test class, despite the name

    tier: str  # spec | craft
    heading: str
    results: list[GradedTest]
    score: float
    max_score: float


_HEADINGS = {"spec": "Required by the spec", "craft": "Extra practice (not needed to pass)"}


def test_sections(results: list[GradedTest]) -> list[TestSection]:
    """Spec tests, then craft tests; a tier without tests has no section."""
    sections = []
    for tier, heading in _HEADINGS.items():
        chosen = [r for r in results if r.tier == tier]
        if chosen:
            score, max_score = sum(r.score for r in chosen), sum(r.max_score for r in chosen)
            sections.append(TestSection(tier=tier, heading=heading, results=chosen, score=score, max_score=max_score))
    return sections


async def attempt_lines(user_id: int, exercise: str | None = None, limit: int | None = None) -> list[dict]:
    """A learner's attempts (at one exercise, when named), newest first (the latest `limit`), as one
    line each shows them (no logs or details). The exercise page reckons progress and budget from
    the same rows, the home page progress and the dashboard."""
    query = (
        Submission.select(
            Submission.id,
            Submission.exercise,
            Submission.state,
            Submission.verdict,
            Submission.polished,
            Submission.score,
            Submission.max_score,
            Submission.created_at,
            Submission.finished_at,
        )  # fmt: skip
        .where(Submission.user == user_id)
        .order_by(Submission.id, ascending=False)
    )
    if exercise is not None:
        query = query.where(Submission.exercise == exercise)
    return await (query.limit(limit) if limit is not None else query)


async def submissions_of(user_id: int, exercise: str | None = None, limit: int = 50) -> list[Submission]:
    query = Submission.objects().where(Submission.user == user_id)
    if exercise is not None:
        query = query.where(Submission.exercise == exercise)
    return await query.order_by(Submission.id, ascending=False).limit(limit)
