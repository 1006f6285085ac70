"""The submission lifecycle in one place: its states, the moves between them, and the words every page uses.

A submission is first graded (queued → running → graded). A graded attempt may then go to a
mentor: a review-required exercise's attempt enters the review queue when its spec tests pass,
and any learner may ask for a review of any graded attempt. The review ends in a verdict:
approved, or changes requested (the learner resubmits; the next attempt may be reviewed again).

The grading half lives in `Submission.state` (queued, running, finished) and the review half in
the attempt's latest `ReviewRequest`; `state_of` reads both into one of the states below.
"""

from __future__ import annotations

from typing import Literal

State = Literal["queued", "running", "graded", "awaiting_review", "in_review", "changes_requested", "approved"]

STATE_LABELS: dict[State, str] = {
    "queued": "Waiting to be graded",
    "running": "Being graded",
    "graded": "Graded",
    "awaiting_review": "Awaiting a mentor's review",
    "in_review": "A mentor is reviewing it",
    "changes_requested": "Changes requested",
    "approved": "Approved by a mentor",
}

# The moves a submission may make; anything else is refused by `check_move`.
TRANSITIONS: dict[State, frozenset[State]] = {
    "queued": frozenset({"running"}),
    "running": frozenset({"graded", "queued"}),  # back to queued: a platform fault is retried
    "graded": frozenset({"awaiting_review"}),
    "awaiting_review": frozenset({"in_review"}),
    "in_review": frozenset({"awaiting_review", "changes_requested", "approved"}),  # released, or a verdict
    "changes_requested": frozenset(),  # the learner resubmits: a new attempt starts its own lifecycle
    "approved": frozenset(),
}

ReviewState = Literal["open", "claimed", "approved", "changes_requested"]
ReviewVerdict = Literal["approved", "changes_requested"]
VERDICT_LABELS: dict[ReviewVerdict, str] = {"approved": "Approve", "changes_requested": "Request changes"}


class MoveRefused(ValueError):
    """A move the lifecycle does not allow: the message says why, in a person's words."""


def state_of(grading_state: str, review_state: ReviewState | None) -> State:
    """One state from the grading state of the submission and the state of its latest review request."""
    if grading_state == "queued":
        return "queued"
    if grading_state == "running":
        return "running"
    if review_state is None:
        return "graded"
    return {"open": "awaiting_review", "claimed": "in_review"}.get(review_state, review_state)  # type: ignore[return-value]


def check_move(current: State, target: State) -> None:
    if target not in TRANSITIONS[current]:
        now, then = STATE_LABELS[current].lower(), STATE_LABELS[target].lower()
        raise MoveRefused(f"a submission that is “{now}” cannot become “{then}”")
