"""Image tags: a content hash of what goes into each image, computed without Docker."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

from stagecraft.sandbox import SandboxError
from stagecraft.sandbox.images import IMAGES, image_inputs, image_tag
from tests.sandbox.conftest import REPO_ROOT


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A copy of the image definitions and a small grader SDK."""
    root = tmp_path / "repo"
    shutil.copytree(REPO_ROOT / "sandboxes", root / "sandboxes")
    sdk = root / "graders" / "sdk"
    (sdk / "src" / "stagecraft_grader").mkdir(parents=True)
    (sdk / "pyproject.toml").write_text('[project]\nname = "stagecraft-grader"\n')
    (sdk / "src" / "stagecraft_grader" / "__init__.py").write_text("VERSION = 1\n")
    return root


def tags(root: Path) -> dict[str, str]:
    return {name: image_tag(name, root) for name in IMAGES}


def edit(path: Path, text: str) -> None:
    path.write_text(text)
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))  # a visible change of mtime


def test_a_tag_names_the_image_and_a_short_content_hash(repo):
    for name, tag in tags(repo).items():
        assert re.fullmatch(rf"stagecraft/{name}:[0-9a-f]{{16}}", tag)


def test_the_same_content_gives_the_same_tag_wherever_the_checkout_is(repo, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    shutil.copytree(repo, elsewhere)

    assert tags(repo) == tags(elsewhere)


def test_changing_the_base_definition_changes_every_tag(repo):
    before = tags(repo)

    edit(repo / "sandboxes" / "base" / "base.toml", (repo / "sandboxes" / "base" / "base.toml").read_text() + "\n# x\n")

    after = tags(repo)
    # Every image FROM base (directly or through python) changes; base-bookworm's tree does not.
    on_bookworm = {"base-bookworm", "python311"}
    assert all(after[name] != before[name] for name in IMAGES if name not in on_bookworm)
    assert all(after[name] == before[name] for name in on_bookworm)


def test_changing_the_bookworm_base_changes_only_what_stands_on_it(repo):
    before = tags(repo)

    edit(
        repo / "sandboxes" / "base-bookworm" / "base.toml",
        (repo / "sandboxes" / "base-bookworm" / "base.toml").read_text() + "\n# x\n",
    )

    after = tags(repo)
    assert [name for name in IMAGES if after[name] != before[name]] == ["base-bookworm", "python311"]


@pytest.mark.parametrize(
    ("name", "path"),
    [
        ("python", "sandboxes/python/requirements.txt"),
        ("node", "sandboxes/node/package-lock.json"),
        ("node", "sandboxes/node/debian-packages.txt"),
        ("redis", "sandboxes/redis/Dockerfile"),
    ],
)
def test_changing_an_image_definition_changes_only_that_tag(repo, name, path):
    before = tags(repo)

    edit(repo / path, (repo / path).read_text() + "\n")

    after = tags(repo)
    # python311 and python-build are made from python's folder and image: they follow it.
    follows = {"python": ["python", "python311", "python-build"]}
    assert [image for image in IMAGES if after[image] != before[image]] == follows.get(name, [name])


def test_changing_the_grader_sdk_changes_only_the_grader_tag(repo):
    before = tags(repo)

    edit(repo / "graders" / "sdk" / "src" / "stagecraft_grader" / "__init__.py", "VERSION = 2\n")

    after = tags(repo)
    assert [name for name in IMAGES if after[name] != before[name]] == ["grader"]


def test_build_leftovers_do_not_change_the_grader_tag(repo):
    before = image_tag("grader", repo)
    sdk = repo / "graders" / "sdk"
    for leftover in (
        "src/stagecraft_grader/__pycache__/x.pyc",
        "src/stagecraft_grader.egg-info/PKG-INFO",
        "build/lib/x.py",
    ):
        (sdk / leftover).parent.mkdir(parents=True, exist_ok=True)
        (sdk / leftover).write_text("noise")

    assert image_tag("grader", repo) == before
    assert not any("egg-info" in str(path) for path in image_inputs("grader", repo))


def test_the_runtimes_and_the_redis_sidecar_are_images(repo):
    assert {"python", "node", "redis"} <= set(IMAGES)
    assert image_tag("redis", repo).startswith("stagecraft/redis:")


def test_an_unknown_image_is_an_error(repo):
    with pytest.raises(SandboxError, match="unknown image 'ruby'"):
        image_tag("ruby", repo)
