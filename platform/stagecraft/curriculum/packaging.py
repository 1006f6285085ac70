"""Curriculum folders as downloads."""

from __future__ import annotations

import io
import zipfile
from functools import lru_cache
from pathlib import Path


@lru_cache(maxsize=64)
def zip_folder(folder: Path) -> bytes:
    """The curriculum's own files (never links) as a zip, cached: the curriculum is read-only while serving."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file() and not path.is_symlink() and "__pycache__" not in path.parts:
                archive.write(path, str(path.relative_to(folder)))
    return buffer.getvalue()
