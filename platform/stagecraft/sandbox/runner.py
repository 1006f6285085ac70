"""One grading job: a learner container, its sidecars and a grader container sharing one loopback.

A sleeping container owns the job's network namespace (``network_mode="none"``: loopback
only); the sidecars (e.g. redis), the learner container and the grader container join it,
so they share 127.0.0.1 and nothing else, and an app that dies at once cannot take the
namespace with it. Only the grader's stdout is read (as event lines, some of them control
requests answered on its stdin); the app's output is kept, capped, for the learner to see,
and never parsed. Nothing is written on the host.
"""

from __future__ import annotations

import io
import json
import logging
import tarfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import docker
import docker.errors
import requests
from docker.models.containers import Container
from docker.types import LogConfig, Mount, Ulimit

from stagecraft.sandbox import AppState, JobSpec, Limits, SandboxError, SandboxResult
from stagecraft.sandbox.control import AppControl
from stagecraft.sandbox.engine import describe, job_labels, local_engine, mark_active, mark_done, quietly
from stagecraft.sandbox.environment import DEPS_MOUNT, SIDECAR_PORTS, app_environment, grader_environment
from stagecraft.sandbox.images import RUNTIMES, image_tag
from stagecraft.sandbox.streams import AttachedGrader, LineSplitter, cap_log
from stagecraft.sandbox.warm import Shared, WarmStart

_log = logging.getLogger("stagecraft.sandbox")

SANDBOX_UID = 10001
SANDBOX_USER = f"{SANDBOX_UID}:{SANDBOX_UID}"
_GRADER_STDERR_BYTES = 16_000  # kept in SandboxResult.detail for operators
# The app may exit of its own accord while the grader is mid-test: this long for the grader to finish it.
_EXIT_GRACE_SECONDS = 1.5
_SIDECAR_READY_SECONDS = 15.0  # at most, and never past the job's deadline
_SIDECAR_LOG_BYTES = 2_000  # of a sidecar that never got ready, in SandboxResult.detail
# Run in the net container (the base image has python3): exit 0 once every port accepts.
_PORTS_READY = """
import socket, sys, time
ports, end = [int(p) for p in sys.argv[2:]], time.monotonic() + float(sys.argv[1])
while ports and time.monotonic() < end:
    try:
        socket.create_connection(("127.0.0.1", ports[0]), timeout=0.5).close()
        ports.pop(0)
    except OSError:
        time.sleep(0.05)
sys.exit(1 if ports else 0)
"""
# A grader made ahead starts with only these; its run's environment comes on its stdin.
_WAITING_GRADER_ENV = {"HOME": "/tmp", "PYTHONDONTWRITEBYTECODE": "1"}
_ENGINE_ERRORS = (docker.errors.DockerException, requests.RequestException, SandboxError, OSError)


def run_job(
    spec: JobSpec,
    on_line: Callable[[str], None],
    *,
    client: docker.DockerClient | None = None,
    grader_image: str | None = None,
    warm: WarmStart | None = None,
) -> SandboxResult:
    """Run one job to its end; per-job platform faults come back as ending="infra_error".

    ``on_line`` gets each complete line of the grader's stdout as it arrives. ``client``
    defaults to the local engine; ``grader_image`` overrides the grader tag (tests). With ``warm``
    (a worker's), the job takes a slot made ahead and its clean-up goes on after it returns.
    """
    started = time.monotonic()
    job = _Job(spec, client)
    mark_active(spec.job_id)
    try:
        return job.run(on_line, grader_image, started, warm)
    except _ENGINE_ERRORS as exc:
        _log.warning("job %s: infra error", spec.job_id, exc_info=True)
        return SandboxResult(
            ending="infra_error",
            grader_exit_code=None,
            app=job.app_state,
            detail=describe(exc),
            duration=time.monotonic() - started,
        )
    finally:
        # Never raises; with the engine gone, the janitor removes the rest later.
        if warm is not None:
            warm.remove_later(job.remove)
        else:
            job.remove()


def prepare_shared(
    client: docker.DockerClient,
    job_id: str,
    limits: Limits,
    services: tuple[str, ...],
    deadline: float,
    *,
    grader_suite: Path | None = None,
) -> Shared:
    """What a job's containers share, ready to use: the data and work volumes, the container that
    holds the network namespace (started) and the sidecars (started, accepting connections). With
    `grader_suite` (a slot made ahead) also the grader on that suite, started: Python and pytest
    loaded, it waits for its run's settings, one JSON line on its stdin.

    Made by the job itself, or ahead by a `WarmStart`. On failure it removes what it made.
    """
    shared = Shared(job_id)
    try:
        # tmpfs volumes, so a learner cannot fill the host's disk. They stay mounted while any
        # container of the job uses them (the grader holds them read-only), so they survive app restarts.
        shared.data_volume = tmpfs_volume(client, job_id, "data", limits.data_mb, mode="0700")
        shared.volumes.append(shared.data_volume)
        # The app's working directory: a writable, size-capped copy of the project (sqlite3
        # files next to the code work), while the rest of its root file system stays read-only.
        shared.work_volume = tmpfs_volume(client, job_id, "work", limits.work_mb, mode="0755")
        shared.volumes.append(shared.work_volume)
        # The job's network namespace (loopback only, IPv4 and IPv6, so an app bound to
        # "localhost" = ::1 works) belongs to a container that just sleeps, so an app that exits
        # at once cannot take it away before the grader joins it. It also holds the work volume.
        net = client.containers.create(
            image_tag("base"),
            **_baseline(limits, job_id, "net"),
            command=["sleep", "infinity"],
            stop_signal="SIGKILL",  # nothing to shut down: an engine that stops need not wait for it
            network_mode="none",
            sysctls={"net.ipv6.conf.all.disable_ipv6": "0", "net.ipv6.conf.lo.disable_ipv6": "0"},
            mounts=[_volume(shared.work_volume, "/app")],
            log_config=_log_config(100_000),
        )
        shared.containers["net"] = net
        for name in services:
            shared.containers[_sidecar_role(name)] = client.containers.create(
                image_tag(name),  # the image's own command
                **_baseline(limits, job_id, _sidecar_role(name)),
                network_mode=f"container:{net.id}",
                log_config=_log_config(100_000),
            )
        net.start()
        _start_sidecars(shared, services, deadline)
        if grader_suite is not None:
            grader = client.containers.create(
                image_tag("grader"),
                **_baseline(limits, job_id, "grader"),
                **_grader_options(shared, grader_suite, ["--settings-from-stdin"], _WAITING_GRADER_ENV),
            )
            shared.containers["grader"] = grader
            grader.start()
    except BaseException:
        shared.remove(client)
        raise
    return shared


def _start_sidecars(shared: Shared, services: tuple[str, ...], deadline: float) -> None:
    """Start the sidecars and wait until the ports their images expose accept connections."""
    sidecars = [shared.containers[_sidecar_role(name)] for name in services]
    ports: set[int] = set()
    for name, sidecar in zip(services, sidecars, strict=True):
        sidecar.start()
        exposed = sidecar.attrs["Config"].get("ExposedPorts") or {}  # {"6379/tcp": {}}
        ports |= {int(port.split("/")[0]) for port in exposed}
        if name in SIDECAR_PORTS:
            ports.add(SIDECAR_PORTS[name])
    if not ports:
        return
    seconds = min(_SIDECAR_READY_SECONDS, max(0.0, deadline - time.monotonic()))
    check = ["python3", "-c", _PORTS_READY, f"{seconds:g}", *map(str, sorted(ports))]
    exit_code, _ = shared.containers["net"].exec_run(check)
    if exit_code != 0:
        logs = [cap_log(s.logs(), _SIDECAR_LOG_BYTES)[0] for s in sidecars]
        raise SandboxError(
            f"sidecars {', '.join(services)} not accepting connections on port(s) "
            f"{', '.join(map(str, sorted(ports)))} after {seconds:g} s; their logs:\n" + "\n".join(logs)
        )


class _Job:
    """The containers and volumes of one job, so that `remove` can always clean up."""

    def __init__(self, spec: JobSpec, client: docker.DockerClient | None) -> None:
        self.spec = spec
        self.own_client = client is None
        self.client = client
        self.shared: Shared | None = None  # volumes, namespace holder, sidecars (perhaps made ahead)
        self.containers: dict[str, Container] = {}  # the job's own: "app", "grader"
        self.app_state: AppState | None = None

    def run(
        self, on_line: Callable[[str], None], grader_image: str | None, started: float, warm: WarmStart | None
    ) -> SandboxResult:
        spec = self.spec
        if spec.runtime not in RUNTIMES:
            raise SandboxError(f"no runtime image for {spec.runtime!r}; known: {', '.join(RUNTIMES)}")
        if self.client is None:
            self.client = local_engine()
        deadline = time.monotonic() + spec.limits.wall_seconds
        self.shared = warm.take((spec.limits, spec.services, spec.suite_dir)) if warm is not None else None
        if self.shared is None:
            self.shared = prepare_shared(self.client, spec.job_id, spec.limits, spec.services, deadline)
        waiting = self.shared.containers.pop("grader", None) if grader_image is None else None
        if waiting is not None:
            self.containers["grader"] = waiting  # the slot's grader, started ahead: the job's own now
        self._create(spec.image or spec.runtime, grader_image or image_tag("grader"), grader=waiting is None)
        net, app, grader = self.shared.containers["net"], self.containers["app"], self.containers["grader"]
        # The net container holds the work volume mounted for the whole job, so the copy of the
        # project survives app restarts; the engine writes it, as the sandbox user's files.
        net.put_archive("/app", _project_tar(spec.code_dir))
        with AttachedGrader(self.client, grader.id, stdin=True) as attached:
            if waiting is not None and not attached.send((json.dumps(grader_environment(spec)) + "\n").encode()):
                raise SandboxError("the grader made ahead no longer reads its stdin")
            control = AppControl(app, deadline, attached.send)

            testing = False  # a test has started and not ended: it gets a moment to say what it saw
            ended = False  # the grader reported the run's end: its results are all in

            def deliver(line: str) -> None:
                nonlocal testing, ended
                on_line(line)  # control requests too: the platform ignores events it does not know
                control.on_line(line)
                if '"test_start"' in line or '"test_end"' in line:  # cheap; a wrong guess costs 1.5 s
                    testing = '"test_start"' in line
                ended = ended or line.startswith('{"event": "run_end"')

            def app_exited_unasked() -> bool:
                return not control.touched and not _is_running(app)

            if waiting is not None:
                app.start()
            else:
                _start_together(app, grader)
            lines = LineSplitter(deliver, spec.limits.output_bytes)
            ending = attached.pump(lines, deadline, stop=app_exited_unasked, until=lambda: ended)
            if ending == "app_exited" and testing:
                # A test under way fails for its own reason (the connection is refused) and
                # says so; then the job ends, without waiting out the startup or any test.
                ending = attached.pump(lines, min(deadline, time.monotonic() + _EXIT_GRACE_SECONDS))
                ending = "completed" if ending == "completed" else "app_exited"
        exit_code = None
        if ending == "completed" and not ended:  # the grader stopped without a run_end: how it ended
            exit_code = _wait_for_exit(grader, max(1.0, deadline - time.monotonic()))
            ending = "completed" if exit_code is not None else "timeout"
        elif ending == "completed":
            exit_code = 0  # its results are complete; its exit is not waited for (clean-up stops it)
        if ending != "completed":
            _kill(grader)
        self.app_state = self._inspect_app()
        return SandboxResult(
            ending=ending,
            grader_exit_code=exit_code,
            app=self.app_state,
            detail=self._grader_stderr(),
            duration=time.monotonic() - started,
        )

    def _create(self, app_image: str, grader_image: str, *, grader: bool) -> None:
        spec, limits, shared = self.spec, self.spec.limits, self.shared
        assert shared is not None
        if shared.job_id != spec.job_id:  # a slot made ahead: the job's objects carry both labels' ids
            _log.debug("job %s: warm start from slot %s", spec.job_id, shared.job_id)
        shared_ns = f"container:{shared.containers['net'].id}"
        self._add(
            "app",
            image_tag(app_image),
            # bash runs a simple command with exec, so the app is the direct child of the init
            # process (docker-init) and gets the signals the grader asks for.
            command=["/bin/bash", "-c", spec.start_command],
            init=True,
            working_dir="/app",
            environment=app_environment(spec),
            mounts=[
                _volume(shared.work_volume, "/app"),
                _volume(shared.data_volume, "/data"),
                *([_bind(spec.deps_dir, DEPS_MOUNT[spec.runtime])] if spec.deps_dir else []),
            ],
            network_mode=shared_ns,
            # Room for well over flood_bytes (the engine stores each line as JSON, about twice its
            # size), so a flood can be told from a long log.
            log_config=_log_config(4 * max(limits.log_bytes, limits.flood_bytes)),
        )
        if grader:
            self._add(
                "grader",
                grader_image,
                **_grader_options(shared, spec.suite_dir, [], grader_environment(spec)),
            )

    def _add(self, role: str, image: str, **options: Any) -> Container:
        assert self.client is not None
        options.setdefault("log_config", _log_config(100_000))
        baseline = _baseline(self.spec.limits, self.spec.job_id, role)
        container = self.client.containers.create(image, **baseline, **options)
        self.containers[role] = container
        return container

    def _inspect_app(self) -> AppState:
        app = self.containers["app"]
        app.reload()
        state = app.attrs["State"]
        running = bool(state.get("Running"))
        raw = app.logs(stdout=True, stderr=True)
        log, truncated = cap_log(raw, self.spec.limits.log_bytes)
        return AppState(
            running=running,
            exit_code=None if running else int(state.get("ExitCode", 0)),
            oom_killed=bool(state.get("OOMKilled")),
            log=log,
            log_truncated=truncated,
            flooded=len(raw) > self.spec.limits.flood_bytes,
        )

    def _grader_stderr(self) -> str:
        raw = self.containers["grader"].logs(stdout=False, stderr=True)
        text, _ = cap_log(raw, _GRADER_STDERR_BYTES)
        if text:
            _log.debug("job %s: grader stderr:\n%s", self.spec.job_id, text)
        return f"grader stderr:\n{text}" if text else ""

    def remove(self) -> None:
        """Force-remove the job's containers and volumes, shared ones included; never raises."""
        try:
            for container in reversed(self.containers.values()):
                quietly(container.remove, force=True, v=True)
            if self.shared is not None and self.client is not None:
                self.shared.remove(self.client)
            if self.own_client and self.client is not None:
                self.client.close()
        finally:
            mark_done(self.spec.job_id)
            if self.shared is not None:
                mark_done(self.shared.job_id)


def _grader_options(shared: Shared, suite_dir: Path, args: list[str], environment: dict[str, str]) -> dict:
    """The grader container's options besides the baseline: its suite, the app's volumes read-only,
    the job's namespace, stdin open for its settings (made ahead) and app-control answers."""
    return {
        "command": ["stagecraft-grader", *args, "/suite"],
        "environment": environment,
        "mounts": [
            _bind(suite_dir, "/suite"),
            _volume(shared.data_volume, "/appdata", read_only=True),
            # The app's working copy, read-only: a suite can see what it wrote next to its code.
            _volume(shared.work_volume, "/appcode", read_only=True),
        ],
        "network_mode": f"container:{shared.containers['net'].id}",
        "stdin_open": True,
        "log_config": _log_config(1_000_000),
    }


def _start_together(app: Container, grader: Container) -> None:
    """Start the app and the grader at once (the grader waits for the app's port anyway)."""
    failure: list[BaseException] = []

    def start_grader() -> None:
        try:
            grader.start()
        except BaseException as exc:  # noqa: BLE001 - raised again on the job's thread
            failure.append(exc)

    other = threading.Thread(target=start_grader, name="stagecraft-start-grader")
    other.start()
    try:
        app.start()
    finally:
        other.join()
    if failure:
        raise failure[0]


def _baseline(limits: Limits, job_id: str, role: str) -> dict[str, Any]:
    """The DESIGN.md sandbox baseline, the same for every container of a job."""
    memory = f"{limits.memory_mb}m"
    fsize = limits.fsize_mb * 1024 * 1024  # RLIMIT_FSIZE is in bytes
    return {
        "name": f"stagecraft-{job_id}-{role}",
        "labels": job_labels(job_id, role),
        "user": SANDBOX_USER,
        "read_only": True,
        "tmpfs": {"/tmp": f"rw,nosuid,nodev,size={limits.tmpfs_mb}m,mode=1777"},
        "cap_drop": ["ALL"],
        "security_opt": ["no-new-privileges"],
        "mem_limit": memory,
        "memswap_limit": memory,
        "nano_cpus": int(limits.cpus * 1e9),
        "pids_limit": limits.pids,
        "ulimits": [
            Ulimit(name="nofile", soft=limits.nofile, hard=limits.nofile),
            Ulimit(name="fsize", soft=fsize, hard=fsize),
        ],
    }


def tmpfs_volume(client: docker.DockerClient, job_id: str, role: str, size_mb: int, *, mode: str) -> str:
    """A size-capped tmpfs volume of the job, owned by the sandbox user; its name.

    tmpfs, so a learner cannot fill the host's disk; a volume rather than a container's own tmpfs,
    because it outlives a restart of the container (it stays mounted while any container of the
    job uses it) and the engine copies archives in and out of volumes only.
    """
    volume = client.volumes.create(
        name=f"stagecraft-{job_id}-{role}",
        driver="local",
        driver_opts={
            "type": "tmpfs",
            "device": "tmpfs",
            "o": f"size={size_mb}m,uid={SANDBOX_UID},gid={SANDBOX_UID},mode={mode}",
        },
        labels=job_labels(job_id, role),
    )
    return volume.name


def _sidecar_role(service: str) -> str:
    return f"svc-{service}"


def _project_tar(code_dir: Path) -> bytes:
    """The project as a tar owned by the sandbox user; links are never followed, only refused."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        for path in sorted(code_dir.rglob("*")):
            if path.is_symlink() or not (path.is_file() or path.is_dir()):
                raise SandboxError(f"{path} in a job folder is not a plain file or folder")
            info = archive.gettarinfo(str(path), arcname=path.relative_to(code_dir).as_posix())
            info.uid = info.gid = SANDBOX_UID
            info.uname = info.gname = ""
            info.mode = 0o755 if path.is_dir() else (0o755 if path.stat().st_mode & 0o100 else 0o644)
            if path.is_file():
                with path.open("rb") as handle:
                    archive.addfile(info, handle)
            else:
                archive.addfile(info)
    return buffer.getvalue()


def _is_running(container: Container) -> bool:
    container.reload()
    return bool(container.attrs["State"].get("Running"))


def _wait_for_exit(container: Container, seconds: float) -> int | None:
    """The container's exit code, or None if it still runs after ``seconds``."""
    try:
        return int(container.wait(timeout=seconds)["StatusCode"])
    except (requests.exceptions.ReadTimeout, requests.exceptions.ConnectionError):
        # The wait timing out surfaces as a ConnectionError (read timed out) in docker-py 7.
        return None


def _volume(name: str, target: str, *, read_only: bool = False) -> Mount:
    """A job volume, never filled from the image: once the namespace holder runs, the volume is
    mounted, and the engine would copy an image's own folder (and its owner) into it."""
    return Mount(target=target, source=name, type="volume", read_only=read_only, no_copy=True)


def _bind(source: Path, target: str) -> Mount:
    if not source.is_dir() or source.is_symlink():
        raise SandboxError(f"{source} is not a directory (or is a link)")
    return Mount(target=target, source=str(source.absolute()), type="bind", read_only=True)


def _log_config(max_bytes: int) -> LogConfig:
    # Bounds the engine's copy of a container's output on disk; two files keep the latest part.
    return LogConfig(type="json-file", config={"max-size": f"{max_bytes // 1000}k", "max-file": "2"})


def _kill(container: Container) -> None:
    try:
        container.kill()
    except docker.errors.APIError as exc:
        if exc.status_code not in (404, 409):  # 409: it had already stopped
            raise
