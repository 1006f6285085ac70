"""The base image: a Debian root filesystem from debootstrap, imported into the engine."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import tomllib
from collections.abc import Callable
from pathlib import Path

import docker
import docker.errors
import requests

from stagecraft.sandbox import SandboxError
from stagecraft.sandbox.host_commands import run_logged
from stagecraft.settings import engine_settings

Log = Callable[[str], None]

_IMAGE_CHANGES = [
    "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    "ENV LANG=C.UTF-8",
    "LABEL stagecraft.image=base",
    'CMD ["/bin/sh"]',
]


def build_base(
    client: docker.DockerClient, definition: Path, customize: Path, cache_dir: Path, tag: str, *, log: Log
) -> None:
    """debootstrap (``definition``: a base.toml) + ``customize`` + ``docker import`` as ``tag``. Needs root."""
    if os.geteuid() != 0:
        raise SandboxError("building the base image runs debootstrap, which needs root")
    if shutil.which("debootstrap") is None:
        raise SandboxError("debootstrap is not installed: run scripts/ensure-docker (as root)")
    (cache_dir / "rootfs").mkdir(parents=True, exist_ok=True)
    # A private folder: another build from the same checkout may be bootstrapping the same tag.
    target = Path(tempfile.mkdtemp(prefix=tag.rsplit(":", 1)[-1] + "-", dir=cache_dir / "rootfs"))
    target.chmod(0o755)  # it becomes the image's "/", which every user must be able to enter
    try:
        _debootstrap(definition, target, cache_dir / "debs", log=log)
        run_logged([str(customize), str(target)], log=log, what=customize.name)
        _import(client, target, tag, log=log)
    finally:
        shutil.rmtree(target, ignore_errors=True)


def _debootstrap(definition: Path, target: Path, debs: Path, *, log: Log) -> None:
    try:
        config = tomllib.loads(definition.read_text())
        suite, variant, include = config["suite"], config["variant"], config["include"]
    except (OSError, tomllib.TOMLDecodeError, KeyError) as exc:
        raise SandboxError(f"{definition}: {exc}") from exc
    mirror = engine_settings().debian_mirror
    debs = debs / suite  # one per suite: two bases may bootstrap at once
    debs.mkdir(parents=True, exist_ok=True)  # kept between builds: a rebuild downloads nothing
    cmd = [
        "debootstrap", f"--variant={variant}", f"--include={','.join(include)}",
        f"--cache-dir={debs}", suite, str(target), mirror,
    ]  # fmt: skip
    log(f"debootstrap {suite} from {mirror}")
    run_logged(cmd, log=log, what="debootstrap")


def _import(client: docker.DockerClient, target: Path, tag: str, *, log: Log) -> None:
    repository, _, version = tag.rpartition(":")
    log(f"importing {target} as {tag}")
    # Numeric owners: the rootfs's uids (10001 for the sandbox user) must not be remapped
    # through the build host's /etc/passwd.
    tar = subprocess.Popen(
        ["tar", "--numeric-owner", "-C", str(target), "-c", "."],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert tar.stdout is not None and tar.stderr is not None
    try:
        client.api.import_image_from_stream(tar.stdout, repository=repository, tag=version, changes=_IMAGE_CHANGES)
    except (docker.errors.DockerException, requests.RequestException) as exc:
        tar.kill()
        raise SandboxError(f"importing {tag} failed: {exc}") from exc
    finally:
        tar.stdout.close()
        errors = tar.stderr.read().decode(errors="replace")
        tar.stderr.close()
        tar.wait()
    if tar.returncode != 0:
        raise SandboxError(f"tar of {target} failed: {errors.strip()}")
