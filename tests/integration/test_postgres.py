"""The scaled mode's database: the same code and migrations on a real PostgreSQL."""

from __future__ import annotations

import asyncio
import socket
from datetime import UTC, datetime, timedelta

import asyncpg
import pytest

from stagecraft.grading.queue import DatabaseQueue, claim_submission, finish, release_dead_owners, renew
from stagecraft.submissions.services import create_submission
from stagecraft.submissions.tables import Submission
from tests.conftest import EXERCISE, make_settings
from tests.helpers import scratch_database, zip_files
from tests.integration.test_shared_state import (
    test_the_progress_version_moves_with_what_a_learners_pages_show as test_the_progress_version_on_postgres,  # noqa: F401
)

pytestmark = pytest.mark.postgres
MANIFEST = 'runtime = "python"\nstart = "python app.py"\n'


@pytest.fixture
async def database_url():
    async with scratch_database() as url:
        yield url


@pytest.fixture
def settings(tmp_path, database_url):
    return make_settings(tmp_path, DATABASE_URL=database_url)


async def test_migrations_run_twice_and_tables_exist(client, database_url):
    from stagecraft.db import migrate

    await migrate()  # the app's start-up ran it once already; a second run changes nothing
    connection = await asyncpg.connect(database_url)
    tables = {r["tablename"] for r in await connection.fetch("SELECT tablename FROM pg_tables")}
    await connection.close()
    assert {"users", "submissions", "test_results", "review_requests", "review_comments"} <= tables


async def test_sign_up_log_in_and_submit_on_postgres(browser, app, settings):
    await browser.become("alice")
    files = {"archive": ("p.zip", zip_files({"stagecraft.toml": MANIFEST, "app.py": "x"}), "application/zip")}
    response = await browser.post(f"/exercises/{EXERCISE}/submissions", files=files)
    assert response.status_code == 302
    page = await browser.get(response.headers["location"])
    assert page.status_code == 200 and "Waiting for a grader" in page.text


async def test_two_workers_never_claim_the_same_job(client, users, app, settings):
    exercise = app.state.curriculum.exercise(EXERCISE)
    data = zip_files({"stagecraft.toml": MANIFEST, "app.py": "x"})
    ids = [await create_submission(settings, users["alice"].id, exercise, "p.zip", data) for _ in range(6)]
    queue = DatabaseQueue()
    claimed = await asyncio.gather(*[queue.claim() for _ in range(10)])
    taken = [c.submission_id for c in claimed if c is not None]
    assert len(taken) == len(set(taken)) and set(taken) <= set(ids)
    assert await Submission.count().where(Submission.state == "running") == len(taken)
    # This process is alive: its leases stay; once they name a dead process of this host, they go back.
    assert await release_dead_owners() == []
    await Submission.update({Submission.lease_owner: f"{socket.gethostname()}:999999999:1"}).where(
        Submission.state == "running"
    )
    assert sorted(await release_dead_owners()) == sorted(taken)
    assert await Submission.count().where(Submission.state == "queued") == 6


async def test_the_same_submission_claimed_twice_at_once_is_graded_once(client, users, app, settings):
    exercise = app.state.curriculum.exercise(EXERCISE)
    data = zip_files({"stagecraft.toml": MANIFEST, "app.py": "x"})
    submission_id = await create_submission(settings, users["alice"].id, exercise, "p.zip", data)
    leases = await asyncio.gather(*[claim_submission(submission_id, owner=f"w{i}") for i in range(8)])
    (lease,) = [lease for lease in leases if lease is not None]
    assert lease.attempt == 1
    # A stale holder's writes are refused once the lease went to someone else.
    await Submission.update({Submission.lease_until: datetime.now(UTC) - timedelta(seconds=1)}).where(
        Submission.id == submission_id
    )
    second = await claim_submission(submission_id, owner="sweeper")
    assert second is not None and second.attempt == 2
    assert await renew(lease) is False
    assert await finish(lease, {"verdict": "failed"}) is False
    assert await finish(second, {"verdict": "passed"}) is True
    assert await finish(second, {"verdict": "failed"}) is False
    row = await Submission.objects().where(Submission.id == submission_id).first()
    assert (row.state, row.verdict, row.attempts, row.lease_owner) == ("finished", "passed", 2, "")
    assert await claim_submission(submission_id) is None


async def test_tiers_and_polished_are_stored(client, users, app, settings):
    from stagecraft.progress.services import exercise_progress
    from stagecraft.submissions.tables import GradedTest

    exercise = app.state.curriculum.exercise(EXERCISE)
    data = zip_files({"stagecraft.toml": MANIFEST, "app.py": "x"})
    submission_id = await create_submission(settings, users["alice"].id, exercise, "p.zip", data)
    assert (await Submission.objects().where(Submission.id == submission_id).first()).polished is False
    await Submission.update(
        {Submission.state: "finished", Submission.verdict: "passed", Submission.polished: True}
    ).where(Submission.id == submission_id)
    await GradedTest.insert(
        GradedTest(submission=submission_id, position=0, test_id="a", status="passed"),
        GradedTest(submission=submission_id, position=1, test_id="b", status="passed", tier="craft", rule="why"),
    )
    rows = await GradedTest.select(GradedTest.tier, GradedTest.rule).order_by(GradedTest.position)
    assert rows == [{"tier": "spec", "rule": ""}, {"tier": "craft", "rule": "why"}]
    assert (await exercise_progress(users["alice"].id))[EXERCISE].polished is True


async def test_two_mentors_never_claim_the_same_review(client, users, app, settings):
    from stagecraft.accounts.services import create_user
    from stagecraft.reviews import services
    from tests.helpers import PASSWORD

    exercise = app.state.curriculum.exercise(EXERCISE)
    data = zip_files({"stagecraft.toml": MANIFEST, "app.py": "x"})
    submission_id = await create_submission(settings, users["alice"].id, exercise, "p.zip", data)
    await Submission.update({Submission.state: "finished", Submission.verdict: "failed"}).where(
        Submission.id == submission_id
    )
    submission = await Submission.objects().where(Submission.id == submission_id).first()
    request = await services.ask_for_review(users["alice"], submission, "Where did I go wrong?", app.state.curriculum)
    mentors = [users["mia"], *[await create_user(f"m{n}@example.com", PASSWORD, "mentor") for n in range(5)]]

    outcomes = await asyncio.gather(*(services.claim(m, request.id) for m in mentors), return_exceptions=True)
    assert len([o for o in outcomes if not isinstance(o, Exception)]) == 1
    assert all(isinstance(o, services.MoveRefused) for o in outcomes if isinstance(o, Exception))
    [row] = await services.queue(services.QueueFilter(learner="ALICE"))  # filters ignore case on PostgreSQL too
    assert row.state == "claimed"


async def test_the_reaper_gives_a_job_to_submissions_that_lost_theirs(client, users, app, settings, database_url):
    """Scaled mode: a queued submission with no SAQ job (the web died before enqueueing) gets one;
    one waiting in the queue is left alone; one whose job a worker took and died with gets a new key."""
    from stagecraft.grading.scaled import LOST_AFTER, SaqQueue, job_key

    exercise = app.state.curriculum.exercise(EXERCISE)
    data = zip_files({"stagecraft.toml": MANIFEST, "app.py": "x"})
    ids = [await create_submission(settings, users["alice"].id, exercise, "p.zip", data) for _ in range(2)]
    long_ago = datetime.now(UTC) - LOST_AFTER - timedelta(seconds=5)
    await Submission.update({Submission.created_at: long_ago}).where(Submission.id.is_in(ids))
    queue = SaqQueue(database_url)
    await queue.connect()
    try:

        async def jobs() -> dict[str, str]:
            rows = await Submission.raw("SELECT key, status FROM saq_jobs")
            return {r["key"]: r["status"] for r in rows}

        assert await queue.reap() == 2  # neither had a job
        assert await jobs() == {job_key(i, 0): "queued" for i in ids}
        assert await queue.reap() == 0  # waiting their turn: nothing to do
        assert len(await jobs()) == 2
        # A worker took the first job and died before claiming the submission.
        await Submission.raw("UPDATE saq_jobs SET status = 'active' WHERE key = {}", job_key(ids[0], 0))
        assert await queue.reap() == 1
        fresh = [key for key, status in (await jobs()).items() if key.startswith(job_key(ids[0], 0) + "-r")]
        assert len(fresh) == 1 and (await jobs())[fresh[0]] == "queued"
    finally:
        await queue.disconnect()


async def test_the_database_url_reaches_the_connection_whole(database_url):
    """Query parameters (sslmode, application_name...) and %-encoded parts of DATABASE_URL reach the
    connection as libpq would read them, for the tables' pool and the relay alike."""
    from stagecraft.db import close_database, open_database, postgres_connect_kwargs

    url = database_url.replace("postgres@", "postgres:a%40b%2Fc@") + "?sslmode=disable&application_name=stagecraft-url"
    await open_database(url)
    try:
        [row] = await Submission.raw("SELECT current_setting('application_name') AS name, now() AS now")
        assert row["name"] == "stagecraft-url"
    finally:
        await close_database()
    connection = await asyncpg.connect(**postgres_connect_kwargs(url))
    assert await connection.fetchval("SELECT current_setting('application_name')") == "stagecraft-url"
    await connection.close()


async def test_leases_are_reckoned_on_the_database_clock(client, monkeypatch):
    """A worker whose host clock runs five minutes ahead still dates leases by the database's clock."""
    from stagecraft.grading import queue

    class AheadClock(datetime):
        @classmethod
        def now(cls, tz=None):
            return datetime.now(tz) + timedelta(minutes=5)

    monkeypatch.setattr(queue, "datetime", AheadClock)
    try:
        offset = await queue.sync_clock()
        [row] = await Submission.raw("SELECT now() AS now")
        assert timedelta(minutes=-5, seconds=-1) < offset < timedelta(minutes=-5, seconds=1)
        assert abs(queue._now() - row["now"]) < timedelta(seconds=1)
    finally:
        monkeypatch.undo()
        await queue.sync_clock()
