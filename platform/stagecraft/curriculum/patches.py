"""Broken variants as patches: a variant names the solution it breaks and carries only the diff.

A patch is a unified diff with paths relative to the solution's folder, as
`stagecraft curriculum diff SOLUTION VARIANT` writes it (`a/` and `b/` prefixes are allowed). It
applies exactly: every context and removed line must match, so a patch that no longer fits its
solution is an error, never a guess. Nothing here touches the disk except `materialise`.
"""

from __future__ import annotations

import difflib
import re
import shutil
import tempfile
import tomllib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath

import msgspec

from stagecraft.curriculum.models import AcceptedManifest, BrokenManifest

PATCH_FILE = "broken.patch"
ACCEPTED_PATCH_FILE = "accepted.patch"  # the same, for an accepted variant with a `base`
_HUNK = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")
_NO_NEWLINE = "\\ No newline at end of file"
_SKIP = {".git", "__pycache__", ".venv", "node_modules", ".pytest_cache", ".mypy_cache"}


class PatchError(Exception):
    """The patch is malformed or does not fit the files it changes."""


Files = dict[str, str | None]  # path -> new text, None for a deleted file


def apply_patch(patch: str, read: Callable[[str], str | None]) -> Files:
    """The files ``patch`` changes, as they are after it; ``read(path)`` gives a file's text (None: absent)."""
    lines = patch.splitlines()
    result: Files = {}
    i = 0
    while i < len(lines):
        if not lines[i].startswith("--- "):
            i += 1  # "diff ...", "index ...", "Only in ..." and other chatter between files
            continue
        if i + 1 >= len(lines) or not lines[i + 1].startswith("+++ "):
            raise PatchError(f"line {i + 1}: a '--- ' line must be followed by a '+++ ' line")
        old_path, new_path = _path(lines[i][4:]), _path(lines[i + 1][4:])
        path = new_path or old_path
        if path is None:
            raise PatchError(f"line {i + 1}: both sides are /dev/null")
        if path in result:
            raise PatchError(f"{path}: changed twice in one patch")
        current = read(path)
        if old_path is None and current is not None:
            raise PatchError(f"{path}: the patch creates a file the solution already has")
        if old_path is not None and current is None:
            raise PatchError(f"{path}: the patch changes a file the solution does not have")
        i, new = _apply_file(lines, i + 2, path, current or "")
        result[path] = None if new_path is None else new
    if not result:
        raise PatchError("the patch changes no file")
    return result


def materialise(base: Path, patch_file: Path, into: Path) -> Path:
    """Copy the solution ``base`` to ``into`` and apply ``patch_file`` there; return ``into``."""
    changed = apply_patch(patch_file.read_text(encoding="utf-8"), lambda p: read_file(base / p))
    shutil.copytree(base, into, ignore=shutil.ignore_patterns(*_SKIP))
    for path, text in changed.items():
        target = into / path
        if text is None:
            target.unlink()
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
    return into


@contextmanager
def project_folder(project: Path) -> Iterator[Path]:
    """The folder to grade for ``project``: itself, or for a patched variant (its broken.toml or
    accepted.toml names a ``base``), that solution with the patch applied, in a temporary folder."""
    base = _base_of(project)
    if base is None:
        yield project
        return
    solution = project.parent.parent / "solutions" / base
    if not solution.is_dir():
        raise PatchError(f"{project.name}: its manifest names the solution {base!r}, which does not exist")
    with tempfile.TemporaryDirectory(prefix="stagecraft-variant-") as scratch:
        patch = project / (ACCEPTED_PATCH_FILE if (project / "accepted.toml").is_file() else PATCH_FILE)
        yield materialise(solution, patch, Path(scratch) / project.name)


def _base_of(project: Path) -> str | None:
    for name, model in (("broken.toml", BrokenManifest), ("accepted.toml", AcceptedManifest)):
        manifest = project / name
        if not manifest.is_file():
            continue
        try:
            return msgspec.convert(tomllib.loads(manifest.read_text(encoding="utf-8")), model).base
        except (tomllib.TOMLDecodeError, UnicodeDecodeError, msgspec.ValidationError) as exc:
            raise PatchError(f"{manifest}: {exc}") from None
    return None


def diff_trees(base: Path, variant: Path, *, exclude: frozenset[str] = frozenset()) -> str:
    """A unified diff from the project ``base`` to the project ``variant`` (text files only).

    Top-level names in ``exclude`` (e.g. broken.toml) are left out on both sides.
    """
    names = sorted({_relative(p, base) for p in _files(base)} | {_relative(p, variant) for p in _files(variant)})
    names = [name for name in names if name.split("/", 1)[0] not in exclude]
    chunks = []
    for name in names:
        old, new = read_file(base / name), read_file(variant / name)
        if old == new:
            continue
        chunks.append(_diff_file(name, old, new))
    return "".join(chunks)


def _apply_file(lines: list[str], i: int, path: str, old_text: str) -> tuple[int, str]:
    old = old_text.splitlines(keepends=True)
    new: list[str] = []
    at = 0  # next unread line of old
    if i >= len(lines) or not _HUNK.match(lines[i]):
        raise PatchError(f"{path}: no hunk after the file header (line {i + 1})")
    while i < len(lines) and (match := _HUNK.match(lines[i])):
        stated = int(match[1]) - (0 if match[2] == "0" else 1)
        counts = (1 if match[2] is None else int(match[2]), 1 if match[4] is None else int(match[4]))
        i, hunk = _read_hunk(lines, i + 1, path, counts)
        before = [text for kind, text in hunk if kind in " -"]
        start = _locate(old, before, stated, at)
        if start is None:
            raise PatchError(_misfit(path, old, before, max(stated, at)))
        new.extend(old[at:start])
        new.extend(text for kind, text in hunk if kind in " +")
        at = start + len(before)
    new.extend(old[at:])
    return i, "".join(new)


def _read_hunk(lines: list[str], i: int, path: str, counts: tuple[int, int]) -> tuple[int, list[tuple[str, str]]]:
    """The hunk's lines as (kind, text with its newline) from patch line ``i``; the next line's index."""
    hunk: list[tuple[str, str]] = []
    seen_old = seen_new = 0
    while i < len(lines) and (seen_old < counts[0] or seen_new < counts[1]):
        line = lines[i]
        kind, text = (line[:1], line[1:]) if line else (" ", "")
        if kind not in " -+":
            raise PatchError(f"{path}: line {i + 1} of the patch is not part of a hunk: {line[:60]!r}")
        text += "\n"
        if i + 1 < len(lines) and lines[i + 1] == _NO_NEWLINE:
            text = text[:-1]
            i += 1
        seen_old += kind in " -"
        seen_new += kind in " +"
        hunk.append((kind, text))
        i += 1
    if (seen_old, seen_new) != counts:
        raise PatchError(f"{path}: a hunk ends early (line {i} of the patch)")
    return i, hunk


def _locate(old: list[str], before: list[str], stated: int, floor: int) -> int | None:
    """Where ``before`` stands in ``old``: at the stated line, else the nearest place after ``floor``.

    Like `git apply`, lines may have moved (the solution changed elsewhere) but not changed.
    """
    last = len(old) - len(before)
    for offset in range(0, len(old) + 1):
        for start in (stated - offset, stated + offset) if offset else (stated,):
            if floor <= start <= last and old[start : start + len(before)] == before:
                return start
    return None


def _misfit(path: str, old: list[str], before: list[str], start: int) -> str:
    for n, wanted in enumerate(before):
        at = start + n
        found = old[at].rstrip("\n") if at < len(old) else "the end of the file"
        if at >= len(old) or old[at] != wanted:
            return (
                f"{path}: line {at + 1} should read {wanted.rstrip(chr(10))!r} but reads {found!r}, "
                "and those lines are nowhere else in the file; the patch no longer fits its solution"
            )
    return f"{path}: a hunk does not fit at line {start + 1}"


def _path(header: str) -> str | None:
    name = header.split("\t", 1)[0].strip()
    if name == "/dev/null":
        return None
    if name.startswith(("a/", "b/")):
        name = name[2:]
    pure = PurePosixPath(name)
    if not name or pure.is_absolute() or ".." in pure.parts or "\\" in name:
        raise PatchError(f"{name!r}: patch paths are relative to the solution and stay inside it")
    return pure.as_posix()


def _diff_file(name: str, old: str | None, new: str | None) -> str:
    old_lines = (old or "").splitlines(keepends=True)
    new_lines = (new or "").splitlines(keepends=True)
    header = [
        f"--- {'/dev/null' if old is None else 'a/' + name}\n",
        f"+++ {'/dev/null' if new is None else 'b/' + name}\n",
    ]
    body = []
    for line in list(difflib.unified_diff(old_lines, new_lines, n=3))[2:]:
        body.append(line if line.endswith("\n") else line + "\n" + _NO_NEWLINE + "\n")
    return "".join(header + body)


def _files(root: Path) -> list[Path]:
    if not root.is_dir():
        return []
    return [p for p in root.rglob("*") if p.is_file() and not _SKIP & set(p.relative_to(root).parts)]


def _relative(path: Path, root: Path) -> str:
    return path.relative_to(root).as_posix()


def read_file(path: Path) -> str | None:
    """A project file's text, None if it does not exist; PatchError if it is not UTF-8 text."""
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except UnicodeDecodeError:
        raise PatchError(f"{path.name}: not UTF-8 text; patches change text files only") from None
