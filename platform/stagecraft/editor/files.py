"""The editor's files: checked like an upload's paths and sizes, and packed into the same intake as an archive."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path, PurePosixPath

from stagecraft.submissions.archive import ArchiveError

MAX_FILES = 60
MAX_FILE_BYTES = 200_000
MAX_TOTAL_BYTES = 1_000_000
_PART = re.compile(r"^[A-Za-z0-9._@+-][A-Za-z0-9._@+ -]{0,99}$")


def check_files(files: object) -> dict[str, str]:
    """A set of text files as sent by the editor; ArchiveError says what to change."""
    if not isinstance(files, dict) or not files:
        raise ArchiveError("the project has no files: add at least stagecraft.toml and your app")
    if len(files) > MAX_FILES:
        raise ArchiveError(f"the editor holds {len(files)} files; at most {MAX_FILES} are allowed")
    checked, total = {}, 0
    for path, text in files.items():
        if not isinstance(path, str) or not isinstance(text, str):
            raise ArchiveError("each file needs a name and a text")
        parts = PurePosixPath(path).parts
        if not parts or path.startswith("/") or any(p in (".", "..") or not _PART.match(p) for p in parts):
            raise ArchiveError(
                f"{path!r} is not a file name the editor can keep: use letters, digits, . _ - and / between folders"
            )
        size = len(text.encode("utf-8"))
        if size > MAX_FILE_BYTES:
            raise ArchiveError(
                f"{path} is {size // 1000} kB; a file in the editor is at most {MAX_FILE_BYTES // 1000} kB"
            )
        total += size
        checked[str(PurePosixPath(*parts))] = text
    if total > MAX_TOTAL_BYTES:
        raise ArchiveError(f"the files come to {total // 1000} kB; at most {MAX_TOTAL_BYTES // 1000} kB in the editor")
    return dict(sorted(checked.items()))


def pack_files(files: dict[str, str]) -> bytes:
    """The files as a .zip, for the intake every upload goes through."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path, text in files.items():
            archive.writestr(path, text)
    return buffer.getvalue()


def starter_files(folder: Path | None) -> dict[str, str]:
    """A starter project's text files, to open the editor with."""
    if folder is None:
        return {}
    files = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and "node_modules" not in path.parts:
            try:
                files[str(path.relative_to(folder).as_posix())] = path.read_text(encoding="utf-8")
            except UnicodeDecodeError:
                continue
    return files
