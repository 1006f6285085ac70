"""The host-side package downloads: wheels for the images' venvs, npm packages for node.

Images are built with no network to PyPI or npm, so every Python package an image needs is
downloaded here first (binary wheels for CPython 3.13 on manylinux, which match Debian trixie's
python3.13) and installed in the build with ``pip install --no-index``; the Node runtime's
pure-JavaScript packages are installed here with ``npm ci`` and copied into the image.
"""

from __future__ import annotations

import os
import platform
import shutil
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

from stagecraft.sandbox import SandboxError
from stagecraft.sandbox.host_commands import run_logged

Log = Callable[[str], None]

_ARCH = platform.machine()
PYTHON_VERSION = "3.13"  # the runtime image's Python (Debian trixie's python3)


def platform_args(python_version: str = PYTHON_VERSION) -> tuple[str, ...]:
    """pip's arguments for binary wheels that CPython ``python_version`` on manylinux can install."""
    # pip does not widen manylinux_2_X platforms to older glibc levels itself: list them.
    return (
        "--only-binary=:all:",
        "--implementation", "cp",
        "--python-version", python_version,
        "--abi", f"cp{python_version.replace('.', '')}", "--abi", "abi3", "--abi", "none",
        *(arg for minor in range(36, 4, -1) for arg in ("--platform", f"manylinux_2_{minor}_{_ARCH}")),
        "--platform", f"manylinux2014_{_ARCH}",
    )  # fmt: skip


PLATFORM_ARGS = platform_args()
_SDK_IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info", "build", "dist", ".*")


def download(
    requirements: Path,
    dest: Path,
    pip_cache: Path,
    *,
    extra: Sequence[str] = (),
    python_version: str = PYTHON_VERSION,
    log: Log,
) -> None:
    """Fill ``dest`` with wheels for ``requirements`` (and ``extra`` requirement specs or wheels)."""
    dest.mkdir(parents=True, exist_ok=True)
    cmd = [
        sys.executable, "-m", "pip", "download", "--disable-pip-version-check", "--no-input",
        "--progress-bar", "off", "--dest", str(dest), "--cache-dir", str(pip_cache),
        *platform_args(python_version), "-r", str(requirements), *extra,
    ]  # fmt: skip
    run_logged(cmd, log=log, what=f"downloading the wheels of {requirements}")


def build_sdk_wheel(sdk_dir: Path, dest: Path, *, log: Log) -> Path:
    """Build the grader SDK's wheel into ``dest`` and return its path."""
    if not (sdk_dir / "pyproject.toml").is_file():
        raise SandboxError(f"the grader SDK is missing: no {sdk_dir}/pyproject.toml")
    dest.mkdir(parents=True, exist_ok=True)
    # Build from a copy: an in-tree build would leave build/ and *.egg-info in graders/sdk.
    with tempfile.TemporaryDirectory(prefix="stagecraft-sdk-") as scratch:
        source = Path(scratch) / "sdk"
        shutil.copytree(sdk_dir, source, ignore=_SDK_IGNORE)
        cmd = [
            sys.executable, "-m", "pip", "wheel", "--disable-pip-version-check", "--no-input",
            "--progress-bar", "off", "--no-deps", "--wheel-dir", str(dest), str(source),
        ]  # fmt: skip
        run_logged(cmd, log=log, what=f"building the grader SDK wheel from {sdk_dir}")
    wheels = sorted(dest.glob("stagecraft_grader-*.whl"))
    if len(wheels) != 1:
        raise SandboxError(f"expected one stagecraft_grader wheel in {dest}, found {len(wheels)}")
    return wheels[0]


def install_node_modules(context: Path, npm_cache: Path, *, log: Log) -> None:
    """``npm ci`` the context's package-lock.json into ``context/node_modules``, pure JavaScript only.

    Install scripts never run (``--ignore-scripts``): they are how packages build native code
    or download prebuilt binaries, neither of which can work for the image.
    """
    npm = shutil.which("npm")
    if npm is None:
        raise SandboxError("npm is not installed: the node image needs it on the host (apt-get install npm)")
    if not (context / "package-lock.json").is_file():
        raise SandboxError(f"no package-lock.json in {context}: `npm install --package-lock-only` makes one")
    cmd = [
        npm, "ci", "--ignore-scripts", "--omit=dev", "--no-bin-links", "--no-audit", "--no-fund",
        "--no-update-notifier", "--loglevel=warn", "--cache", str(npm_cache), "--prefix", str(context),
    ]  # fmt: skip
    run_logged(cmd, log=log, what=f"installing the npm packages of {context / 'package.json'}")
    native = sorted(
        str(path.relative_to(context))
        for path in (context / "node_modules").rglob("*")
        if path.name == "binding.gyp" or path.suffix == ".node"
    )
    if native:
        raise SandboxError(
            "the node image takes pure-JavaScript npm packages only (native ones come from Debian); "
            f"found {', '.join(native)}"
        )
    _make_readable(context / "node_modules")


def _make_readable(tree: Path) -> None:
    # COPY keeps modes, and the sandbox user (10001) must read what npm wrote under any umask.
    for path in (tree, *tree.rglob("*")):
        if path.is_symlink():
            raise SandboxError(f"npm left a symbolic link in the node image's packages: {path}")
        mode = path.stat().st_mode
        os.chmod(path, mode | (0o755 if path.is_dir() or mode & 0o100 else 0o644))
