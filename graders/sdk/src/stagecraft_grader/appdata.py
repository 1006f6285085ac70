"""The `app_data` fixture: read (never write) the files the app left in its data volume and its project copy."""

from __future__ import annotations

import os
import stat
from collections import deque
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from .checks import CheckFailed, GraderError

FILE_LIMIT = 10_000  # files listed at most, per folder: an app may create millions
READ_LIMIT = 64 * 1024 * 1024  # bytes of one file read_bytes returns at most
SCAN_LIMIT = 256 * 1024 * 1024  # bytes of one file contains_plaintext searches at most
PROJECT_PREFIX = "./"  # how a path names a file of the project copy rather than of the data folder
_CHUNK = 1024 * 1024


class AppData:
    """What the app left on disk, read-only: its /data at `root`, its working copy at `project_root`.

    A path names a file of the data folder relative to it ("users.db"), or a file of the project
    copy with "./" in front ("./app.db").
    """

    def __init__(self, root: Path, project_root: Path | None = None) -> None:
        self.root = root
        self.project_root = project_root

    def files(self) -> list[str]:
        """The data folder's regular files, sorted ("notes/1.txt"); symlinks are not followed."""
        return _regular_files(self.root, "")

    def project_files(self) -> list[str]:
        """The project copy's regular files, sorted ("./app.py"); none where the platform mounts no copy."""
        if self.project_root is None or not self.project_root.is_dir():
            return []
        return _regular_files(self.project_root, PROJECT_PREFIX)

    def exists(self, path: str) -> bool:
        full = self._path(path)
        try:
            return full is not None and stat.S_ISREG(full.lstat().st_mode)
        except OSError:
            return False

    def read_bytes(self, path: str) -> bytes:
        """The file's bytes; a missing file fails the test, one over 64 MB is cut there."""
        with self._open(path) as handle:
            return handle.read(READ_LIMIT)

    def read_text(self, path: str) -> str:
        """The file decoded as UTF-8, invalid bytes replaced by U+FFFD."""
        return self.read_bytes(path).decode("utf-8", "replace")

    def contains_plaintext(self, secret: str) -> list[str]:
        """The files, of the data folder then of the project copy, whose bytes contain `secret` as UTF-8."""
        if not isinstance(secret, str) or not secret:
            raise GraderError("contains_plaintext() needs a non-empty string")
        needle = secret.encode("utf-8")
        return [path for path in [*self.files(), *self.project_files()] if self._file_contains(path, needle)]

    def _file_contains(self, path: str, needle: bytes) -> bool:
        try:
            handle = self._open(path)
        except CheckFailed:
            return False  # gone or replaced since it was listed
        with handle:
            tail, scanned = b"", 0
            while scanned < SCAN_LIMIT:
                chunk = handle.read(_CHUNK)
                if not chunk:
                    return False
                if needle in tail + chunk:
                    return True
                tail = chunk[-(len(needle) - 1) :] if len(needle) > 1 else b""
                scanned += len(chunk)
        return False

    def _path(self, path: str) -> Path | None:
        """Where `path` is; None for a file of a project copy that was not given."""
        in_project = path.startswith(PROJECT_PREFIX)
        relative = PurePosixPath(path.removeprefix(PROJECT_PREFIX))
        if relative.is_absolute() or ".." in relative.parts:
            raise GraderError(
                f'app_data paths are relative to the data folder, or start with "./" for the project copy, got {path!r}'
            )
        if not in_project:
            return self.root / relative
        return None if self.project_root is None else self.project_root / relative

    def _open(self, path: str) -> BinaryIO:
        # O_NOFOLLOW and O_NONBLOCK: a symlink or a FIFO planted by the app must not hang or mislead us.
        full = self._path(path)
        if full is None:
            raise CheckFailed(_no_file(path))
        try:
            fd = os.open(full, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
        except OSError:
            raise CheckFailed(_no_file(path)) from None
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            os.close(fd)
            raise CheckFailed(_no_file(path))
        return os.fdopen(fd, "rb")


def _no_file(path: str) -> str:
    if path.startswith(PROJECT_PREFIX):
        return f"your app's project folder has no file {path}"
    return f"your app's /data has no file {path}"


def _regular_files(root: Path, prefix: str) -> list[str]:
    """The regular files under `root` as sorted relative paths after `prefix`; symlinks are never followed.

    Folders are read shallowest first, so that when FILE_LIMIT cuts the list (a project may bring
    a virtualenv or a .git folder), the files near the top, where apps keep their data, are in it.
    """
    found: list[str] = []
    folders = deque([PurePosixPath()])
    while folders:
        relative = folders.popleft()
        try:
            with os.scandir(root / relative) as scan:
                entries = sorted(scan, key=lambda entry: entry.name)
        except OSError:
            continue  # removed while we walked, or not readable
        for entry in entries:
            try:
                if entry.is_dir(follow_symlinks=False):
                    folders.append(relative / entry.name)
                elif entry.is_file(follow_symlinks=False):
                    found.append(prefix + (relative / entry.name).as_posix())
            except OSError:
                continue  # removed while we walked
            if len(found) >= FILE_LIMIT:
                return sorted(found)
    return sorted(found)
