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
