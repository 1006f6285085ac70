"""Stored archives, by content hash, behind one interface: files on the web machine's disk
(embedded), or rows in the database (scaled: a worker on another machine reads what the web stored).

`STAGECRAFT_ARCHIVES` chooses (`files` or `database`); the default follows the database: files
with SQLite, the database with PostgreSQL. Reading from the database falls back to the files, so
archives stored before a deployment switched over are still found.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
from datetime import UTC, datetime
from pathlib import Path

from stagecraft.settings import Settings
from stagecraft.storage.tables import ArchiveBlob
from stagecraft.submissions.archive import ArchiveKind

_SUFFIX = {"zip": ".zip", "tar.gz": ".tar.gz"}


class ArchiveMissing(LookupError):
    """A submission's archive is in no store (a platform fault: it was stored when submitted)."""


def archive_path(settings: Settings, sha256: str, kind: ArchiveKind) -> Path:
    return settings.archives_dir / sha256[:2] / f"{sha256}{_SUFFIX[kind]}"


def _write_file(settings: Settings, sha256: str, data: bytes, kind: ArchiveKind) -> None:
    target = archive_path(settings, sha256, kind)
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f".{target.name}.{os.getpid()}.partial")
        partial.write_bytes(data)
        os.replace(partial, target)


def _read_file(settings: Settings, sha256: str) -> tuple[bytes, ArchiveKind] | None:
    for kind in ("zip", "tar.gz"):
        path = archive_path(settings, sha256, kind)
        if path.exists():
            return path.read_bytes(), kind
    return None


def uses_database(settings: Settings) -> bool:
    return settings.archive_store == "database" or (settings.archive_store == "" and not settings.uses_sqlite)


async def store_archive(settings: Settings, data: bytes, kind: ArchiveKind) -> str:
    """Keep the archive under its content hash; storing the same bytes twice is a no-op."""
    sha256 = hashlib.sha256(data).hexdigest()
    if not uses_database(settings):
        await asyncio.to_thread(_write_file, settings, sha256, data, kind)
        return sha256
    if not await ArchiveBlob.exists().where(ArchiveBlob.sha256 == sha256):
        try:
            await ArchiveBlob.insert(
                ArchiveBlob(sha256=sha256, kind=kind, size=len(data), data=data, stored_at=datetime.now(UTC))
            )
        except Exception:
            # Two uploads of the same bytes at once: the other insert won; the archive is stored.
            if not await ArchiveBlob.exists().where(ArchiveBlob.sha256 == sha256):
                raise
    return sha256


async def read_archive(settings: Settings, sha256: str) -> tuple[bytes, ArchiveKind]:
    """The archive's bytes and kind; raises ArchiveMissing."""
    if uses_database(settings):
        row = await ArchiveBlob.select(ArchiveBlob.data, ArchiveBlob.kind).where(ArchiveBlob.sha256 == sha256).first()
        if row is not None:
            return bytes(row["data"]), row["kind"]
    found = await asyncio.to_thread(_read_file, settings, sha256)
    if found is None:
        raise ArchiveMissing(f"archive {sha256} is missing (looked in the database and {settings.archives_dir})")
    return found
