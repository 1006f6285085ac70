"""A warm start: each job's fixed set-up made ahead, and its clean-up done after the verdict.

What every job of the same limits and sidecars needs is the same: its two tmpfs volumes, the
container that holds its network namespace (started), and its sidecars (started and accepting
connections). A `WarmStart` keeps such a *slot* ready for the next job while the worker is idle,
so a submission pays only for its own app and grader. A slot serves one job and is then removed
with it: nothing a learner's app touched is ever given to another job.

It also takes each finished job's removal off the learner's wait: the verdict is stored while the
containers are being removed in the background. `close()` waits for those removals and removes the
unused slots; if the process dies first, the slots carry its owner label and the janitor of the next
process on this host removes them.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import docker.errors
import requests

from stagecraft.sandbox import Limits, SandboxError
from stagecraft.sandbox.engine import describe, local_engine, mark_active, mark_done, quietly

if TYPE_CHECKING:
    import docker
    from docker.models.containers import Container

_log = logging.getLogger("stagecraft.sandbox")

SLOT_READY_SECONDS = 60.0  # a slot's sidecars get this long to accept connections
MAX_KINDS = 3  # kinds of slot (limits and sidecars) kept ready at once; the least recently used go


@dataclass
class Shared:
    """What the containers of one job share: volumes, the namespace holder, the sidecars; made
    ahead, also the grader, started and waiting for its run's settings on stdin ("grader")."""

    job_id: str  # the label of these objects (a slot's own id until a job adopts it)
    containers: dict[str, Container] = field(default_factory=dict)  # "net", "svc-<name>", "grader"
    volumes: list[str] = field(default_factory=list)
    data_volume: str = ""
    work_volume: str = ""

    def remove(self, client: docker.DockerClient) -> None:
        """Force-remove its containers and volumes; never raises."""
        for container in reversed(self.containers.values()):
            quietly(container.remove, force=True, v=True)
        for name in self.volumes:
            quietly(client.api.remove_volume, name, force=True)


# The jobs a slot can serve: their limits, their sidecars and their grader suite (the slot's grader
# is started on that suite and waits for its run's settings on stdin).
Kind = tuple[Limits, tuple[str, ...], Path]


class WarmStart:
    """Slots made ahead, per kind of job, and clean-ups after the verdict (one per worker process)."""

    def __init__(self, *, slots_per_kind: int = 1) -> None:
        self.slots_per_kind = slots_per_kind
        self._ready: OrderedDict[Kind, list[Shared]] = OrderedDict()
        self._making: dict[Kind, int] = {}
        self._lock = threading.Lock()
        self._client_lock = threading.Lock()
        self._closed = False
        self._client: docker.DockerClient | None = None
        self._background = ThreadPoolExecutor(max_workers=2, thread_name_prefix="stagecraft-warm")
        self._pending: set[Future] = set()

    def take(self, kind: Kind) -> Shared | None:
        """A ready slot for a job of this kind (its namespace holder still running), or None: then
        the job makes its own. Either way, another slot of this kind is made for the next job."""
        slot = None
        with self._lock:
            if kind in self._ready:
                self._ready.move_to_end(kind)
                if self._ready[kind]:
                    slot = self._ready[kind].pop(0)
        self.fill(kind)
        if slot is not None and not self._alive(slot):
            self._run(self._remove, slot)  # the engine restarted since it was made
            return None
        return slot

    def fill(self, kind: Kind) -> None:
        """Make slots of this kind in the background until `slots_per_kind` are ready or being made."""
        with self._lock:
            if self._closed:
                return
            ready = self._ready.setdefault(kind, [])
            self._ready.move_to_end(kind)
            wanted = self.slots_per_kind - len(ready) - self._making.get(kind, 0)
            self._making[kind] = self._making.get(kind, 0) + max(0, wanted)
            evicted = self._evict()
        for slot in evicted:
            self._run(self._remove, slot)
        for _ in range(max(0, wanted)):
            self._run(self._make, kind)

    def remove_later(self, remove: Callable[[], None]) -> None:
        """Run a finished job's clean-up in the background (the verdict does not wait for it)."""
        if not self._run(remove):
            remove()

    def close(self) -> None:
        """Wait for the clean-ups and slots under way, then remove every unused slot. Jobs still
        running clean up after themselves; closing twice does nothing more."""
        with self._lock:
            self._closed = True
        while True:
            with self._lock:
                pending = list(self._pending)
            if not pending:
                break
            for future in pending:
                future.exception()  # waits; errors were logged where they happened
        with self._lock:
            slots = [slot for ready in self._ready.values() for slot in ready]
            self._ready.clear()
        for slot in slots:
            self._remove(slot)
        self._background.shutdown(wait=True)
        if self._client is not None:
            self._client.close()
            self._client = None

    def ready_count(self) -> int:
        with self._lock:
            return sum(len(ready) for ready in self._ready.values())

    def _evict(self) -> list[Shared]:
        """Under the lock: drop the least recently used kinds beyond MAX_KINDS; their slots to remove."""
        evicted: list[Shared] = []
        while len(self._ready) > MAX_KINDS:
            _, slots = self._ready.popitem(last=False)
            evicted += slots
        return evicted

    def _run(self, action: Callable, *args) -> bool:
        """`action(*args)` on a background thread, remembered until done; False once closed down."""
        try:
            future = self._background.submit(action, *args)
        except RuntimeError:  # shut down
            return False
        with self._lock:
            self._pending.add(future)
        future.add_done_callback(self._forget)
        return True

    def _forget(self, future: Future) -> None:
        with self._lock:
            self._pending.discard(future)
        if (error := future.exception()) is not None:
            _log.warning("warm start: %s", describe(error))

    def _engine(self) -> docker.DockerClient:
        with self._client_lock:  # two background threads may ask at once: one client
            if self._client is None:
                self._client = local_engine()
            return self._client

    def _make(self, kind: Kind) -> None:
        limits, services, suite_dir = kind
        slot_id = f"warm-{uuid.uuid4().hex[:12]}"
        from stagecraft.sandbox.runner import prepare_shared  # it makes a job's shared objects the same way

        mark_active(slot_id)  # the janitor spares it while this process lives
        slot = None
        try:
            deadline = time.monotonic() + SLOT_READY_SECONDS
            slot = prepare_shared(self._engine(), slot_id, limits, services, deadline, grader_suite=suite_dir)
        except (docker.errors.DockerException, requests.RequestException, SandboxError, OSError) as exc:
            _log.info("warm start: no slot made (%s); jobs make their own meanwhile", describe(exc))
        finally:
            with self._lock:
                self._making[kind] -= 1
                keep = slot is not None and not self._closed and kind in self._ready
                if keep:
                    self._ready[kind].append(slot)
            if slot is None:
                mark_done(slot_id)
            elif not keep:
                self._remove(slot)

    def _remove(self, slot: Shared) -> None:
        try:
            slot.remove(self._engine())
        except SandboxError as exc:  # the engine is away: the janitor removes it later
            _log.info("warm start: slot %s left to the janitor (%s)", slot.job_id, exc)
        finally:
            mark_done(slot.job_id)

    @staticmethod
    def _alive(slot: Shared) -> bool:
        """Its namespace holder and its waiting grader still run (the engine may have restarted)."""
        try:
            for container in (slot.containers["net"], slot.containers.get("grader")):
                if container is not None:
                    container.reload()
                    if not container.attrs["State"].get("Running"):
                        return False
            return True
        except (docker.errors.DockerException, requests.RequestException):
            return False
