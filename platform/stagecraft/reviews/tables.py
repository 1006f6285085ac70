from piccolo.columns import JSON, ForeignKey, Integer, OnDelete, Text, Timestamptz, Varchar
from piccolo.table import Table

from stagecraft.accounts.tables import User
from stagecraft.submissions.tables import Submission


class ReviewRequest(Table, tablename="review_requests"):
    """One graded attempt waiting for, or given, a mentor's review (see submissions.lifecycle)."""

    submission = ForeignKey(Submission, on_delete=OnDelete.cascade, index=True)
    learner = ForeignKey(User, on_delete=OnDelete.cascade, index=True)  # the attempt's owner
    exercise = Varchar(length=100, index=True)
    stage = Integer(default=0)
    note = Text(default="")  # the learner's "what I'd like feedback on"; empty when the exercise asked
    state = Varchar(length=20, default="open", index=True)  # open | claimed | approved | changes_requested
    mentor = ForeignKey(User, null=True, default=None, on_delete=OnDelete.set_null)
    claimed_until = Timestamptz(null=True, default=None)
    summary = Text(default="")  # the verdict's summary, Markdown
    rubric = JSON(default="[]")  # the rubric items the mentor ticked (capstones)
    created_at = Timestamptz()
    decided_at = Timestamptz(null=True, default=None)


class ReviewComment(Table, tablename="review_comments"):
    """A comment on an attempt: on a line or a range of one file, or on the whole attempt (no path)."""

    submission = ForeignKey(Submission, on_delete=OnDelete.cascade, index=True)
    author = ForeignKey(User, on_delete=OnDelete.cascade)
    path = Varchar(length=500, default="")
    line_start = Integer(default=0)
    line_end = Integer(default=0)
    line_text = Text(default="")  # the first commented line's text, to carry the comment to the next attempt
    body = Text()  # Markdown, rendered safely
    created_at = Timestamptz()


class CommentSnippet(Table, tablename="comment_snippets"):
    """A comment a mentor reuses: personal (no exercise) or shared with every mentor of one exercise."""

    owner = ForeignKey(User, on_delete=OnDelete.cascade, index=True)
    exercise = Varchar(length=100, default="", index=True)  # "" = personal
    title = Varchar(length=100)
    body = Text()  # Markdown
    created_at = Timestamptz()
