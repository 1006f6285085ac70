"""Python packages PyPI has as source only: fetched as bytes on the host, built in the python-build container.

pip cannot download a source distribution without running its build backend (to learn its
metadata), so the host asks the index itself (the PEP 691 JSON simple API) for the file, checks
its hash, and reads its ``pyproject.toml`` out of the archive (read, never run) for its build
requirements. ``pip wheel --no-index --no-deps`` then builds it in the python-build container:
no network, uid 10001, read-only root. The wheel it makes joins the project's wheels, and pip on
the host resolves the rest around it.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import tarfile
import tempfile
import tomllib
import urllib.error
import urllib.request
import zipfile
from collections.abc import Callable
from pathlib import Path

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from stagecraft.sandbox import SandboxError
from stagecraft.sandbox.deps_build import DependencyFailure, build
from stagecraft.sandbox.images import image_tag

Log = Callable[[str], None]

PYPI_SIMPLE = "https://pypi.org/simple"
_MAX_SDIST_BYTES = 50 * 1024 * 1024
_SDIST = re.compile(r"^(?P<name>.+?)-(?P<version>\d[^-]*?)(?:\.tar\.gz|\.zip)$")


def build_from_source(
    requirement: str,
    python: str,
    built: Path,
    scratch: Path,
    settings,
    client,
    download_wheels: Callable[[list[str], Path], None],
    log: Log,
) -> Path:
    """Build ``requirement``'s source distribution into a wheel in ``built``; the wheel's path."""
    try:
        wanted = Requirement(requirement)
    except InvalidRequirement:
        raise DependencyFailure(f"{requirement} is not a requirement pip can read") from None
    filename, url, sha256 = _find_sdist(wanted, python, settings.pip_index_url or PYPI_SIMPLE)
    data = _fetch(url)
    if sha256 and hashlib.sha256(data).hexdigest() != sha256:
        raise SandboxError(f"{filename}: the index's file does not match its own sha256")
    scratch = Path(tempfile.mkdtemp(prefix=".build-", dir=scratch))  # its own, for a unique build container
    build_wheels = scratch / "build-wheels"
    download_wheels(_build_requires(data, filename), build_wheels)
    log(f"building {filename} from source")
    tree = build(
        client,
        image_tag("python-build"),
        {f"sdist/{filename}": data, "wheels": build_wheels},
        ["python", "-m", "pip", "wheel", "--no-index", "--find-links", "/build/wheels", "--no-deps",
         "--no-cache-dir", "--disable-pip-version-check", "--progress-bar", "off",
         "--wheel-dir", "/build/built", f"/build/sdist/{filename}"],
        "/build/built",
        scratch,
        settings,
        f"building {wanted.name} from source",
    )  # fmt: skip
    wheels = sorted(tree.glob("*.whl"))
    if len(wheels) != 1:
        raise DependencyFailure(f"building {wanted.name} from source made {len(wheels)} wheels instead of one")
    built.mkdir(parents=True, exist_ok=True)
    return wheels[0].rename(built / wheels[0].name)


def _find_sdist(wanted: Requirement, python: str, index: str) -> tuple[str, str, str]:
    """(file name, URL, sha256) of the newest source distribution that ``wanted`` allows."""
    page = f"{index.rstrip('/')}/{canonicalize_name(wanted.name)}/"
    request = urllib.request.Request(page, headers={"Accept": "application/vnd.pypi.simple.v1+json"})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            listing = json.loads(response.read(20 * 1024 * 1024))
    except urllib.error.HTTPError as exc:
        if exc.code == 404:
            raise DependencyFailure(
                f"{wanted.name} is not on PyPI. Check its spelling in your dependency file."
            ) from None
        raise SandboxError(f"the package index answered {exc.code} for {page}") from exc
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise SandboxError(f"the package index could not be reached: {exc}") from exc
    candidates = []
    for entry in listing.get("files", []):
        match = _SDIST.match(str(entry.get("filename", "")))
        if match is None or entry.get("yanked"):
            continue
        try:
            version = Version(match.group("version"))
        except InvalidVersion:
            continue
        if version in wanted.specifier and _python_allows(entry.get("requires-python"), python):
            candidates.append((version, entry))
    if not candidates:
        raise DependencyFailure(
            f"{wanted} cannot be installed: PyPI has neither a wheel for Python {python} nor a source "
            "distribution of a matching version. Pick a version that has one."
        )
    _, entry = max(candidates, key=lambda item: item[0])
    return str(entry["filename"]), str(entry["url"]), str((entry.get("hashes") or {}).get("sha256", ""))


def _python_allows(requires: object, python: str) -> bool:
    from packaging.specifiers import InvalidSpecifier, SpecifierSet

    if not isinstance(requires, str) or not requires:
        return True
    try:
        return SpecifierSet(requires).contains(f"{python}.0", prereleases=True)
    except InvalidSpecifier:
        return True


def _fetch(url: str) -> bytes:
    try:
        with urllib.request.urlopen(url, timeout=120) as response:
            data = response.read(_MAX_SDIST_BYTES + 1)
    except (urllib.error.URLError, OSError) as exc:
        raise SandboxError(f"could not download {url}: {exc}") from exc
    if len(data) > _MAX_SDIST_BYTES:
        raise DependencyFailure(f"{url.rsplit('/', 1)[-1]} is larger than {_MAX_SDIST_BYTES // 1024**2} MiB")
    return data


def _build_requires(data: bytes, filename: str) -> list[str]:
    """[build-system].requires of the archive's pyproject.toml, read without unpacking anything else."""
    text = _member_text(data, filename, "pyproject.toml")
    if text is None:
        return ["setuptools>=40.8.0", "wheel"]  # what pip assumes without a pyproject.toml
    try:
        requires = (tomllib.loads(text).get("build-system") or {}).get("requires")
    except tomllib.TOMLDecodeError:
        return ["setuptools>=40.8.0", "wheel"]
    if not isinstance(requires, list):
        return ["setuptools>=40.8.0", "wheel"]
    return [item for item in requires if isinstance(item, str)]


def _member_text(data: bytes, filename: str, name: str) -> str | None:
    """The top folder's ``name`` in a .tar.gz or .zip, at most 1 MiB; None if it has none."""
    try:
        if filename.endswith(".zip"):
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                for info in archive.infolist():
                    if info.filename.count("/") == 1 and info.filename.endswith("/" + name) and info.file_size < 2**20:
                        return archive.read(info).decode("utf-8", "replace")
            return None
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as archive:
            for info in archive:
                if info.isfile() and info.name.count("/") == 1 and info.name.endswith("/" + name) and info.size < 2**20:
                    handle = archive.extractfile(info)
                    return handle.read().decode("utf-8", "replace") if handle else None
    except (tarfile.TarError, zipfile.BadZipFile, OSError, EOFError):
        raise DependencyFailure(f"{filename} from the index is not a readable archive") from None
    return None
