"""The submission lifecycle, the review rubric, the code view's pieces and the queue's figures."""

from __future__ import annotations

import pytest

from stagecraft.reviews import code
from stagecraft.reviews.services import QueueRow, wait_figures
from stagecraft.reviews.views import rubric_of
from stagecraft.settings import REPO_ROOT
from stagecraft.submissions.lifecycle import STATE_LABELS, TRANSITIONS, MoveRefused, check_move, state_of


@pytest.mark.parametrize(
    ("grading", "review", "state"),
    [
        ("queued", None, "queued"),
        ("running", None, "running"),
        ("graded", None, "graded"),
        ("graded", "open", "awaiting_review"),
        ("graded", "claimed", "in_review"),
        ("graded", "changes_requested", "changes_requested"),
        ("graded", "approved", "approved"),
    ],
)
def test_one_state_from_grading_and_review(grading, review, state):
    assert state_of(grading, review) == state


def test_only_the_lifecycle_moves_are_allowed():
    check_move("graded", "awaiting_review")
    check_move("in_review", "approved")
    check_move("in_review", "awaiting_review")  # a mentor puts it back
    with pytest.raises(MoveRefused, match="“approved by a mentor” cannot become “awaiting a mentor's review”"):
        check_move("approved", "awaiting_review")
    with pytest.raises(MoveRefused):
        check_move("awaiting_review", "approved")  # a verdict needs a claim first
    assert set(TRANSITIONS) == set(STATE_LABELS)
    assert all(targets <= set(STATE_LABELS) for targets in TRANSITIONS.values())


def test_the_capstone_rubric_is_read_from_its_brief():
    from stagecraft.curriculum.loader import load_curriculum

    curriculum = load_curriculum(REPO_ROOT / "curriculum", REPO_ROOT / "graders")
    rubric = rubric_of(curriculum.exercise("capstone"))
    assert rubric[0] == "Design and data model" and rubric[-1] == "README and decision log" and len(rubric) == 8
    assert rubric_of(curriculum.exercise("http-basics")) == []


def test_the_diff_between_attempts_names_each_changed_file():
    old = {"app.py": "a\nb\n", "gone.py": "x\n", "same.py": "s\n"}
    new = {"app.py": "a\nc\n", "new.py": "n\n", "same.py": "s\n"}
    text = code.diff(old, new)
    assert "--- a/app.py\n+++ b/app.py\n" in text and "-b\n+c\n" in text
    assert "--- a/gone.py\n+++ /dev/null\n" in text and "--- /dev/null\n+++ b/new.py\n" in text
    assert "same.py" not in text
    assert code.diff(old, old) == ""


def test_highlighted_code_is_escaped_and_anchored():
    html = code.highlighted("app.js", "const s = '<script>alert(1)</script>';\nmain();\n")
    assert "<script>" not in html and "&lt;" in html
    assert 'id="L-2"' in html and 'href="#L-2"' in html
    assert 'id="L-1"' in code.highlighted("notes.unknown-extension", "plain\n")


def test_the_served_stylesheet_matches_the_formatter():
    served = (REPO_ROOT / "platform/stagecraft/static/pygments.css").read_text()
    assert code.stylesheet() in served, "regenerate static/pygments.css from stagecraft.reviews.code.stylesheet()"


def _row(seconds: float) -> QueueRow:
    return QueueRow(
        request_id=1, submission_id=1, learner_email="a@x", exercise="e", stage=1, note="", state="open",
        mentor_email=None, claimed_until=None, waiting_seconds=seconds,
    )  # fmt: skip


def test_wait_figures_are_the_median_and_90th_percentile():
    assert wait_figures([]) is None
    assert wait_figures([_row(60)]) == (60, 60)
    median, p90 = wait_figures([_row(s) for s in range(0, 1000, 100)])
    assert median == 450 and 800 < p90 <= 900
