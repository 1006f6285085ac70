"""Reading a learner's dependency files as hostile input: never through a link, capped, decoded as pip does."""

from __future__ import annotations

import codecs
import errno
import json
import os
import stat
import tomllib
from pathlib import Path
from typing import Any

from stagecraft.dependencies import DependencyError

MAX_FILE_BYTES = 1024 * 1024
MAX_LOCK_BYTES = 16 * 1024 * 1024  # a lock lists every wheel of every package: 1 MiB is a mid-sized project

# UTF-32 first: its little-endian BOM starts with UTF-16's.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def read_text(path: Path) -> str:
    """A dependency text file decoded as pip does: by its BOM, else as UTF-8 (or BOM-less UTF-16)."""
    return decode_pip_text(read_bytes(path, path.name, MAX_FILE_BYTES), path.name)


def exists(path: Path) -> bool:
    return os.path.lexists(path)


def read_bytes(path: Path, label: str, limit: int) -> bytes:
    """The file's bytes; never through a link, never from a folder, fifo or device, never past ``limit``."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise DependencyError(f"{label} is a symbolic link; put the file itself in your project") from None
        raise DependencyError(f"{label} cannot be read ({exc.strerror}); upload it as a plain file") from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise DependencyError(f"{label} is a folder; it must be a file")
        if not stat.S_ISREG(info.st_mode):
            raise DependencyError(f"{label} is not a plain file; upload it as one")
        chunks, size = [], 0
        while chunk := os.read(fd, 1024 * 1024):
            chunks.append(chunk)
            size += len(chunk)
            if size > limit:
                raise DependencyError(f"{label} is larger than {limit // (1024 * 1024)} MiB; list only what you need")
        return b"".join(chunks)
    except OSError as exc:
        raise DependencyError(f"{label} cannot be read ({exc.strerror}); upload it as a plain file") from None
    finally:
        os.close(fd)


def decode_pip_text(data: bytes, label: str) -> str:
    refused = DependencyError(f"{label} is not text pip can read: save it as UTF-8")
    encoding, start = "utf-8", 0
    for bom, name in _BOMS:
        if data.startswith(bom):
            encoding, start = name, len(bom)
            break
    else:
        encoding = utf16_without_bom(data) or encoding
    try:
        text = data[start:].decode(encoding)
    except UnicodeDecodeError:
        raise refused from None
    if "\x00" in text:
        raise refused
    return text


def utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 when NULs sit in every other byte, as they do for ASCII text in UTF-16."""
    if b"\x00" not in data or len(data) % 2:
        return None
    even, odd = data[0::2].count(0), data[1::2].count(0)
    if odd * 4 > len(data) and even * 10 < odd:
        return "utf-16-le"
    if even * 4 > len(data) and odd * 10 < even:
        return "utf-16-be"
    return None


def decode_utf8(data: bytes, label: str, *, bom_allowed: bool) -> str:
    if data.startswith(codecs.BOM_UTF8):
        if not bom_allowed:
            raise DependencyError(f"{label} starts with a byte order mark: save it as UTF-8 without BOM")
        data = data[len(codecs.BOM_UTF8) :]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise DependencyError(f"{label} is not UTF-8 text: save it as UTF-8") from None


def read_json(path: Path, label: str, limit: int) -> Any:
    # npm strips a UTF-8 BOM too; any other encoding fails in npm as well.
    text = decode_utf8(read_bytes(path, label, limit), label, bom_allowed=True)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise DependencyError(
            f"{label} is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}; fix it there"
        ) from None
    except (ValueError, RecursionError):  # numbers past Python's digit limit, nesting past its stack
        raise DependencyError(
            f"{label} is not JSON that can be read: remove its huge numbers or deep nesting"
        ) from None


def read_toml(path: Path, label: str, limit: int) -> dict[str, Any]:
    # Build tools read TOML as UTF-8 without BOM (tomllib): a BOM would fail in the sandbox.
    text = decode_utf8(read_bytes(path, label, limit), label, bom_allowed=False)
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise DependencyError(f"{label} is not valid TOML: {exc}; fix it there") from None
    except (ValueError, RecursionError):
        raise DependencyError(
            f"{label} is not TOML that can be read: remove its huge numbers or deep nesting"
        ) from None


def broken(label: str, what: str, fix: str) -> DependencyError:
    return DependencyError(f"{label} is broken ({what}); {fix}")
