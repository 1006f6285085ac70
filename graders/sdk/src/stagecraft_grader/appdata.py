"""The `app_data` fixture: read (never write) the files the app left in its data volume."""

from __future__ import annotations

import os
import stat
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from .checks import CheckFailed, GraderError

FILE_LIMIT = 10_000  # files listed at most: an app may create millions
READ_LIMIT = 64 * 1024 * 1024  # bytes of one file read_bytes returns at most
SCAN_LIMIT = 256 * 1024 * 1024  # bytes of one file contains_plaintext searches at most
_CHUNK = 1024 * 1024


class AppData:
    """The app's /data, mounted read-only in the grader at `root`; paths are relative to it."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def files(self) -> list[str]:
        """Relative paths of the regular files, sorted ("notes/1.txt"); symlinks are not followed."""
        found: list[str] = []
        for folder, dirs, names in os.walk(self.root, followlinks=False):
            dirs.sort()
            for name in sorted(names):
                path = Path(folder, name)
                try:
                    regular = stat.S_ISREG(path.lstat().st_mode)
                except OSError:
                    continue  # removed while we walked
                if regular:
                    found.append(path.relative_to(self.root).as_posix())
                    if len(found) >= FILE_LIMIT:
                        return sorted(found)
        return sorted(found)

    def exists(self, path: str) -> bool:
        try:
            return stat.S_ISREG(self._path(path).lstat().st_mode)
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
        """The files whose bytes contain `secret` encoded as UTF-8 (e.g. a password stored as is)."""
        if not isinstance(secret, str) or not secret:
            raise GraderError("contains_plaintext() needs a non-empty string")
        needle = secret.encode("utf-8")
        return [path for path in self.files() if self._file_contains(path, needle)]

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

    def _path(self, path: str) -> Path:
        relative = PurePosixPath(path)
        if relative.is_absolute() or ".." in relative.parts:
            raise GraderError(f"app_data paths are relative to the data folder, got {path!r}")
        return self.root / relative

    def _open(self, path: str) -> BinaryIO:
        # O_NOFOLLOW and O_NONBLOCK: a symlink or a FIFO planted by the app must not hang or mislead us.
        try:
            fd = os.open(self._path(path), os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
        except OSError:
            raise CheckFailed(f"your app's /data has no file {path}") from None
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            os.close(fd)
            raise CheckFailed(f"your app's /data has no file {path}")
        return os.fdopen(fd, "rb")
