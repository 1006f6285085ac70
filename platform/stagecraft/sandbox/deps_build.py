"""What preparing dependencies shares across runtimes: the learner-facing failure, the settings,
the host-side fetch (which runs no package code) and the build-container step (which runs it)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import msgspec

from stagecraft.sandbox import SandboxError
from stagecraft.sandbox.build_container import BuildOverCap, run_build, tar_of
from stagecraft.sandbox.deps_store import tree_size
from stagecraft.sandbox.engine import local_engine

_FETCH_SECONDS = 300  # for the host's download of one project's packages
_BUILD_SECONDS = 600  # for the build container (a cold native build of better-sqlite3: about 80 s)
UNREACHABLE = re.compile(
    r"NewConnectionError|Max retries exceeded|Temporary failure in name resolution|Name or service not known|"
    r"ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|ECONNRESET|network request .* failed|Connection refused|"
    r"Read timed out|ProxyError"
)


class DependencyFailure(Exception):
    """The project's dependencies cannot be prepared, for a reason the learner can fix; str() says which."""

    def __init__(self, message: str, log: str = "") -> None:
        super().__init__(message)
        self.log = log  # the installer's output, for the learner


class NoWheel(DependencyFailure):
    """A package exists but has no built wheel for this Python: another Python may have one."""

    def __init__(self, message: str, requirement: str, log: str = "") -> None:
        super().__init__(message, log)
        self.requirement = requirement


class DependencySettings(msgspec.Struct, frozen=True, kw_only=True):
    store_dir: Path
    max_store_bytes: int = 5 * 1024**3
    max_tree_mb: int = 400  # one project's prepared tree
    pip_cache: Path | None = None
    npm_cache: Path | None = None
    pip_index_url: str = ""  # an operator's mirror; "" is PyPI
    npm_registry: str = ""  # an operator's mirror; "" is the npm registry


def host_fetch(cmd: list[str], what: str) -> str | None:
    """Run a fetching command on the host (one that runs no package code); its output if it failed."""
    try:
        done = subprocess.run(
            cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=_FETCH_SECONDS
        )
    except subprocess.TimeoutExpired:
        raise SandboxError(f"{what} took longer than {_FETCH_SECONDS} s (is the registry slow?)") from None
    except OSError as exc:
        raise SandboxError(f"{what}: cannot run {cmd[0]}: {exc}") from exc
    if done.returncode == 0:
        return None
    return done.stdout.decode("utf-8", "replace")[-20_000:]


def check_size(tree: Path, max_mb: int) -> None:
    size = tree_size(tree)
    if size > max_mb * 1024 * 1024:
        raise DependencyFailure(
            f"your dependencies take {size // 1024**2} MiB installed; at most {max_mb} MiB are allowed. "
            "Drop the packages your server does not use."
        )


def build(client, image, inputs, command, output, scratch, settings, what) -> Path:
    name = f"deps-{scratch.name.removeprefix('.build-')}"
    own_client = client is None
    client = client or local_engine()
    try:
        run, container = run_build(
            client, image, name=name, inputs=tar_of(inputs), command=command, environment={},
            seconds=_BUILD_SECONDS, cap_mb=settings.max_tree_mb + 200,
        )  # fmt: skip
        try:
            if run.exit_code in (124, 137):  # timeout's exit codes: the time limit ended it
                raise DependencyFailure(f"{what} took longer than {_BUILD_SECONDS} s and was stopped.", run.log)
            if run.exit_code != 0:
                raise DependencyFailure(_explain_build(what, run.log), run.log)
            tree = container.take(output, scratch / "out", settings.max_tree_mb * 1024 * 1024)
        except BuildOverCap:
            raise DependencyFailure(
                f"your dependencies take more than {settings.max_tree_mb} MiB installed; at most "
                f"{settings.max_tree_mb} MiB are allowed. Drop the packages your server does not use."
            ) from None
        finally:
            container.remove()
    finally:
        if own_client:
            client.close()
    check_size(tree, settings.max_tree_mb)
    final = scratch / "tree"
    tree.rename(final)
    return final


def _explain_build(what: str, log: str) -> str:
    missing_header = re.search(r"fatal error: ([\w./+-]+\.h): No such file", log)
    if missing_header:
        return (
            f"{what} failed: a package needs the system library header {missing_header.group(1)}, "
            "which the sandbox does not have. Use a pure-Python or pure-JavaScript alternative; the log is below."
        )
    if "No space left on device" in log:
        return f"{what} failed: the installed packages are larger than the size cap allows."
    return f"{what} failed; the end of its log is below."
