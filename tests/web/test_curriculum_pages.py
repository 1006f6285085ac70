"""The curriculum as a visitor sees it."""

from __future__ import annotations

import io
import zipfile

from tests.conftest import EXERCISE, EXERCISE_DIR


async def test_home_lists_the_ten_stages_in_order(client):
    page = (await client.get("/")).text
    positions = [page.index(f'id="stage-{n}"') for n in range(1, 11)]
    assert positions == sorted(positions)
    assert "Fundamentals" in page


async def test_a_stage_page_shows_its_lesson_and_exercises(client):
    page = (await client.get("/stages/1")).text
    assert f'href="/exercises/{EXERCISE}"' in page
    assert '<article class="lesson card"><h1>Fundamentals</h1>' in page  # the lesson, rendered from Markdown
    assert "A backend is a program that waits for requests and answers them." in page
    assert (await client.get("/stages/11")).status_code == 404


async def test_the_capstone_is_listed_last_and_marked_mentor_reviewed(client):
    page = (await client.get("/stages/10")).text
    assert page.index('href="/exercises/conditional-requests"') < page.index('href="/exercises/capstone"')
    assert page.count("mentor-reviewed") == 1
    assert "mentor-reviewed" in (await client.get("/exercises/capstone")).text
    assert "mentor-reviewed" not in (await client.get("/exercises/conditional-requests")).text


async def test_the_starter_download_is_the_starter_folder(client):
    response = await client.get(f"/exercises/{EXERCISE}/starter/python")
    assert response.headers["content-type"] == "application/zip"
    names = set(zipfile.ZipFile(io.BytesIO(response.content)).namelist())
    shipped = {
        str(p.relative_to(EXERCISE_DIR / "starter" / "python"))
        for p in (EXERCISE_DIR / "starter" / "python").rglob("*")
        if p.is_file()
    }
    assert names == shipped and "stagecraft.toml" in names
    assert (await client.get(f"/exercises/{EXERCISE}/starter/cobol")).status_code == 404
    assert (await client.get(f"/exercises/{EXERCISE}/starter/..%2F..%2Fsolutions")).status_code == 404


async def test_pages_carry_security_headers(client):
    response = await client.get("/")
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "unsafe-inline" not in csp
    assert "<script>" not in response.text and "style=" not in response.text  # nothing inline for the CSP to block
