from piccolo.columns import JSON, Boolean, ForeignKey, Integer, OnDelete, Real, Text, Timestamptz, Varchar
from piccolo.table import Table

from stagecraft.accounts.tables import User


class Submission(Table, tablename="submissions"):
    user = ForeignKey(User, on_delete=OnDelete.cascade, index=True)
    exercise = Varchar(length=100, index=True)
    runtime = Varchar(length=20)
    archive_sha256 = Varchar(length=64)
    archive_name = Varchar(length=255)
    state = Varchar(length=16, default="queued", index=True)  # queued | running | finished
    verdict = Varchar(length=20, default="")  # see grading.verdicts
    polished = Boolean(default=False)  # passed, and every craft test passed too
    message = Text(default="")  # learner-facing explanation of the verdict
    score = Real(default=0.0)
    max_score = Real(default=0.0)
    app_log = Text(default="")
    # The step before the tests: "preparing dependencies: cached", "... installed in 4.2 s".
    setup = Text(default="")
    attempts = Integer(default=0)  # tries: claims by a worker, including takeovers after a worker died
    faults = Integer(default=0)  # tries that ended in a platform fault (infra_error), retried up to a limit
    # Who grades it (a process, see grading.queue) and until when, unless renewed; a queued row
    # waiting out a platform fault's back-off is due at available_at.
    lease_owner = Varchar(length=200, default="")
    lease_until = Timestamptz(null=True, default=None)
    available_at = Timestamptz(null=True, default=None)
    operator_detail = Text(default="")  # never shown to learners
    created_at = Timestamptz()
    started_at = Timestamptz(null=True, default=None)
    finished_at = Timestamptz(null=True, default=None)


class GradedTest(Table, tablename="test_results"):
    submission = ForeignKey(Submission, on_delete=OnDelete.cascade, index=True)
    position = Integer()
    test_id = Varchar(length=100)
    title = Varchar(length=300, default="")
    status = Varchar(length=10)  # passed | failed | error | skipped
    score = Real(default=0.0)
    max_score = Real(default=0.0)
    message = Text(default="")
    expected = Text(default="")
    hint = Text(default="")
    duration = Real(default=0.0)
    transcript = JSON(default="[]")
    tier = Varchar(length=10, default="spec")  # spec | craft (see grading.events.TestTier)
    rule = Text(default="")  # spec: the requirement quoted; craft: why the practice matters
