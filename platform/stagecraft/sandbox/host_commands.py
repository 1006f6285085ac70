"""Running build commands on the host with their output streamed to a log."""

from __future__ import annotations

import collections
import subprocess
from collections.abc import Callable, Sequence

from stagecraft.sandbox import SandboxError


def run_logged(cmd: Sequence[str], *, log: Callable[[str], None], what: str) -> None:
    """Run ``cmd``, passing each output line to ``log``; SandboxError (with the tail) on failure."""
    tail: collections.deque[str] = collections.deque(maxlen=20)
    try:
        process = subprocess.Popen(
            list(cmd), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
        )
    except OSError as exc:
        raise SandboxError(f"{what}: cannot run {cmd[0]}: {exc}") from exc
    assert process.stdout is not None
    with process:
        for raw in process.stdout:
            line = raw.decode("utf-8", errors="replace").rstrip()
            tail.append(line)
            log(line)
    if process.returncode != 0:
        output = "\n".join(tail)
        raise SandboxError(f"{what} failed (exit {process.returncode}):\n{output}")
