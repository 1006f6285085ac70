"""Upload limits hold at the door: the body is refused before it is read whole."""

from __future__ import annotations

import os

import pytest

from stagecraft.submissions.tables import Submission
from tests.conftest import EXERCISE, make_settings
from tests.helpers import zip_files


@pytest.fixture
def settings(tmp_path):
    return make_settings(tmp_path, STAGECRAFT_MAX_UPLOAD_MB="1")


async def test_an_upload_over_the_limit_is_refused(browser):
    await browser.become("alice")
    huge = os.urandom(3 * 1024 * 1024)
    files = {"archive": ("big.zip", zip_files({"stagecraft.toml": "x", "blob.bin": huge}), "application/zip")}
    response = await browser.post(f"/exercises/{EXERCISE}/submissions", files=files)
    assert response.status_code == 413
    assert await Submission.count() == 0


async def test_an_archive_just_over_the_setting_gets_a_clear_message(browser):
    await browser.become("alice")
    blob = os.urandom(1024 * 1024 + 1000)  # over 1 MiB, under the body limit (setting + 1 MiB)
    files = {"archive": ("big.zip", zip_files({"stagecraft.toml": "x", "blob.bin": blob}), "application/zip")}
    response = await browser.post(f"/exercises/{EXERCISE}/submissions", files=files)
    assert response.status_code == 400
    assert "larger than 1 MiB" in response.text
    assert await Submission.count() == 0


MANIFEST = 'runtime = "python"\nstart = "python app.py"\n'


async def test_a_requirements_file_in_utf16_is_accepted_as_pip_reads_it(browser):
    await browser.become("alice")
    requirements = "Flask==3.0.3\r\nFlask-SQLAlchemy==3.1.1\r\n".encode("utf-16")  # PowerShell's pip freeze
    archive = zip_files({"stagecraft.toml": MANIFEST, "app.py": "", "requirements.txt": requirements})
    files = {"archive": ("project.zip", archive, "application/zip")}
    response = await browser.post(f"/exercises/{EXERCISE}/submissions", files=files)
    assert response.status_code == 302, response.text  # to the live result page
    assert await Submission.count() == 1


@pytest.mark.parametrize(
    ("name", "content", "says"),
    [
        ("package.json", '{"dependencies": {"express": "^4"},}', "package.json"),
        ("requirements.txt", b"\xff\xfe\x00\xd8flask", "requirements.txt"),
        ("requirements.txt", "flask ===> 2\n", "line 1"),
        ("pyproject.toml", '[project\nname = "x"\n', "pyproject.toml"),
    ],
)
async def test_an_unreadable_dependency_file_is_a_400_that_says_what_to_fix(browser, name, content, says):
    await browser.become("alice")
    runtime = "node" if name == "package.json" else "python"
    manifest = f'runtime = "{runtime}"\nstart = "python app.py"\n'
    files = {"archive": ("p.zip", zip_files({"stagecraft.toml": manifest, name: content}), "application/zip")}
    response = await browser.post(f"/exercises/{EXERCISE}/submissions", files=files)
    assert response.status_code == 400
    assert says in response.text
    assert "Traceback" not in response.text
    assert await Submission.count() == 0
