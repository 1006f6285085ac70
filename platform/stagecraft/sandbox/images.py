"""The sandbox images: their content-hash tags and their (offline where possible) build.

All from local material, because no registry is reachable:

* ``base``: a Debian root filesystem from debootstrap, imported with ``docker import``;
* ``python``: the Python learner runtime, a venv at /opt/runtime filled from a host wheelhouse;
* ``node``: the Node learner runtime, Debian's nodejs and node-* packages plus pure-JavaScript
  npm packages installed on the host (``npm ci --ignore-scripts``) and copied in;
* ``grader``: a venv at /opt/grader with the grader SDK (``graders/sdk``) and its dependencies;
* ``redis``: the redis service sidecar, Debian's redis-server;
* ``postgres``: the postgres service sidecar, Debian's PostgreSQL 15 with a cluster made at build time.

A tag is ``stagecraft/<name>:<hash>`` where the hash covers everything that goes into the
image (definition files, pins, lock files, SDK sources, the parent's tag), so an unchanged image
is never rebuilt and a changed one never reused. Computing a tag reads files only (no Docker call).
"""

from __future__ import annotations

import hashlib
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from functools import partial
from pathlib import Path

import docker
import docker.errors
import msgspec
import requests

from stagecraft.sandbox import SandboxError, rootfs, wheelhouse
from stagecraft.settings import engine_settings

Log = Callable[[str], None]

RUNTIMES = ("python", "node")
SERVICES = ("redis", "postgres")  # sidecars an exercise can declare
# Root filesystems from debootstrap: base (Debian trixie) under every image but one, and
# base-bookworm under python311, the Python 3.11 runtime for projects whose pinned packages have
# no build for the current Python (sandboxes/base-bookworm/base.toml, base's customize.sh).
BASES = ("base", "base-bookworm")
# node-build: the build container for learners' npm packages with native addons or install scripts.
# python-build: the runtime's Python with a C toolchain, for packages that PyPI has as source only.
IMAGES = (*BASES, *RUNTIMES, "python311", "python-build", "node-build", "grader", *SERVICES)
# The Python runtime images and their Python, newest first: the order dependency preparation tries.
PYTHON_IMAGES = {"python": wheelhouse.PYTHON_VERSION, "python311": "3.11"}
_PARENT = {"python311": "base-bookworm", "python-build": "python"}  # every other image is FROM base
_FOLDER = {"python311": "python"}  # built from another image's folder (its own parent and wheels)
REPOSITORY = "stagecraft"
# Bump when the build steps in this package change in a way the hashed files don't show.
_RECIPE = "1"
# These builds install Debian packages with apt-get, which needs the Debian mirror, so they run
# with the host's network. Only image builds: a sandbox container never gets a network.
_NETWORKED_BUILDS = frozenset({"node", "node-build", "python-build", "redis", "postgres"})
# Never inputs: caches, build output, and a node_modules left by running npm in sandboxes/node/.
_SKIP_DIRS = {"__pycache__", ".pytest_cache", ".mypy_cache", ".ruff_cache", "build", "dist", "node_modules"}


class ImageReport(msgspec.Struct, frozen=True, kw_only=True):
    name: str
    tag: str
    status: str  # "built" | "skipped"
    seconds: float = 0.0


def default_repo_root() -> Path:
    """The checkout this package runs from (platform/stagecraft/sandbox/images.py → repo)."""
    root = Path(__file__).resolve().parents[3]
    if not (root / "sandboxes").is_dir():
        raise SandboxError(f"no sandboxes/ directory under {root}: run Stagecraft from its checkout")
    return root


def image_inputs(name: str, repo_root: Path) -> list[Path]:
    """The files whose content makes up image ``name`` (besides its parent's tag)."""
    sandboxes = repo_root / "sandboxes"
    if name not in IMAGES:
        raise SandboxError(f"unknown image {name!r}; known: {', '.join(IMAGES)}")
    files = _tree_files(sandboxes / _FOLDER.get(name, name))
    if name == "base-bookworm":
        files.append(sandboxes / "base" / "customize.sh")
    if name == "grader":
        files += _tree_files(repo_root / "graders" / "sdk")
    return files


def image_tag(name: str, repo_root: Path | None = None) -> str:
    """The current tag of image ``name`` (one of ``IMAGES``), from file contents only."""
    root = (repo_root or default_repo_root()).resolve()
    parent = "" if name in BASES else image_tag(_PARENT.get(name, "base"), root)
    files = image_inputs(name, root)
    key = (name, parent, tuple(_stat_key(f) for f in files))
    digest = _DIGESTS.get(key)
    if digest is None:
        digest = _digest(name, parent, root, files)
        _DIGESTS[key] = digest
    return f"{REPOSITORY}/{name}:{digest}"


def images_ready(repo_root: Path | None = None, client: docker.DockerClient | None = None) -> list[str]:
    """The tags of the images that are missing from the engine (empty when all are there)."""
    root = repo_root or default_repo_root()
    engine = client or connect()
    try:
        return [tag for tag in (image_tag(name, root) for name in IMAGES) if not _has_image(engine, tag)]
    finally:
        if client is None:
            engine.close()


def build_images(repo_root: Path, cache_dir: Path, *, log: Log) -> list[ImageReport]:
    """Build every image whose tag is missing; skip the others. Raises SandboxError.

    The wheelhouses fill while debootstrap runs, and the images FROM base build side by side.
    """
    log = _prefixed_and_locked(log)
    client = connect(timeout=900)
    try:
        tags = {name: image_tag(name, repo_root) for name in IMAGES}
        missing = [name for name in IMAGES if not _has_image(client, tags[name])]
        reports = {}
        for name in IMAGES:
            if name not in missing:
                log(name, f"{tags[name]} is up to date")
                reports[name] = ImageReport(name=name, tag=tags[name], status="skipped")
        with ThreadPoolExecutor(max_workers=max(1, len(missing))) as pool:
            bases = {
                name: pool.submit(
                    _timed, name, tags[name], partial(_build_base, client, name, repo_root, cache_dir, tags), log
                )
                for name in BASES
                if name in missing
            }
            futures = dict(bases)  # in IMAGES order, so each parent's future exists before its children's
            for name in (n for n in IMAGES if n in missing and n not in BASES):
                futures[name] = pool.submit(
                    _build_child,
                    client,
                    name,
                    repo_root,
                    cache_dir.resolve(),
                    tags,
                    futures.get(_PARENT.get(name, "base")),
                    log,
                )
            reports.update((name, future.result()) for name, future in futures.items())
        if missing:
            _prune_leftovers(client, log=partial(log, "build"))
    finally:
        client.close()
    return [reports[name] for name in IMAGES]


def _build_base(
    client: docker.DockerClient, name: str, repo_root: Path, cache_dir: Path, tags: dict[str, str], line_log: Log
) -> None:
    customize = repo_root / "sandboxes" / "base" / "customize.sh"  # the same for every base
    definition = repo_root / "sandboxes" / name / "base.toml"
    rootfs.build_base(client, definition, customize, cache_dir.resolve(), tags[name], log=line_log)


def _build_child(
    client: docker.DockerClient,
    name: str,
    repo_root: Path,
    cache_dir: Path,
    tags: dict[str, str],
    base: Future[ImageReport] | None,
    log: Callable[[str, str], None],
) -> ImageReport:
    """Prepare the build context of an image (at once), then build it once its parent exists."""

    def build(line_log: Log) -> None:
        # A private folder: another build from the same checkout may be preparing the same tag.
        (cache_dir / "images").mkdir(parents=True, exist_ok=True)
        scratch = Path(tempfile.mkdtemp(prefix=f"{name}-", dir=cache_dir / "images"))
        try:
            context = scratch / "context"
            _prepare_context(name, repo_root, cache_dir, context, log=line_log)
            if base is not None:
                base.result()  # raises if the parent failed: nothing to build FROM
            args, labels = {"BASE": tags[_PARENT.get(name, "base")]}, {"stagecraft.image": name}
            network = "host" if name in _NETWORKED_BUILDS else "none"
            _stream_build(client, context, tags[name], args, labels, network=network, log=line_log)
        finally:
            shutil.rmtree(scratch, ignore_errors=True)

    return _timed(name, tags[name], build, log)


def _timed(name: str, tag: str, build: Callable[[Log], None], log: Callable[[str, str], None]) -> ImageReport:
    started = time.monotonic()
    log(name, f"building {tag}")
    build(partial(log, name))
    seconds = round(time.monotonic() - started, 1)
    log(name, f"built {tag} in {seconds} s")
    return ImageReport(name=name, tag=tag, status="built", seconds=seconds)


def _prefixed_and_locked(log: Log) -> Callable[[str, str], None]:
    """The builds run in threads: one line at a time, each saying which image it is about."""
    lock = threading.Lock()

    def log_line(name: str, line: str) -> None:
        with lock:
            log(f"{name}: {line}")

    return log_line


def connect(timeout: int = 60) -> docker.DockerClient:
    """A client for the local engine, or SandboxError saying how to get one."""
    try:
        client = docker.from_env(timeout=timeout)
        client.ping()
    except (docker.errors.DockerException, requests.RequestException) as exc:
        raise SandboxError(f"Docker engine unreachable ({exc}); run scripts/ensure-docker") from exc
    return client


def _prepare_context(name: str, repo_root: Path, cache_dir: Path, context: Path, *, log: Log) -> None:
    """The image's folder plus what its build installs offline: wheels, or npm packages."""
    folder = repo_root / "sandboxes" / _FOLDER.get(name, name)
    for path in _tree_files(folder):  # exactly the files the tag hashes
        target = context / path.relative_to(folder)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target)
    if name == "node":
        wheelhouse.install_node_modules(context, cache_dir / "npm", log=log)
    if not (context / "requirements.txt").is_file():
        return
    wheels = context / "wheels"
    extra: list[str] = []
    if name == "grader":
        extra = [str(wheelhouse.build_sdk_wheel(repo_root / "graders" / "sdk", wheels, log=log))]
    python = PYTHON_IMAGES.get(name, wheelhouse.PYTHON_VERSION)
    wheelhouse.download(
        context / "requirements.txt", wheels, cache_dir / "pip", extra=extra, python_version=python, log=log
    )


def _stream_build(
    client: docker.DockerClient,
    context: Path,
    tag: str,
    buildargs: dict[str, str],
    labels: dict[str, str],
    *,
    network: str,
    log: Log,
) -> None:
    # The low-level call streams the build log as it happens; images.build() returns it at the end.
    try:
        chunks = client.api.build(
            path=str(context),
            tag=tag,
            buildargs=buildargs,
            labels=labels,
            network_mode=network,  # "none" unless apt-get must reach the mirror (_NETWORKED_BUILDS)
            rm=True,
            forcerm=True,
            pull=False,
            decode=True,
        )
        for chunk in chunks:
            if "error" in chunk:
                raise SandboxError(f"building {tag} failed: {chunk['error'].strip()}")
            text = chunk.get("stream", "").rstrip()
            if text:
                log(text)
    except (docker.errors.DockerException, requests.RequestException) as exc:
        raise SandboxError(f"building {tag} failed: {exc}") from exc
    if not _has_image(client, tag):
        raise SandboxError(f"building {tag} finished without producing the image")


def _prune_leftovers(client: docker.DockerClient, *, log: Log) -> None:
    # The install stages of the multi-stage builds stay behind as untagged images.
    try:
        # Only layers an hour old: a build running beside this one (another checkout, another
        # process) still needs its fresh intermediate images.
        pruned = client.images.prune(filters={"dangling": True, "label": "stagecraft.image", "until": "1h"})
    except (docker.errors.DockerException, requests.RequestException) as exc:
        log(f"could not prune untagged build stages: {exc}")
        return
    freed = (pruned.get("SpaceReclaimed") or 0) // 1_000_000
    log(f"pruned {len(pruned.get('ImagesDeleted') or [])} untagged build layers ({freed} MB)")


def _has_image(client: docker.DockerClient, tag: str) -> bool:
    try:
        client.images.get(tag)
    except docker.errors.ImageNotFound:
        return False
    except (docker.errors.DockerException, requests.RequestException) as exc:
        raise SandboxError(f"cannot look up image {tag}: {exc}") from exc
    return True


_DIGESTS: dict[tuple, str] = {}


def _tree_files(directory: Path) -> list[Path]:
    if not directory.is_dir():
        return []
    files = []
    for path in sorted(directory.rglob("*")):
        relative = path.relative_to(directory).parts
        if any(part in _SKIP_DIRS or part.endswith(".egg-info") for part in relative):
            continue
        if path.is_file() and not path.is_symlink() and path.suffix != ".pyc":
            files.append(path)
    return files


def _stat_key(path: Path) -> tuple[str, int, int]:
    stat = path.stat()
    return (str(path), stat.st_mtime_ns, stat.st_size)


def _digest(name: str, parent: str, repo_root: Path, files: list[Path]) -> str:
    sha = hashlib.sha256()
    for part in (_RECIPE, name, parent, *wheelhouse.platform_args(PYTHON_IMAGES.get(name, wheelhouse.PYTHON_VERSION))):
        sha.update(part.encode() + b"\0")
    for path in files:
        sha.update(path.relative_to(repo_root).as_posix().encode() + b"\0")
        sha.update(path.read_bytes() + b"\0")
    return sha.hexdigest()[:16]


def main(argv: list[str] | None = None) -> int:
    """Build the images and print a report (used by sandboxes/build); args: [CACHE_DIR]."""
    args = sys.argv[1:] if argv is None else argv
    root = default_repo_root()
    data_dir = engine_settings().data_dir or root / "data"
    cache_dir = Path(args[0]) if args else data_dir / "cache"
    try:
        reports = build_images(root, cache_dir, log=lambda line: print(line, flush=True))
    except SandboxError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    for report in reports:
        print(f"{report.status:8} {report.tag}  {report.seconds} s")
    return 0
