"""The in-browser editor: a starter to begin with, drafts on the server, the same intake as an upload."""

from __future__ import annotations

import io
import json
import zipfile

from stagecraft.submissions.services import stored_archive
from stagecraft.submissions.tables import Submission
from tests.conftest import EXERCISE

MANIFEST = 'runtime = "python"\nstart = "python app.py"\n'


async def _post_json(browser, url: str, body: object):
    headers = {"X-CSRFToken": await browser.csrf(), "Accept": "application/json", "Content-Type": "application/json"}
    return await browser.client.post(url, content=json.dumps(body), headers=headers)


def _payload(page: str) -> dict:
    return json.loads(page.split('<script type="application/json" id="editor-data">')[1].split("</script>")[0])


async def test_the_editor_opens_on_the_starter_then_keeps_the_draft(app, browser):
    await browser.become("alice")
    page = (await browser.get(f"/exercises/{EXERCISE}/editor")).text
    starter = _payload(page)["files"]
    assert "stagecraft.toml" in starter and _payload(page)["readOnly"] is False
    assert 'src="/static/vendor/ace-1.36.5/ace.js"' in page and 'src="/static/editor.js"' in page

    files = {**starter, "notes/todo.md": "# </script><script>alert(1)</script>"}
    saved = await _post_json(browser, f"/exercises/{EXERCISE}/draft", {"files": files})
    assert saved.status_code == 200 and saved.json()["files"] == len(files)
    page = (await browser.get(f"/exercises/{EXERCISE}/editor")).text
    assert _payload(page)["files"]["notes/todo.md"] == files["notes/todo.md"]  # kept, and inert in the page
    assert "<script>alert(1)</script>" not in page
    other = (await browser.get(f"/exercises/{EXERCISE}/editor?runtime=node")).text
    assert "server.js" in _payload(other)["files"] or "package.json" in _payload(other)["files"]

    await browser.become("bob")  # another learner starts from the starter, not from alice's draft
    assert "notes/todo.md" not in _payload((await browser.get(f"/exercises/{EXERCISE}/editor")).text)["files"]


async def test_bad_files_get_a_json_message_that_says_what_to_change(browser):
    await browser.become("alice")
    for files, words in [
        ({"../etc/passwd": "x"}, "is not a file name the editor can keep"),
        ({"/abs.py": "x"}, "is not a file name"),
        ({"big.py": "x" * 300_000}, "at most 200 kB"),
        ({}, "the project has no files"),
    ]:
        answer = await _post_json(browser, f"/exercises/{EXERCISE}/draft", {"files": files})
        assert answer.status_code == 400 and words in answer.json()["detail"], (files.keys(), answer.text[:200])
    broken = await _post_json(browser, f"/exercises/{EXERCISE}/draft", {"nothing": 1})
    assert broken.status_code == 400 and "files" in broken.json()["detail"]
    no_manifest = await _post_json(browser, f"/exercises/{EXERCISE}/editor/submit", {"files": {"app.py": "x"}})
    assert no_manifest.status_code == 400 and "stagecraft.toml" in no_manifest.json()["detail"]


async def test_submitting_from_the_editor_is_an_upload_and_locks_the_editor_while_grading(app, settings, browser):
    await browser.become("alice")
    files = {"stagecraft.toml": MANIFEST, "app.py": "print('from the editor')\n"}
    made = await _post_json(browser, f"/exercises/{EXERCISE}/editor/submit", {"files": files})
    assert made.status_code == 201
    submission = await Submission.objects().where(Submission.id == made.json()["id"]).first()
    data, kind = await stored_archive(settings, submission)
    assert kind == "zip" and zipfile.ZipFile(io.BytesIO(data)).read("app.py") == b"print('from the editor')\n"
    page = (await browser.get(f"/exercises/{EXERCISE}/editor")).text
    assert _payload(page)["readOnly"] is True and 'id="read-only"' in page
    again = await _post_json(browser, f"/exercises/{EXERCISE}/editor/submit", {"files": files})
    assert again.status_code == 400 and "still being graded" in again.json()["detail"]
