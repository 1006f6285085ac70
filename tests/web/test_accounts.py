"""Sign up, log in, log out: argon2 hashes, fresh sessions, clear errors."""

from __future__ import annotations

from stagecraft.accounts.tables import User
from tests.helpers import PASSWORD


async def test_sign_up_signs_you_in_and_stores_only_an_argon2_hash(browser):
    await browser.become("anonymous")
    response = await browser.post("/signup", {"email": " Lena@Example.com ", "password": "a long enough password"})
    assert response.status_code == 302 and response.headers["location"] == "/"
    home = await browser.get("/")
    assert "lena@example.com" in home.text and "Log out" in home.text
    user = await User.objects().where(User.email == "lena@example.com").first()
    assert user.role == "learner"
    assert user.password_hash.startswith("$argon2id$") and "a long enough password" not in user.password_hash


async def test_sign_up_explains_what_is_wrong(browser):
    await browser.become("anonymous")
    short = await browser.post("/signup", {"email": "x@example.com", "password": "short"})
    assert short.status_code == 400 and "at least 10 characters" in short.text
    taken = await browser.post("/signup", {"email": "alice@example.com", "password": "another long password"})
    assert taken.status_code == 400 and "already exists" in taken.text
    assert await User.count().where(User.email == "x@example.com") == 0


async def test_login_with_a_wrong_password_fails_the_same_way_as_an_unknown_email(browser):
    await browser.become("anonymous")
    wrong = await browser.post("/login", {"email": "alice@example.com", "password": "not her password"})
    unknown = await browser.post("/login", {"email": "nobody@example.com", "password": "not her password"})
    assert wrong.status_code == unknown.status_code == 400
    assert "Wrong email or password." in wrong.text and "Wrong email or password." in unknown.text


async def test_login_renews_the_session_and_follows_only_local_next(browser):
    await browser.become("anonymous")
    await browser.get("/login")
    before = browser.client.cookies.get("session")
    response = await browser.post(
        "/login", {"email": "alice@example.com", "password": PASSWORD, "next": "/submissions"}
    )
    assert response.headers["location"] == "/submissions"
    assert browser.client.cookies.get("session") not in (None, before)
    await browser.become("anonymous")
    response = await browser.post(
        "/login", {"email": "alice@example.com", "password": PASSWORD, "next": "//evil.example/steal"}
    )
    assert response.headers["location"] == "/"


async def test_logout_ends_the_session(browser):
    await browser.become("alice")
    assert (await browser.get("/submissions")).status_code == 200
    await browser.post("/logout")
    response = await browser.get("/submissions")
    assert response.status_code == 302 and response.headers["location"].startswith("/login")


async def test_pages_escape_what_people_type(browser):
    await browser.become("anonymous")
    response = await browser.post("/signup", {"email": "<script>alert(1)</script>", "password": "x"})
    assert "<script>alert(1)</script>" not in response.text
    assert "&lt;script&gt;" in response.text
