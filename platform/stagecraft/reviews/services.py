"""Mentor reviews: asking for one, the queue, claiming, comments and verdicts. Rules only, no HTTP."""

from __future__ import annotations

import statistics
from datetime import UTC, datetime, timedelta

import msgspec

from stagecraft.accounts.tables import User
from stagecraft.curriculum.models import Curriculum
from stagecraft.grading.verdicts import counts_as_attempt
from stagecraft.notifications.services import notify
from stagecraft.reviews.tables import CommentSnippet, ReviewComment, ReviewRequest
from stagecraft.submissions.lifecycle import MoveRefused, ReviewVerdict, check_move, state_of
from stagecraft.submissions.services import REVIEWER_ROLES
from stagecraft.submissions.tables import Submission

MAX_OPEN_REQUESTS = 3  # a learner's review requests waiting at once (those the exercise asks for not counted)
CLAIM_MINUTES = 30  # how long a claim locks a review for one mentor; extendable
MAX_NOTE = 2000
MAX_COMMENT = 10_000
MAX_SUMMARY = 10_000


def now() -> datetime:
    return datetime.now(UTC)


def is_reviewer(user: User) -> bool:
    return user.role in REVIEWER_ROLES


async def latest_request(submission_id: int) -> ReviewRequest | None:
    return (
        await ReviewRequest.objects()
        .where(ReviewRequest.submission == submission_id)
        .order_by(ReviewRequest.id, ascending=False)
        .first()
    )


async def release_expired() -> int:
    """Claims past their time go back to the queue; returns how many."""
    expired = (
        await ReviewRequest.update(
            {ReviewRequest.state: "open", ReviewRequest.mentor: None, ReviewRequest.claimed_until: None}
        )
        .where((ReviewRequest.state == "claimed") & (ReviewRequest.claimed_until < now()))
        .returning(ReviewRequest.id)
    )
    return len(expired)


async def lifecycle_state(submission: Submission) -> str:
    request = await latest_request(submission.id)
    grading = submission.state if submission.state != "finished" else "graded"
    return state_of(grading, request.state if request else None)


async def ask_for_review(
    user: User, submission: Submission, note: str, curriculum: Curriculum, *, by_exercise: bool = False
) -> ReviewRequest:
    """Put a graded attempt in the mentors' queue. `by_exercise`: a review-required exercise asks, not the learner."""
    if submission.user != user.id:
        raise MoveRefused("only the attempt's author may ask for its review")
    if submission.state != "finished" or not counts_as_attempt(submission.verdict):
        raise MoveRefused("this attempt has not been graded yet; ask once its results are in")
    note = note.strip()
    if len(note) > MAX_NOTE:
        raise MoveRefused(f"the note is {len(note)} characters long; keep it under {MAX_NOTE}")
    current = await lifecycle_state(submission)
    if current in ("awaiting_review", "in_review"):
        raise MoveRefused("this attempt is already waiting for a mentor")
    if current in ("approved", "changes_requested"):
        raise MoveRefused("this attempt has been reviewed; submit a new attempt and ask again")
    check_move(current, "awaiting_review")  # type: ignore[arg-type]
    if not by_exercise:
        waiting = await ReviewRequest.count().where(
            (ReviewRequest.learner == user.id)
            & ReviewRequest.state.is_in(["open", "claimed"])
            & (ReviewRequest.note != "")
        )
        if waiting >= MAX_OPEN_REQUESTS:
            raise MoveRefused(
                f"you have {waiting} review requests waiting; at most {MAX_OPEN_REQUESTS} may wait at once"
            )
        if not note:
            raise MoveRefused("say what you would like feedback on, so the mentor knows where to look")
    exercise = curriculum.exercise(submission.exercise)
    request = ReviewRequest(
        submission=submission.id,
        learner=submission.user,
        exercise=submission.exercise,
        stage=exercise.stage if exercise else 0,
        note=note,
        state="open",
        created_at=now(),
    )
    await request.save()
    return request


async def request_review_if_required(submission_id: int, curriculum: Curriculum) -> None:
    """A review-required exercise's attempt enters the queue when its spec tests pass (the verdict is "passed")."""
    submission = await Submission.objects().where(Submission.id == submission_id).first()
    if submission is None or submission.verdict != "passed":
        return
    exercise = curriculum.exercise(submission.exercise)
    if exercise is None or not exercise.manifest.review or await latest_request(submission_id) is not None:
        return
    owner = await User.objects().where(User.id == submission.user).first()
    await ask_for_review(owner, submission, "", curriculum, by_exercise=True)


class QueueRow(msgspec.Struct, kw_only=True):
    request_id: int
    submission_id: int
    learner_email: str
    exercise: str
    stage: int
    note: str
    state: str
    mentor_email: str | None
    claimed_until: datetime | None
    waiting_seconds: float


class QueueFilter(msgspec.Struct, kw_only=True):
    stage: int | None = None
    exercise: str | None = None
    learner: str | None = None  # an e-mail address, or part of one


async def queue(filters: QueueFilter) -> list[QueueRow]:
    """Every attempt waiting for a review, oldest first, claimed ones included (shown as taken)."""
    await release_expired()
    query = ReviewRequest.select(
        ReviewRequest.id,
        ReviewRequest.submission,
        ReviewRequest.learner.email,
        ReviewRequest.exercise,
        ReviewRequest.stage,
        ReviewRequest.note,
        ReviewRequest.state,
        ReviewRequest.mentor.email,
        ReviewRequest.claimed_until,
        ReviewRequest.created_at,
    ).where(ReviewRequest.state.is_in(["open", "claimed"]))
    if filters.stage is not None:
        query = query.where(ReviewRequest.stage == filters.stage)
    if filters.exercise:
        query = query.where(ReviewRequest.exercise == filters.exercise)
    if filters.learner:
        # E-mails are stored lower-case; LIKE is then case-blind on SQLite and PostgreSQL alike.
        query = query.where(ReviewRequest.learner.email.like(f"%{filters.learner.lower()}%"))
    rows = await query.order_by(ReviewRequest.created_at).order_by(ReviewRequest.id)
    moment = now()
    return [
        QueueRow(
            request_id=row["id"],
            submission_id=row["submission"],
            learner_email=row["learner.email"],
            exercise=row["exercise"],
            stage=row["stage"],
            note=row["note"],
            state=row["state"],
            mentor_email=row["mentor.email"],
            claimed_until=row["claimed_until"],
            waiting_seconds=(moment - _aware(row["created_at"])).total_seconds(),
        )
        for row in rows
    ]


def wait_figures(rows: list[QueueRow]) -> tuple[float, float] | None:
    """The median and 90th-percentile wait of the queue, in seconds (None when it is empty)."""
    waits = sorted(row.waiting_seconds for row in rows)
    if not waits:
        return None
    if len(waits) == 1:
        return waits[0], waits[0]
    return statistics.median(waits), statistics.quantiles(waits, n=10, method="inclusive")[-1]


async def claim(mentor: User, request_id: int) -> ReviewRequest:
    """Lock the review for this mentor; exactly one of two mentors claiming at once gets it."""
    if not is_reviewer(mentor):
        raise MoveRefused("only mentors review attempts")
    await release_expired()
    taken = (
        await ReviewRequest.update(
            {
                ReviewRequest.state: "claimed",
                ReviewRequest.mentor: mentor.id,
                ReviewRequest.claimed_until: now() + timedelta(minutes=CLAIM_MINUTES),
            }
        )
        .where((ReviewRequest.id == request_id) & (ReviewRequest.state == "open"))
        .returning(ReviewRequest.id)
    )
    request = await ReviewRequest.objects().where(ReviewRequest.id == request_id).first()
    if request is None:
        raise MoveRefused("there is no such review request")
    if not taken and request.mentor != mentor.id:
        raise MoveRefused("another mentor has just taken this review")
    if taken:
        await notify(
            request.learner,
            "review_started",
            f"A mentor started reviewing your attempt #{request.submission} of {request.exercise}.",
            f"/submissions/{request.submission}#review",
        )
    return request


async def _mine(mentor: User, request_id: int) -> ReviewRequest:
    request = await ReviewRequest.objects().where(ReviewRequest.id == request_id).first()
    if request is None:
        raise MoveRefused("there is no such review request")
    if request.state != "claimed" or request.mentor != mentor.id or _aware(request.claimed_until) < now():
        raise MoveRefused("claim this review first (your claim may have run out: it lasts 30 minutes)")
    return request


async def extend(mentor: User, request_id: int) -> ReviewRequest:
    request = await _mine(mentor, request_id)
    request.claimed_until = now() + timedelta(minutes=CLAIM_MINUTES)
    await request.save([ReviewRequest.claimed_until])
    return request


async def release(mentor: User, request_id: int) -> None:
    request = await _mine(mentor, request_id)
    check_move("in_review", "awaiting_review")
    await ReviewRequest.update(
        {ReviewRequest.state: "open", ReviewRequest.mentor: None, ReviewRequest.claimed_until: None}
    ).where(ReviewRequest.id == request.id)


async def decide(
    mentor: User, request_id: int, verdict: ReviewVerdict, summary: str, rubric: list[str]
) -> ReviewRequest:
    request = await _mine(mentor, request_id)
    summary = summary.strip()
    if verdict not in ("approved", "changes_requested"):
        raise MoveRefused("choose approve or request changes")
    if verdict == "changes_requested" and not summary:
        raise MoveRefused("say what to change: the summary is what the learner reads first")
    if len(summary) > MAX_SUMMARY:
        raise MoveRefused(f"the summary is {len(summary)} characters long; keep it under {MAX_SUMMARY}")
    check_move("in_review", verdict)
    request.state = verdict
    request.summary = summary
    request.rubric = rubric
    request.decided_at = now()
    request.claimed_until = None
    await request.save(
        [ReviewRequest.state, ReviewRequest.summary, ReviewRequest.rubric, ReviewRequest.decided_at,
         ReviewRequest.claimed_until]
    )  # fmt: skip
    words = "approved" if verdict == "approved" else "asked for changes to"
    await notify(
        request.learner,
        "verdict",
        f"A mentor {words} your attempt #{request.submission} of {request.exercise}.",
        f"/submissions/{request.submission}#review",
    )
    return request


class Anchor(msgspec.Struct, kw_only=True):
    path: str = ""  # "" = the whole attempt
    line_start: int = 0
    line_end: int = 0


async def add_comment(
    user: User, submission: Submission, anchor: Anchor, body: str, files: dict[str, str]
) -> ReviewComment:
    """A mentor's comment, or the learner's reply, anchored to a line range of a file or to the attempt."""
    if not (is_reviewer(user) or submission.user == user.id):
        raise MoveRefused("only the attempt's author and mentors comment on it")
    body = body.strip()
    if not body:
        raise MoveRefused("the comment is empty")
    if len(body) > MAX_COMMENT:
        raise MoveRefused(f"the comment is {len(body)} characters long; keep it under {MAX_COMMENT}")
    line_text = ""
    if anchor.path:
        if anchor.path not in files:
            raise MoveRefused(f"the attempt has no file {anchor.path}")
        lines = files[anchor.path].splitlines()
        end = anchor.line_end or anchor.line_start
        if not (1 <= anchor.line_start <= end <= len(lines)):
            raise MoveRefused(f"{anchor.path} has lines 1 to {len(lines)}; pick a line among them")
        line_text = lines[anchor.line_start - 1]
        anchor = Anchor(path=anchor.path, line_start=anchor.line_start, line_end=end)
    comment = ReviewComment(
        submission=submission.id,
        author=user.id,
        path=anchor.path,
        line_start=anchor.line_start,
        line_end=anchor.line_end,
        line_text=line_text,
        body=body,
        created_at=now(),
    )
    await comment.save()
    if submission.user != user.id:
        await notify(
            submission.user,
            "comment",
            f"A mentor commented on your attempt #{submission.id} of {submission.exercise}.",
            f"/submissions/{submission.id}#review",
        )
    else:
        review = await latest_request(submission.id)
        if review is not None and review.mentor is not None:
            await notify(
                review.mentor,
                "reply",
                f"{user.email} replied on attempt #{submission.id} of {submission.exercise}.",
                f"/review/{review.id}#comments",
            )
    return comment


class ShownComment(msgspec.Struct, kw_only=True):
    id: int
    author_email: str
    author_role: str
    path: str
    line_start: int
    line_end: int
    body: str
    created_at: datetime
    carried_from: int | None = None  # the earlier attempt the comment was made on


async def comments_for(submission: Submission, files: dict[str, str]) -> list[ShownComment]:
    """The attempt's comments, and those on the learner's earlier attempts of the exercise whose line is unchanged."""
    earlier_ids = [
        row["id"]
        for row in await Submission.select(Submission.id).where(
            (Submission.user == submission.user)
            & (Submission.exercise == submission.exercise)
            & (Submission.id <= submission.id)
        )
    ]
    rows = (
        await ReviewComment.select(
            ReviewComment.id,
            ReviewComment.submission,
            ReviewComment.author.email,
            ReviewComment.author.role,
            ReviewComment.path,
            ReviewComment.line_start,
            ReviewComment.line_end,
            ReviewComment.line_text,
            ReviewComment.body,
            ReviewComment.created_at,
        )
        .where(ReviewComment.submission.is_in(earlier_ids or [0]))
        .order_by(ReviewComment.id)
    )
    shown = []
    for row in rows:
        carried = None
        if row["submission"] != submission.id:
            lines = files.get(row["path"], "").splitlines() if row["path"] else []
            # Carried while the line is unchanged: same text at the same line number.
            if not row["path"] or len(lines) < row["line_start"] or lines[row["line_start"] - 1] != row["line_text"]:
                continue
            carried = row["submission"]
        shown.append(
            ShownComment(
                id=row["id"],
                author_email=row["author.email"],
                author_role=row["author.role"],
                path=row["path"],
                line_start=row["line_start"],
                line_end=row["line_end"],
                body=row["body"],
                created_at=row["created_at"],
                carried_from=carried,
            )
        )
    return shown


def _aware(moment: datetime | None) -> datetime:
    if moment is None:
        return datetime.min.replace(tzinfo=UTC)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


MAX_SNIPPET_TITLE = 100


async def add_snippet(mentor: User, title: str, body: str, exercise: str, curriculum: Curriculum) -> CommentSnippet:
    """A reusable comment: personal when `exercise` is empty, else shared with every mentor of that exercise."""
    if not is_reviewer(mentor):
        raise MoveRefused("only mentors keep comment snippets")
    title, body, exercise = title.strip(), body.strip(), exercise.strip()
    if not title or not body:
        raise MoveRefused("a snippet needs a title and a text")
    if len(title) > MAX_SNIPPET_TITLE or len(body) > MAX_COMMENT:
        raise MoveRefused(f"keep the title under {MAX_SNIPPET_TITLE} characters and the text under {MAX_COMMENT}")
    if exercise and curriculum.exercise(exercise) is None:
        raise MoveRefused(f"there is no exercise {exercise!r}")
    snippet = CommentSnippet(owner=mentor.id, exercise=exercise, title=title, body=body, created_at=now())
    await snippet.save()
    return snippet


async def snippets_for(mentor: User, exercise: str) -> list[CommentSnippet]:
    """The mentor's personal snippets and every snippet shared for this exercise, by title."""
    return (
        await CommentSnippet.objects()
        .where(
            ((CommentSnippet.owner == mentor.id) & (CommentSnippet.exercise == ""))
            | (CommentSnippet.exercise == exercise)
        )
        .order_by(CommentSnippet.title)
    )


async def delete_snippet(mentor: User, snippet_id: int) -> bool:
    """Only its author deletes a snippet; False when there is no such snippet of theirs."""
    deleted = (
        await CommentSnippet.delete()
        .where((CommentSnippet.id == snippet_id) & (CommentSnippet.owner == mentor.id))
        .returning(CommentSnippet.id)
    )
    return bool(deleted)
