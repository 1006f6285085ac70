"""Submission archives (zip, tar.gz): checked before anything runs, extracted without trusting them.

Every member is checked up front: regular files and folders only (no links, devices or fifos),
relative paths without `..`, names in UTF-8, bounded count and size. Extraction writes each file
with O_NOFOLLOW | O_EXCL into a fresh folder, so nothing lands outside it.
"""

from __future__ import annotations

import io
import os
import stat
import tarfile
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Literal, get_args

from stagecraft.curriculum.loader import read_toml
from stagecraft.curriculum.models import Exercise, Runtime, Service, SubmissionManifest
from stagecraft.dependencies import DependencyError
from stagecraft.dependencies.declared import read_python
from stagecraft.dependencies.node import read_node

ArchiveKind = Literal["zip", "tar.gz"]


@dataclass(frozen=True)
class ArchiveLimits:
    max_files: int = 2000
    max_total_bytes: int = 50 * 1024 * 1024
    max_ratio: int = 200  # uncompressed / compressed, beyond which we call it a bomb
    max_path_length: int = 512


class ArchiveError(ValueError):
    """The archive is refused; the message is for the learner."""


@dataclass(frozen=True)
class Member:
    path: PurePosixPath
    is_dir: bool
    size: int
    mode: int


def archive_kind(filename: str, data: bytes) -> ArchiveKind:
    if data[:4] == b"PK\x03\x04" or data[:4] == b"PK\x05\x06":
        return "zip"
    if data[:2] == b"\x1f\x8b":
        return "tar.gz"
    raise ArchiveError(f"{filename or 'the upload'} is neither a .zip nor a .tar.gz archive")


def _clean_path(raw: str | bytes) -> PurePosixPath:
    if isinstance(raw, bytes):
        try:
            raw = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise ArchiveError("a file name in the archive is not valid UTF-8") from None
    if "\x00" in raw or "\\" in raw:
        raise ArchiveError(f"the file name {raw!r} has characters that are not allowed")
    path = PurePosixPath(raw)
    if path.is_absolute() or raw.startswith("/"):
        raise ArchiveError(f"the archive holds an absolute path: {raw}")
    if any(part == ".." for part in path.parts):
        raise ArchiveError(f"the archive holds a path that climbs out of it: {raw}")
    return PurePosixPath(*[p for p in path.parts if p != "."])


def _zip_members(data: bytes) -> list[Member]:
    members = []
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for info in archive.infolist():
            # Names not flagged UTF-8 are decoded as cp437 by zipfile; re-check the raw bytes.
            raw = info.filename if info.flag_bits & 0x800 else info.filename.encode("cp437")
            mode = info.external_attr >> 16
            kind = stat.S_IFMT(mode)
            if kind and kind not in (stat.S_IFREG, stat.S_IFDIR):
                raise ArchiveError(f"{info.filename} is a link or special file; only plain files are allowed")
            if info.flag_bits & 0x1:
                raise ArchiveError(f"{info.filename} is encrypted")
            members.append(Member(_clean_path(raw), info.is_dir(), info.file_size, mode))
    return members


def _tar_members(data: bytes) -> list[Member]:
    members = []
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz", encoding="utf-8", errors="surrogateescape") as archive:
        for info in archive:
            if not (info.isfile() or info.isdir()):
                raise ArchiveError(f"{info.name} is a link or special file; only plain files are allowed")
            name = info.name.encode("utf-8", "surrogateescape")
            members.append(Member(_clean_path(name), info.isdir(), info.size, info.mode))
    return members


def list_members(data: bytes, kind: ArchiveKind, limits: ArchiveLimits = ArchiveLimits()) -> list[Member]:
    """Every member of the archive, or ArchiveError saying why it is refused."""
    try:
        members = _zip_members(data) if kind == "zip" else _tar_members(data)
    except (zipfile.BadZipFile, tarfile.TarError, EOFError, OSError) as exc:
        raise ArchiveError(f"the archive is damaged or not a {kind} file ({exc.__class__.__name__})") from None
    if len(members) > limits.max_files:
        raise ArchiveError(f"the archive holds {len(members)} entries; at most {limits.max_files} are allowed")
    total = sum(m.size for m in members)
    if total > limits.max_total_bytes:
        raise ArchiveError(
            f"the archive unpacks to {total // (1024 * 1024)} MiB; at most "
            f"{limits.max_total_bytes // (1024 * 1024)} MiB are allowed"
        )
    if len(data) and total / len(data) > limits.max_ratio and total > 1024 * 1024:
        raise ArchiveError("the archive compresses suspiciously well (a zip bomb?); it was refused")
    seen: set[PurePosixPath] = set()
    for member in members:
        if len(str(member.path)) > limits.max_path_length:
            raise ArchiveError(f"a path in the archive is longer than {limits.max_path_length} characters")
        if member.path in seen and not member.is_dir:
            raise ArchiveError(f"the archive holds {member.path} twice")
        seen.add(member.path)
    return members


def project_root(members: list[Member]) -> PurePosixPath:
    """The folder holding stagecraft.toml: the archive root, or its single top-level folder."""
    files = {m.path for m in members if not m.is_dir}
    if PurePosixPath("stagecraft.toml") in files:
        return PurePosixPath()
    tops = {m.path.parts[0] for m in members if m.path.parts}
    if len(tops) == 1:
        top = PurePosixPath(next(iter(tops)))
        if top / "stagecraft.toml" in files:
            return top
    raise ArchiveError(
        "the archive has no stagecraft.toml at its root. Add one that says how to start your app, e.g.\n"
        'runtime = "python"\nstart = "python app.py"'
    )


def _write_member(dest: Path, relative: PurePosixPath, content: bytes) -> None:
    target = dest.joinpath(*relative.parts)
    for parent in reversed(target.relative_to(dest).parents[:-1]):
        folder = dest / parent
        if folder.is_symlink():
            raise ArchiveError(f"{parent} is not a folder")
        folder.mkdir(exist_ok=True)
        folder.chmod(0o755)  # readable by the sandbox's non-root user, whatever the umask
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
    os.fchmod(fd, 0o644)
    with os.fdopen(fd, "wb") as handle:
        handle.write(content)


def _read_members(data: bytes, kind: ArchiveKind):
    if kind == "zip":
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for info in archive.infolist():
                if not info.is_dir():
                    raw = info.filename if info.flag_bits & 0x800 else info.filename.encode("cp437")
                    yield _clean_path(raw), archive.read(info)
    else:
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz", encoding="utf-8", errors="surrogateescape") as archive:
            for info in archive:
                if info.isfile():
                    handle = archive.extractfile(info)
                    yield _clean_path(info.name.encode("utf-8", "surrogateescape")), handle.read() if handle else b""


def extract_project(data: bytes, kind: ArchiveKind, dest: Path, limits: ArchiveLimits = ArchiveLimits()) -> None:
    """Extract the project (the folder holding stagecraft.toml) into the empty folder `dest`."""
    members = list_members(data, kind, limits)
    root = project_root(members)
    dest.mkdir(parents=True, exist_ok=True)
    dest.chmod(0o755)
    written = 0
    for path, content in _read_members(data, kind):
        written += len(content)
        if written > limits.max_total_bytes:  # sizes in headers can lie
            raise ArchiveError("the archive unpacks to more than its headers say; it was refused")
        if root.parts and path.parts[: len(root.parts)] != root.parts:
            continue
        relative = PurePosixPath(*path.parts[len(root.parts) :])
        if relative.parts:
            _write_member(dest, relative, content)


def read_submission_manifest(project_dir: Path) -> SubmissionManifest:
    """The learner's stagecraft.toml, or ArchiveError with a learner-facing message."""
    try:
        return read_toml(project_dir / "stagecraft.toml", SubmissionManifest)
    except ValueError as exc:
        raise ArchiveError(f"stagecraft.toml: {_manifest_advice(str(exc))}") from None


_FIELDS_ON_OFFER = "runtime, start, port, services"


def _manifest_advice(problem: str) -> str:
    """The validator's finding, said the way a learner can act on it."""
    runtimes = " or ".join(f'"{r}"' for r in get_args(Runtime))
    if problem.endswith("at field `runtime`"):
        return f'`runtime` must be {runtimes}, e.g. runtime = "python" ({problem})'
    if "missing required field `runtime`" in problem:
        return f"say which runtime your app uses: runtime = {runtimes}"
    if "missing required field `start`" in problem:
        return 'say how to start your app, e.g. start = "python app.py" or start = "npm start"'
    if problem.startswith("Object contains unknown field"):
        return f"{problem}; the fields are {_FIELDS_ON_OFFER}"
    if "services" in problem:
        return f"{problem}. The services on offer are: {', '.join(get_args(Service))}"
    if problem.endswith("at field `port`"):
        return f"`port` is the port number your app listens on, from 1 to 65535 ({problem})"
    return problem


def check_project(exercise: Exercise, project_dir: Path) -> SubmissionManifest:
    """Everything a learner must fix before anything runs: manifest, runtime, readable dependency files."""
    manifest = read_submission_manifest(project_dir)
    if manifest.runtime not in exercise.manifest.runtimes:
        allowed = ", ".join(exercise.manifest.runtimes)
        raise ArchiveError(f"this exercise accepts the runtimes {allowed}; stagecraft.toml says {manifest.runtime!r}")
    try:
        # Read now, so a malformed file is refused at upload; the packages are installed when graded.
        if manifest.runtime == "python":
            read_python(project_dir)
        else:
            read_node(project_dir)
    except DependencyError as exc:
        raise ArchiveError(str(exc)) from None
    return manifest


def read_project_files(data: bytes, kind: ArchiveKind, limits: ArchiveLimits = ArchiveLimits()) -> dict[str, bytes]:
    """The project's files in memory (path relative to the folder holding stagecraft.toml -> bytes), sorted."""
    root = project_root(list_members(data, kind, limits))
    files = {}
    for path, content in _read_members(data, kind):
        if root.parts and path.parts[: len(root.parts)] != root.parts:
            continue
        relative = PurePosixPath(*path.parts[len(root.parts) :])
        if relative.parts:
            files[str(relative)] = content
    return dict(sorted(files.items()))
