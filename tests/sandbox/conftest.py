"""Fixtures for the sandbox tests: the real images, a real engine, tiny projects and suites.

The learner projects and suites are written per test into tmp_path; the suites run in the
real grader image (graders/sdk), so these tests also check that the image works.
"""

from __future__ import annotations

import os
import textwrap
from collections.abc import Iterator
from pathlib import Path

import docker
import pytest

from stagecraft.sandbox import SandboxError
from stagecraft.sandbox.images import build_images, default_repo_root, images_ready

REPO_ROOT = default_repo_root()

HELLO_APP = """\
import os
from http.server import BaseHTTPRequestHandler, HTTPServer


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        body = b"Hello, Stagecraft!"
        self.send_response(200)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


print("listening on", os.environ["PORT"], flush=True)
HTTPServer(("127.0.0.1", int(os.environ["PORT"])), Handler).serve_forever()
"""

HELLO_SUITE = """\
from stagecraft_grader import check_equal, title


@title("GET / says hello")
def test_root(app):
    r = app.get("/")
    check_equal(r.status_code, 200, "the status code")
    check_equal(r.text, "Hello, Stagecraft!", "the body")
"""


@pytest.fixture(scope="session")
def built_images() -> list[str]:
    """Build the images once per run (unchanged ones are skipped); their tags."""
    cache_dir = Path(os.environ.get("STAGECRAFT_DATA_DIR") or REPO_ROOT / "data") / "cache"
    try:
        reports = build_images(REPO_ROOT, cache_dir, log=lambda line: None)
    except SandboxError as exc:
        pytest.fail(f"cannot build the sandbox images: {exc}")
    assert images_ready(REPO_ROOT) == []
    return [report.tag for report in reports]


@pytest.fixture(scope="session")
def engine() -> Iterator[docker.DockerClient]:
    """A client for checking what the sandbox did (the tests' view of the engine)."""
    client = docker.from_env()
    yield client
    client.close()


def write_tree(root: Path, files: dict[str, str]) -> Path:
    """Write ``files`` under ``root``, readable by the sandbox user (pytest's tmp dirs are 0700)."""
    root.mkdir(parents=True, exist_ok=True)
    root.chmod(0o755)
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
        path.chmod(0o644)
    return root


@pytest.fixture
def hello_app(tmp_path: Path) -> Path:
    return write_tree(tmp_path / "code", {"app.py": HELLO_APP})


@pytest.fixture
def hello_suite(tmp_path: Path) -> Path:
    return write_tree(tmp_path / "suite", {"test_hello.py": HELLO_SUITE})


def leftovers(engine: docker.DockerClient, job_id: str) -> list[str]:
    """Names of the containers and volumes still labelled with ``job_id``."""
    label = {"label": f"stagecraft.job={job_id}"}
    containers = [c.name for c in engine.containers.list(all=True, filters=label)]
    volumes = [v.name for v in engine.volumes.list(filters=label)]
    return containers + volumes
