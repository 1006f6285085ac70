"""The submission budget: shown before submitting, refused past it, never charged for a platform fault."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from stagecraft.submissions.budget import BudgetRule, replay
from stagecraft.submissions.tables import Submission
from stagecraft.submissions.waiting import queue_position
from tests.conftest import EXERCISE, make_settings
from tests.helpers import zip_files

MANIFEST = 'runtime = "python"\nstart = "python app.py"\n'
T0 = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)


def test_the_bucket_refills_one_attempt_per_period_up_to_its_size():
    rule = BudgetRule(attempts=3, refill_minutes=10)
    assert replay([], rule, T0).left == 3 and replay([], rule, T0).next_in_seconds is None
    three = [T0, T0 + timedelta(minutes=1), T0 + timedelta(minutes=2)]
    spent = replay(three, rule, T0 + timedelta(minutes=2))
    # 0.1 of an attempt came back during each minute between them: 0.2 in hand, a whole one in 8 min.
    assert (spent.left, round(spent.next_in_seconds)) == (0, 480)
    assert spent.words == "no attempts left: the next comes back in 8 min"
    later = replay(three, rule, T0 + timedelta(minutes=16))
    assert (later.left, round(later.next_in_seconds)) == (1, 240)
    assert later.words == "1 of 3 attempts left, the next comes back in 4 min"
    assert replay(three, rule, T0 + timedelta(hours=5)).left == 3  # never more than the bucket holds


async def _upload(browser, name: str = "p.zip"):
    files = {"archive": (name, zip_files({"stagecraft.toml": MANIFEST, "app.py": "print(1)"}), "application/zip")}
    return await browser.post(f"/exercises/{EXERCISE}/submissions", files=files)


async def test_past_the_budget_an_upload_is_refused_and_a_platform_fault_costs_nothing(tmp_path, monkeypatch):
    import httpx

    from stagecraft.app import create_app
    from tests.conftest import users as _users  # noqa: F401 - the personas are made below
    from tests.helpers import Browser, running

    settings = make_settings(tmp_path, STAGECRAFT_BUDGET_ATTEMPTS="2", STAGECRAFT_BUDGET_REFILL_MINUTES="60")
    app = create_app(settings, run_workers=False)
    async with running(app):
        from stagecraft.accounts.services import create_user
        from tests.helpers import PASSWORD

        await create_user("alice@example.com", PASSWORD, "learner")
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver.local") as client:
            browser = Browser(client)
            await browser.become("alice")
            assert "2 of 2 attempts left" in (await browser.get(f"/exercises/{EXERCISE}")).text
            first = await _upload(browser)
            assert first.status_code == 302
            # The first attempt ends in a platform fault: it is given back.
            first_id = int(first.headers["location"].rsplit("/", 1)[1])
            await Submission.update({Submission.state: "finished", Submission.verdict: "infra_error"}).where(
                Submission.id == first_id
            )
            assert (await _upload(browser)).status_code == 302
            assert (await _upload(browser)).status_code == 302
            refused = await _upload(browser)
            assert refused.status_code == 429
            assert "You have used your attempts at this exercise for now" in refused.text
            assert "the next comes back in 60 min" in refused.text
            assert await Submission.count() == 3  # the refused upload stored nothing
            rerun = await browser.post(f"/submissions/{first_id}/rerun")
            assert rerun.status_code == 429


async def test_a_waiting_attempt_knows_its_place_in_the_queue(app, settings, users, browser):
    ids = []
    for _ in range(3):
        ids.append(await _upload_as(app, settings, users["alice"]))
    place = await queue_position(await Submission.objects().where(Submission.id == ids[2]).first())
    assert place.position == 3 and place.wait_seconds is None and place.words == "number 3 in the queue"
    await Submission.update(
        {Submission.state: "finished", Submission.verdict: "passed", Submission.started_at: T0,
         Submission.finished_at: T0 + timedelta(seconds=90)}
    ).where(Submission.id == ids[0])  # fmt: skip
    place = await queue_position(await Submission.objects().where(Submission.id == ids[2]).first())
    assert place.position == 2 and place.words == "number 2 in the queue; expected wait about 2 min"
    await browser.become("alice")
    assert (
        "It is number 2 in the queue; expected wait about 2 min." in (await browser.get(f"/submissions/{ids[2]}")).text
    )


async def _upload_as(app, settings, user) -> int:
    from stagecraft.submissions.services import create_submission

    exercise = app.state.curriculum.exercise(EXERCISE)
    return await create_submission(
        settings, user.id, exercise, "p.zip", zip_files({"stagecraft.toml": MANIFEST, "app.py": "x"})
    )
