"""Preparing a project's declared dependencies with the real registries, engine and images.

What learners meet: packages installed at their versions and cached, a message naming the package
and the reason when one cannot be, and a platform fault (not theirs) when the registry is down.
What they must never reach: the host (a project's own build code runs in the build container).
"""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from stagecraft.sandbox import SandboxError
from stagecraft.sandbox.dependencies import DependencyFailure, DependencySettings, prepare_dependencies
from stagecraft.settings import REPO_ROOT
from tests.sandbox.conftest import write_tree

pytestmark = pytest.mark.docker

CACHES = REPO_ROOT / "data" / "cache"  # pip's and npm's download caches, shared with the platform


def settings_for(tmp_path: Path, **options) -> DependencySettings:
    defaults = {"pip_cache": CACHES / "pip", "npm_cache": CACHES / "npm"}
    return DependencySettings(store_dir=tmp_path / "store", **(defaults | options))


def test_declared_versions_are_installed_once_then_reused(built_images, tmp_path):
    project = write_tree(tmp_path / "p", {"requirements.txt": "Flask-SQLAlchemy==3.1.1\npython-dotenv==1.0.1\n"})
    settings = settings_for(tmp_path)

    cold = prepare_dependencies("python", project, settings, client=None)
    warm = prepare_dependencies("python", project, settings, client=None)

    assert cold.tree is not None and not cold.cached and cold.summary.startswith("installed in")
    assert (cold.tree / "flask_sqlalchemy" / "__init__.py").is_file()
    assert (cold.tree / "dotenv").is_dir()
    assert warm.cached and warm.tree == cold.tree and warm.seconds < 0.5
    # A different file is another key: never the first tree.
    (project / "requirements.txt").write_text("Flask-SQLAlchemy==3.1.0\npython-dotenv==1.0.1\n")
    other = prepare_dependencies("python", project, settings, client=None)
    assert not other.cached and other.tree != cold.tree


def test_what_the_image_already_has_needs_no_install(built_images, tmp_path):
    project = write_tree(tmp_path / "p", {"requirements.txt": "flask>=3\nSQLAlchemy~=2.1\n"})
    prepared = prepare_dependencies("python", project, settings_for(tmp_path), client=None)
    assert (prepared.tree, prepared.summary) == (None, "nothing to install")


def test_a_package_that_is_not_on_pypi_is_named(built_images, tmp_path):
    name = f"stagecraft-no-such-package-{uuid.uuid4().hex[:8]}"
    project = write_tree(tmp_path / "p", {"requirements.txt": f"flask\n{name}==1.0\n"})
    with pytest.raises(DependencyFailure, match=f"{name} is not on PyPI") as failed:
        prepare_dependencies("python", project, settings_for(tmp_path), client=None)
    assert failed.value.log  # pip's own words, for the learner


def test_a_package_published_as_source_only_is_built_in_the_build_container(built_images, tmp_path):
    project = write_tree(tmp_path / "p", {"requirements.txt": "docopt==0.6.2\nFlask==3.0.3\n"})  # no wheel at all

    prepared = prepare_dependencies("python", project, settings_for(tmp_path), client=None)

    assert prepared.tree is not None and (prepared.tree / "docopt.py").is_file()
    assert (prepared.tree / "docopt-0.6.2.dist-info").is_dir()
    assert prepared.summary.endswith("some packages built from source") and prepared.image == ""


def test_a_source_package_that_does_not_build_says_so_with_the_compilers_words(built_images, tmp_path):
    project = write_tree(tmp_path / "p", {"requirements.txt": "pycrypto==2.6.1\n"})  # source only, long dead
    with pytest.raises(DependencyFailure, match="building pycrypto from source failed") as failed:
        prepare_dependencies("python", project, settings_for(tmp_path), client=None)
    assert "Failed building wheel for pycrypto" in failed.value.log


def test_pins_with_no_wheel_for_the_newest_python_run_on_an_older_one(built_images, tmp_path):
    # A 2023 `pip freeze`: greenlet 3.0.3 has wheels for CPython 3.11, none for 3.13.
    project = write_tree(tmp_path / "p", {"requirements.txt": "greenlet==3.0.3\nFlask==3.0.3\n"})
    settings = settings_for(tmp_path)

    prepared = prepare_dependencies("python", project, settings, client=None)
    again = prepare_dependencies("python", project, settings, client=None)

    assert prepared.image == "python311" and prepared.tree is not None
    assert "for Python 3.11, since greenlet==3.0.3 has no wheel for Python 3.13" in prepared.summary
    assert any(p.name.startswith("greenlet-3.0.3") for p in prepared.tree.iterdir())
    assert (again.cached, again.image, again.tree) == (True, "python311", prepared.tree)
    assert again.summary == "cached, for Python 3.11"


def test_requires_python_picks_the_python_it_allows(built_images, tmp_path):
    project = write_tree(
        tmp_path / "p",
        {"pyproject.toml": '[project]\nname = "x"\nversion = "1"\nrequires-python = ">=3.10,<3.12"\n'
                           'dependencies = ["python-dotenv==1.0.1"]\n'},
    )  # fmt: skip
    prepared = prepare_dependencies("python", project, settings_for(tmp_path), client=None)
    assert prepared.image == "python311" and prepared.summary.endswith("for Python 3.11")


def test_a_tree_over_the_size_cap_is_refused(built_images, tmp_path):
    project = write_tree(tmp_path / "p", {"requirements.txt": "Flask-SQLAlchemy==3.1.1\n"})  # SQLAlchemy: ~20 MB
    with pytest.raises(DependencyFailure, match="at most 2 MiB"):
        prepare_dependencies("python", project, settings_for(tmp_path, max_tree_mb=2), client=None)
    assert list((tmp_path / "store").iterdir()) == []  # nothing stored, no scratch left


def test_a_python_it_cannot_meet_is_said_before_anything_is_fetched(tmp_path):
    project = write_tree(
        tmp_path / "p",
        {"pyproject.toml": '[project]\nname = "x"\nversion = "1"\nrequires-python = ">=3.99"\ndependencies = []\n'},
    )
    with pytest.raises(
        DependencyFailure, match=r'requires-python = ">=3.99", but the sandbox offers Python 3\.13 and 3\.11'
    ):
        prepare_dependencies("python", project, settings_for(tmp_path), client=None)


def test_an_unreachable_registry_is_a_platform_fault_not_the_learners(built_images, tmp_path):
    project = write_tree(tmp_path / "p", {"requirements.txt": "Flask-SQLAlchemy==3.1.1\n"})
    # A closed port on this machine's loopback: refused at once, no traffic leaves the machine.
    settings = settings_for(tmp_path, pip_index_url="http://127.0.0.1:9/simple", pip_cache=tmp_path / "pip")
    with pytest.raises(SandboxError, match="could not be reached"):
        prepare_dependencies("python", project, settings, client=None)


# The project's own build code: it records where it ran, and tries the network and the host.
SETUP_PY = """\
import os, socket
from setuptools import setup

facts = [f"uid={os.getuid()}"]
try:
    socket.create_connection(("1.1.1.1", 53), timeout=2)
    facts.append("network=yes")
except OSError:
    facts.append("network=no")
try:
    open("/etc/stagecraft-marker", "w")
    facts.append("root-writable=yes")
except OSError:
    facts.append("root-writable=no")
open("/tmp/host-marker-{marker}", "w").close()
os.makedirs("built", exist_ok=True)
open("built/facts.txt", "w").write(" ".join(facts))
setup(name="probe", version="1.0", py_modules=["probe"], data_files=[("probe-facts", ["built/facts.txt"])])
"""


def test_a_projects_own_build_code_runs_in_the_build_container_only(built_images, tmp_path):
    marker = uuid.uuid4().hex
    project = write_tree(
        tmp_path / "p",
        {
            "setup.py": SETUP_PY.replace("{marker}", marker),
            "probe.py": "VALUE = 1\n",
            "requirements.txt": "-e .\n",
        },
    )

    prepared = prepare_dependencies("python", project, settings_for(tmp_path), client=None)

    assert prepared.tree is not None and (prepared.tree / "probe.py").is_file()
    facts = (prepared.tree / "probe-facts" / "facts.txt").read_text()
    assert facts == "uid=10001 network=no root-writable=no"
    assert not Path(f"/tmp/host-marker-{marker}").exists()  # it wrote the container's /tmp, not ours
