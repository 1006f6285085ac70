"""The Docker engine and who owns what in it: the client, the labels every job object carries, the janitor.

Every container and volume of a job is labelled with its job, its role and its owner, the process
that made it ("<host>:<pid>:<start time>"). The janitor removes only what no live job owns, so any
number of workers may share one engine, and a worker that starts never removes another's jobs.
"""

from __future__ import annotations

import functools
import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import docker
import docker.errors
import requests

from stagecraft.sandbox import SandboxError
from stagecraft.settings import engine_settings

_log = logging.getLogger("stagecraft.sandbox")

JOB_LABEL = "stagecraft.job"
ROLE_LABEL = "stagecraft.role"
OWNER_LABEL = "stagecraft.owner"  # "<host>:<pid>:<process start time>" of the process that made it
STALE_AFTER = 15 * 60  # seconds: far past any job's deadline, so its owner must be gone
_API_TIMEOUT = 30  # seconds for one Engine API call


def local_engine() -> docker.DockerClient:
    """A client for the engine DOCKER_HOST names (default: the local socket); SandboxError if it is down."""
    host = engine_settings().docker_host
    if host.startswith("unix://"):
        # docker-py leaves its socket open when the connection is refused; try one that closes first.
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
            probe.settimeout(5)
            try:
                probe.connect(host.removeprefix("unix://"))
            except OSError as exc:
                raise SandboxError(f"the Docker engine does not answer at {host}: {exc}") from exc
    return docker.from_env(timeout=_API_TIMEOUT)


def job_labels(job_id: str, role: str) -> dict[str, str]:
    return {JOB_LABEL: job_id, ROLE_LABEL: role, OWNER_LABEL: owner_label()}


# Jobs and dependency builds running in this process: the janitor may remove this process's other
# objects (a job whose clean-up failed because the engine was away), never these.
_ACTIVE: set[str] = set()
_ACTIVE_LOCK = threading.Lock()


def mark_active(job_id: str) -> None:
    """Objects labelled `job_id` by this process are in use until `mark_done`."""
    with _ACTIVE_LOCK:
        _ACTIVE.add(job_id)


def mark_done(job_id: str) -> None:
    with _ACTIVE_LOCK:
        _ACTIVE.discard(job_id)


def janitor(client: docker.DockerClient | None = None, *, now: float | None = None) -> int:
    """Remove the containers and volumes of jobs whose owner is gone; return how many went.

    A job's objects carry the label of the process that made them. They are leftovers when that
    process no longer runs on this host, when this process made them for a job that is over (its
    clean-up failed while the engine was away), when they carry no owner, or when they are older than
    STALE_AFTER (an owner on another host sharing the engine cannot be asked). So a worker that
    starts never removes the running jobs of another live worker.
    """
    own_client = client is None
    now = time.time() if now is None else now
    try:
        client = client or local_engine()
        removed = 0
        for container in client.containers.list(all=True, filters={"label": JOB_LABEL}):
            if _abandoned(container.labels, container.attrs.get("Created", ""), now):
                removed += quietly(container.remove, force=True, v=True)
        for volume in client.volumes.list(filters={"label": JOB_LABEL}):
            if _abandoned(volume.attrs.get("Labels") or {}, volume.attrs.get("CreatedAt", ""), now):
                removed += quietly(volume.remove, force=True)
    except (docker.errors.DockerException, requests.RequestException) as exc:
        raise SandboxError(f"janitor: {describe(exc)}") from exc
    finally:
        if own_client and client is not None:
            client.close()
    if removed:
        _log.info("janitor removed %d leftover containers/volumes", removed)
    return removed


def owner_label() -> str:
    """This process, as "<host>:<pid>:<start time>" (the start time tells a reused pid apart)."""
    return _owner_of(os.getpid())  # keyed by pid, so a forked worker labels its jobs as itself


@functools.cache
def _owner_of(pid: int) -> str:
    return f"{socket.gethostname()}:{pid}:{_process_start(pid)}"


def owner_alive(owner: str) -> bool | None:
    """Whether the process named by an `owner_label()` still runs: None when it is another host's
    (it cannot be asked), False for a name that is no owner at all."""
    host, _, rest = owner.partition(":")
    pid_text, _, started = rest.partition(":")
    if not pid_text.isdigit():
        return False
    if host != socket.gethostname():
        return None
    return _process_start(int(pid_text)) == started


def _abandoned(labels: dict[str, str], created: str, now: float) -> bool:
    owner = labels.get(OWNER_LABEL, "")
    if owner == owner_label():  # this process's: left over unless its job still runs, however old
        with _ACTIVE_LOCK:
            return labels.get(JOB_LABEL, "") not in _ACTIVE
    age = now - _timestamp(created) if created else STALE_AFTER
    if age >= STALE_AFTER:
        return True
    # no owner (made before owners were labelled, or by hand) or a dead one; another machine's: only age tells
    return owner_alive(owner) is False


def _process_start(pid: int) -> str:
    """The kernel's start time of ``pid`` (field 22 of /proc/<pid>/stat), "" if it does not run."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return ""
    return stat.rpartition(")")[2].split()[19]


def _timestamp(text: str) -> float:
    """Seconds since the epoch of an Engine timestamp ("2026-11-24T02:31:05.123456789Z"); 0 if unreadable."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return 0.0  # treated as ancient
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp()


def quietly(action: Callable[..., Any], *args: Any, **kwargs: Any) -> int:
    """Run a clean-up call, ignoring 'already gone' and engine errors; 1 if it worked."""
    try:
        action(*args, **kwargs)
    except (docker.errors.DockerException, requests.RequestException) as exc:
        if not isinstance(exc, docker.errors.NotFound):
            _log.warning("sandbox clean-up: %s", describe(exc))
        return 0
    return 1


def describe(exc: BaseException) -> str:
    if isinstance(exc, docker.errors.ImageNotFound):
        return f"image missing ({exc}): run `stagecraft images build`"
    return f"{type(exc).__name__}: {exc}"
