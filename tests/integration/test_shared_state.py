"""State shared by every process of a deployment: sessions and stored archives in the database."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import httpx

from stagecraft.accounts.tables import User
from stagecraft.reviews.tables import ReviewRequest
from stagecraft.storage.archives import ArchiveMissing, archive_path, read_archive, store_archive
from stagecraft.storage.sessions import DatabaseStore
from stagecraft.storage.tables import ArchiveBlob, SessionRecord
from stagecraft.submissions.services import create_submission
from stagecraft.submissions.tables import Submission
from tests.conftest import EXERCISE, make_settings
from tests.helpers import running, zip_files


async def test_a_session_made_by_one_web_process_is_read_by_another(tmp_path, app, browser):
    """Two web processes behind a proxy: alice signs in on one, and the other knows her."""
    from stagecraft.app import create_app

    await browser.become("alice")
    assert (await browser.get("/notifications")).status_code == 200
    second = create_app(make_settings(tmp_path), run_workers=False)  # the same database, its own memory
    async with running(second):
        transport = httpx.ASGITransport(app=second)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as other:
            other.cookies = browser.client.cookies
            page = await other.get("/notifications", follow_redirects=False)
            assert page.status_code == 200 and "alice@example.com" in page.text
            anonymous = await httpx.AsyncClient(transport=transport, base_url="http://testserver").get(
                "/notifications", follow_redirects=False
            )
            assert anonymous.status_code in (302, 303, 401)
    assert await SessionRecord.count() >= 1


async def test_only_a_signed_in_browser_has_a_stored_session(browser, users):
    """A visitor, a health probe or an API client is stored nothing and sent no session cookie
    (Litestar alone stores an empty session per cookie-less request); signing out deletes the row."""
    from stagecraft.api.tokens import create_token

    client = browser.client
    _, secret = await create_token(users["alice"], "laptop", ["read"], None)
    for _ in range(3):
        client.cookies.clear()
        for answer in (
            await client.get("/"),
            await client.get("/healthz"),
            await client.get("/login"),
            await client.get("/no-such-page"),
            await client.get("/api/v1/exercises", headers={"Authorization": f"Bearer {secret}"}),
        ):
            assert answer.status_code in (200, 404)
            assert "session=" not in answer.headers.get("set-cookie", ""), answer.request.url
    assert await SessionRecord.count() == 0
    client.cookies.set("session", "null")  # the cleared cookie a browser may still send
    assert "session=" not in (await client.get("/")).headers.get("set-cookie", "")
    assert await SessionRecord.count() == 0

    client.cookies.clear()
    await browser.login("alice@example.com")
    assert await SessionRecord.count() == 1
    home = await client.get("/")
    assert "alice@example.com" in home.text and await SessionRecord.count() == 1
    signed_out = await browser.post("/logout", follow_redirects=False)
    assert signed_out.status_code in (302, 303)
    assert "session=null" in signed_out.headers.get("set-cookie", "").replace('"', "")
    assert await SessionRecord.count() == 0
    assert "alice@example.com" not in (await client.get("/")).text


async def test_the_session_store_expires_renews_and_deletes(client):
    store = DatabaseStore()
    await store.set("a", b"one", expires_in=60)
    await store.set("a", "two", expires_in=60)  # set again: replaced, not duplicated
    await store.set("a", "two", expires_in=61)  # unchanged, expiry nearly the same: no write needed
    assert await store.get("a") == b"two" and await SessionRecord.count() == 1
    assert 55 <= await store.expires_in("a") <= 60
    await store.get("a", renew_for=3600)
    assert await store.expires_in("a") > 3000
    await store.set("old", b"x", expires_in=60)
    await SessionRecord.update({SessionRecord.expires_at: datetime.now(UTC) - timedelta(seconds=1)}).where(
        SessionRecord.key == "old"
    )
    elsewhere = DatabaseStore()  # another process: reads the row
    assert await elsewhere.get("old") is None and not await elsewhere.exists("old")
    await store.set("stale", b"y", expires_in=60)
    await SessionRecord.update({SessionRecord.expires_at: datetime.now(UTC) - timedelta(seconds=1)}).where(
        SessionRecord.key == "stale"
    )
    assert await store.delete_expired() == 1
    await store.delete("a")
    assert await store.get("a") is None and await store.expires_in("a") is None
    await store.set("forever", b"z")
    assert await store.expires_in("forever") is None and await store.get("forever", renew_for=10) == b"z"


async def test_an_unchanged_session_is_not_written_back_and_a_changed_one_is(client):
    store = DatabaseStore()
    await store.set("k", b"v1", expires_in=60)
    assert await store.get("k") == b"v1"
    # Another process changes the row meanwhile: this one's unchanged session must not overwrite it.
    await SessionRecord.update({SessionRecord.value: b"elsewhere"}).where(SessionRecord.key == "k")
    await store.set("k", b"v1", expires_in=60)
    assert await DatabaseStore().get("k") == b"elsewhere"
    await store.set("k", b"v2", expires_in=60)  # a change is written
    assert await DatabaseStore().get("k") == b"v2"


async def test_a_session_removed_elsewhere_is_never_brought_back(client):
    """Served from memory, a session's row is confirmed where it grants (the viewer's query); a
    renewal of its expiry only updates the row, so a sign-out in another process stays done."""
    store = DatabaseStore()
    await store.set("k", b"v", expires_in=60)
    assert await store.get("k") == b"v"
    await SessionRecord.delete().where(SessionRecord.key == "k")  # signed out in another process
    assert await store.get("k") == b"v"  # from memory: nothing granted by it yet
    await store.set("k", b"v", expires_in=60)  # an unchanged session after a response
    await store.set("k", b"v", expires_in=3600)  # its expiry to move: a renewal, which finds nothing
    assert await SessionRecord.count() == 0
    assert await store.get("k") is None
    await store.set("k", b"v", expires_in=3600)  # another request still under way: not brought back
    assert await SessionRecord.count() == 0
    await store.set("k2", b"new", expires_in=60)  # a sign-in makes a new key, written
    assert await DatabaseStore().get("k2") == b"new"
    await SessionRecord.update({SessionRecord.expires_at: datetime.now(UTC) - timedelta(seconds=1)}, force=True)
    store._seen.remember("k2", b"new", datetime.now(UTC) - timedelta(seconds=1))  # expired here too
    assert await store.get("k2") is None


async def test_a_sign_out_is_not_undone_by_a_request_under_way(client):
    """A slow request (an upload) read the session; its browser signs out meanwhile in this
    process; the slow request's response stores the session it read: it must stay gone."""
    store = DatabaseStore()
    await store.set("k", b"alice", expires_in=60)
    assert await store.get("k") == b"alice"  # the slow request starts
    await store.delete("k")  # the sign-out
    await store.set("k", b"alice", expires_in=60)  # the slow request ends
    assert await SessionRecord.count() == 0 and await DatabaseStore().get("k") is None
    assert await store.get("k") is None
    # A made-up or stale cookie is looked up once, then costs no query and no write.
    assert await store.get("made-up") is None
    await SessionRecord.insert(SessionRecord(key="made-up", value=b"x"))  # (only to show it is not read)
    assert await store.get("made-up") is None
    await store.delete("made-up")
    assert await SessionRecord.count() == 1


async def test_a_sign_out_in_one_process_counts_at_once_in_another(tmp_path, app, browser):
    from stagecraft.app import create_app

    await browser.become("alice")
    second = create_app(make_settings(tmp_path), run_workers=False)
    async with running(second):
        transport = httpx.ASGITransport(app=second)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver.local") as other:
            other.cookies = browser.client.cookies
            for _ in range(2):  # the second process has the session in memory now
                assert "alice@example.com" in (await other.get("/notifications", follow_redirects=False)).text
            key = browser.client.cookies["session"]
            assert (await browser.post("/logout", follow_redirects=False)).status_code in (302, 303)
            other.cookies = httpx.Cookies()
            other.cookies.set("session", key)  # the old cookie, replayed on the other process
            gone = await other.get("/notifications", follow_redirects=False)
            assert gone.status_code in (302, 303) and "/login" in gone.headers["location"]
            assert "session=null" in gone.headers.get("set-cookie", "").replace('"', "")  # the browser forgets it
    assert await SessionRecord.count().where(SessionRecord.key == key) == 0


async def test_archives_in_the_database_with_the_files_as_fallback(tmp_path, client):
    settings = make_settings(tmp_path, STAGECRAFT_ARCHIVES="database")
    data = zip_files({"app.py": "print(1)"})
    sha256, again = await asyncio.gather(store_archive(settings, data, "zip"), store_archive(settings, data, "zip"))
    assert sha256 == again and await ArchiveBlob.count() == 1  # the same bytes at once: stored once
    assert not archive_path(settings, sha256, "zip").exists()  # nothing on this machine's disk
    assert await read_archive(settings, sha256) == (data, "zip")

    files = make_settings(tmp_path, STAGECRAFT_ARCHIVES="files")
    older = zip_files({"app.py": "print(2)"})
    old_sha = await store_archive(files, older, "zip")  # kept before the deployment moved to the database
    assert archive_path(files, old_sha, "zip").exists()
    assert await read_archive(settings, old_sha) == (older, "zip")
    try:
        await read_archive(settings, "0" * 64)
    except ArchiveMissing as exc:
        assert "missing" in str(exc)
    else:
        raise AssertionError("a missing archive must raise ArchiveMissing")


async def test_the_embedded_default_keeps_files(settings, client):
    data = zip_files({"app.py": "print(3)"})
    sha256 = await store_archive(settings, data, "zip")
    assert archive_path(settings, sha256, "zip").read_bytes() == data
    assert await ArchiveBlob.count() == 0


async def test_migrations_run_once_when_processes_start_together(client):
    from stagecraft.db import migrate

    await asyncio.gather(*[migrate() for _ in range(4)])  # all but one wait for the lock, then find nothing


async def _version(user: User) -> int:
    return (await User.select(User.progress_version).where(User.id == user.id).first())["progress_version"]


async def test_the_progress_version_moves_with_what_a_learners_pages_show(app, settings, users):
    """The database moves it on every change a page shows, whichever path writes (raw SQL too);
    not on a lease's renewal, and never another learner's."""
    alice, bob = users["alice"], users["bob"]
    seen, bobs = await _version(alice), await _version(bob)

    async def moved() -> bool:
        nonlocal seen
        now = await _version(alice)
        changed, seen = now != seen, now
        return changed

    exercise = app.state.curriculum.exercise(EXERCISE)
    data = zip_files({"stagecraft.toml": 'runtime = "python"\nstart = "python app.py"\n', "app.py": "x"})
    submission_id = await create_submission(settings, alice.id, exercise, "p.zip", data)
    assert await moved()  # a new attempt
    await Submission.update({Submission.state: "finished", Submission.verdict: "failed"}).where(
        Submission.id == submission_id
    )
    assert await moved()
    await Submission.update(
        {Submission.lease_until: datetime.now(UTC), Submission.lease_owner: "w1", Submission.app_log: "x"}
    ).where(Submission.id == submission_id)
    assert not await moved()  # a worker's lease and log: nothing a page shows
    await Submission.raw("UPDATE submissions SET score = 6 WHERE id = {}", submission_id)
    assert await moved()
    await Submission.update({Submission.state: "running"}).where(Submission.id == submission_id)
    assert await moved()

    request = ReviewRequest(submission=submission_id, learner=alice.id, exercise=EXERCISE, created_at=datetime.now(UTC))
    await request.save()
    assert await moved()
    await ReviewRequest.update({ReviewRequest.summary: "fine"}).where(ReviewRequest.id == request.id)
    assert not await moved()
    await ReviewRequest.update({ReviewRequest.state: "changes_requested"}).where(ReviewRequest.id == request.id)
    assert await moved()
    await ReviewRequest.delete().where(ReviewRequest.id == request.id)
    assert await moved()
    await Submission.delete().where(Submission.id == submission_id)
    assert await moved()
    assert await _version(bob) == bobs
