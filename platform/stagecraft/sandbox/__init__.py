"""The sandbox seam: the only part of Stagecraft that talks to Docker.

Everything else describes a job with `JobSpec` and reads back a `SandboxResult`;
`run_job` runs one learner container, the exercise's sidecars and one grader container
that share a network namespace and nothing else. The grader may stop, start, restart or
signal the app through the control channel (`stagecraft.sandbox.control`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import msgspec

Ending = Literal[
    "completed",  # the grader ran to its end
    "timeout",  # the wall-clock deadline passed; the job was killed
    "output_limit",  # the grader's stdout went past its cap
    "app_exited",  # the app exited on its own (no control request asked it to); the grader was stopped
    "infra_error",  # the platform failed (engine down, image missing, ...)
]


class Limits(msgspec.Struct, frozen=True, kw_only=True):
    """Resource limits for each container of one job (the DESIGN.md baseline)."""

    wall_seconds: float = 60.0
    memory_mb: int = 256
    cpus: float = 1.0
    pids: int = 128
    tmpfs_mb: int = 64
    nofile: int = 1024
    fsize_mb: int = 64
    output_bytes: int = 1_000_000  # grader stdout cap
    log_bytes: int = 64_000  # app log kept for the learner
    flood_bytes: int = 256_000  # app output past this is a flood (output_limit), not just a long log
    data_mb: int = 128  # the job's /data volume (tmpfs: its pages count against the app's memory)
    work_mb: int = 128  # the job's writable copy of the project, the app's working directory


DEFAULT_PORT = 8000  # $PORT when the learner's manifest names no port


class JobSpec(msgspec.Struct, frozen=True, kw_only=True):
    job_id: str  # unique per grading attempt; used in container names and labels
    runtime: str  # "python" or "node"
    image: str = ""  # the runtime image when not the runtime's own (e.g. "python311"); see images.PYTHON_IMAGES
    code_dir: Path  # host directory holding the learner project; contains no links
    start_command: str  # from the learner's stagecraft.toml; run by bash -c in /app, under docker-init
    suite_dir: Path  # host directory of the grader suite (mounted read-only)
    limits: Limits = Limits()
    seed: int = 0  # passed to the grader as STAGECRAFT_SEED for randomised test data
    port: int = DEFAULT_PORT  # the app listens on $PORT inside the shared namespace
    services: tuple[str, ...] = ()  # sidecar images (e.g. "redis"), started and ready before the app
    app_env: dict[str, str] = {}  # extra app environment (the exercise's); the grader gets it as JSON
    # The project's prepared dependencies (stagecraft.sandbox.dependencies), mounted read-only:
    # python at /deps (on PYTHONPATH and PATH), node as /app/node_modules.
    deps_dir: Path | None = None


class AppState(msgspec.Struct, frozen=True, kw_only=True):
    """What became of the learner's container."""

    running: bool  # still running when the grader finished
    exit_code: int | None
    oom_killed: bool
    log: str  # stdout+stderr of the app, capped at Limits.log_bytes, decoded with errors="replace"
    log_truncated: bool  # the log was cut to fit (said so in the log itself)
    flooded: bool = False  # the app wrote more than Limits.flood_bytes


class SandboxResult(msgspec.Struct, frozen=True, kw_only=True):
    ending: Ending
    grader_exit_code: int | None
    app: AppState | None  # None when the app container never got created
    detail: str = ""  # for operators (infra errors); never shown to learners verbatim
    duration: float = 0.0


class SandboxError(Exception):
    """A platform-side failure before or around a job (engine unreachable, image missing)."""


from stagecraft.sandbox.engine import janitor  # noqa: E402
from stagecraft.sandbox.runner import run_job  # noqa: E402

__all__ = ["AppState", "Ending", "JobSpec", "Limits", "SandboxError", "SandboxResult", "janitor", "run_job"]
