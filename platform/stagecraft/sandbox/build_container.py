"""A build container: where package code that must run (builds, install scripts) runs, never on the host.

It has the sandbox baseline (no network, read-only root, non-root, no capabilities), a
size-capped tmpfs at /build that holds its inputs and outputs, and a time limit. Inputs go in
and the result comes out as tar streams through the Engine API, so the host never shares a
folder with it and never follows a link it made: the result is unpacked with tarfile's "data"
filter (no absolute paths, no links leaving the tree, no devices).
"""

from __future__ import annotations

import io
import os
import tarfile
from pathlib import Path

import docker
import docker.errors
import msgspec
import requests
from docker.models.containers import Container
from docker.types import Mount

from stagecraft.sandbox import Limits, SandboxError
from stagecraft.sandbox.engine import mark_active, mark_done
from stagecraft.sandbox.runner import SANDBOX_UID, _baseline, tmpfs_volume

# Both of this machine's cores: a native addon (better-sqlite3 compiles all of SQLite) takes minutes on one.
_BUILD_LIMITS = Limits(memory_mb=1536, cpus=2.0, pids=256, tmpfs_mb=256, nofile=4096, fsize_mb=256)
_OUTPUT_LOG_BYTES = 12_000  # of the build's output, kept for the learner


class BuildRun(msgspec.Struct, frozen=True, kw_only=True):
    exit_code: int  # 124: the time limit ended it
    log: str  # the end of what the command printed


class BuildOverCap(Exception):
    """The result is larger than the build's size cap."""


def run_build(
    client: docker.DockerClient,
    image: str,
    *,
    name: str,
    inputs: bytes,
    command: list[str],
    environment: dict[str, str],
    seconds: int,
    cap_mb: int,
) -> tuple[BuildRun, BuildContainer]:
    """Start the container, unpack ``inputs`` (a tar) into /build and run ``command`` there.

    Returns the run and the container, still running, so the caller can `BuildContainer.take`
    its result and must `BuildContainer.remove` it.
    """
    options = _baseline(_BUILD_LIMITS, name, "build")
    build = BuildContainer(client, name)
    mark_active(name)  # the janitor leaves a running build alone until `remove`
    try:
        build.volume = tmpfs_volume(client, name, "work", cap_mb, mode="0755")
        build.container = container = client.containers.create(
            image,
            command=["sleep", "infinity"],
            network_mode="none",
            working_dir="/build",
            mounts=[Mount(target="/build", source=build.volume, type="volume")],
            **options,
        )
        container.start()
        if not container.put_archive("/build", inputs):
            raise SandboxError("could not copy the build inputs into the build container")
        exit_code, output = container.exec_run(
            ["timeout", "--kill-after=5", str(seconds), *command],
            workdir="/build",
            environment={"HOME": "/tmp", "TMPDIR": "/tmp", **environment},
            user=f"{SANDBOX_UID}:{SANDBOX_UID}",
        )
    except (docker.errors.DockerException, requests.RequestException) as exc:
        build.remove()
        raise SandboxError(f"the build container failed: {exc}") from exc
    except BaseException:
        build.remove()
        raise
    text = (output or b"").decode("utf-8", "replace")
    return BuildRun(exit_code=int(exit_code), log=text[-_OUTPUT_LOG_BYTES:]), build


class BuildContainer:
    def __init__(self, client: docker.DockerClient, name: str = "") -> None:
        self.client = client
        self.name = name
        self.container: Container | None = None
        self.volume: str | None = None

    def take(self, path: str, dest: Path, max_bytes: int) -> Path:
        """Unpack the container's ``path`` (a folder) into ``dest``; the unpacked folder."""
        try:
            assert self.container is not None
            stream, _ = self.container.get_archive(path)
            buffer, over = io.BytesIO(), False
            for chunk in stream:
                # Past the cap the rest is read and dropped (the build's tmpfs bounds it): a
                # stream left half-read would keep its connection to the engine open.
                over = over or buffer.tell() + len(chunk) > max_bytes
                if not over:
                    buffer.write(chunk)
            if over:
                raise BuildOverCap
        except (docker.errors.DockerException, requests.RequestException) as exc:
            raise SandboxError(f"cannot copy {path} out of the build container: {exc}") from exc
        buffer.seek(0)
        dest.mkdir(parents=True, exist_ok=True)
        with tarfile.open(fileobj=buffer, mode="r:") as archive:
            archive.extractall(dest, filter="data")
        result = dest / Path(path).name
        _make_readable(result)
        return result

    def remove(self) -> None:
        try:
            if self.container is not None:
                self.container.remove(force=True, v=True)
            if self.volume is not None:
                self.client.api.remove_volume(self.volume, force=True)
        except (docker.errors.DockerException, requests.RequestException):
            pass  # the janitor removes them by their label
        finally:
            mark_done(self.name)


def tar_of(files: dict[str, Path | bytes]) -> bytes:
    """A tar owned by the sandbox user: each name maps to bytes, a file, or a folder (taken whole; its
    links only when they stay inside it, as npm's are)."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        for name, source in files.items():
            if isinstance(source, bytes):
                _add_bytes(archive, name, source)
            elif source.is_dir():
                _add_dir(archive, name)  # its own entry, or the engine makes it root's
                for path in sorted(source.rglob("*")):
                    arcname = f"{name}/{path.relative_to(source).as_posix()}"
                    if path.is_symlink():
                        _add_link(archive, arcname, path, source)
                    elif path.is_dir():
                        _add_dir(archive, arcname)
                    elif path.is_file():
                        _add_bytes(archive, arcname, path.read_bytes(), executable=bool(path.stat().st_mode & 0o111))
            else:
                _add_bytes(archive, name, source.read_bytes())
    return buffer.getvalue()


def _add_bytes(archive: tarfile.TarFile, name: str, content: bytes, *, executable: bool = False) -> None:
    info = tarfile.TarInfo(name)
    # Programs stay programs (esbuild's binary, node_modules/.bin scripts); nothing else is.
    info.size, info.mode, info.uid, info.gid = len(content), 0o755 if executable else 0o644, SANDBOX_UID, SANDBOX_UID
    archive.addfile(info, io.BytesIO(content))


def _add_link(archive: tarfile.TarFile, name: str, path: Path, root: Path) -> None:
    """A relative link that stays inside ``root`` (npm's node_modules/.bin entries); any other is refused."""
    target = os.readlink(path)
    inside = os.path.normpath(os.path.join(os.path.dirname(path), target))
    if os.path.isabs(target) or not Path(inside).is_relative_to(root):
        raise SandboxError(f"a link in build inputs leaves its tree: {path} -> {target}")
    info = tarfile.TarInfo(name)
    info.type, info.linkname, info.uid, info.gid = tarfile.SYMTYPE, target, SANDBOX_UID, SANDBOX_UID
    archive.addfile(info)


def _add_dir(archive: tarfile.TarFile, name: str) -> None:
    info = tarfile.TarInfo(name)
    info.type, info.mode, info.uid, info.gid = tarfile.DIRTYPE, 0o755, SANDBOX_UID, SANDBOX_UID
    archive.addfile(info)


def _make_readable(tree: Path) -> None:
    # The app runs as the sandbox user: every file readable, every folder and program enterable.
    for folder, _, files in os.walk(tree):
        os.chmod(folder, 0o755)
        for name in files:
            path = os.path.join(folder, name)
            if not os.path.islink(path):
                mode = os.lstat(path).st_mode
                os.chmod(path, 0o755 if mode & 0o111 else 0o644)
