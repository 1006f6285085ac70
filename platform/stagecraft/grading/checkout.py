"""Which checkout a process runs, so that a worker never grades with other graders than the web's.

The fingerprint covers what decides a verdict: the platform's code, the curriculum, the grader
suites and SDK, and the sandbox images' tags (content hashes of their recipes). The web records
its own at start-up; `stagecraft worker` compares and refuses to start when they differ.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path

from stagecraft.sandbox.images import IMAGES, image_tag
from stagecraft.settings import Settings
from stagecraft.storage.tables import DeploymentFact

FACT = "checkout"
_SKIP = {"__pycache__", "node_modules", ".venv", "build", "dist", ".pytest_cache", ".ruff_cache"}


def _files(root: Path) -> list[Path]:
    return sorted(
        p
        for p in root.rglob("*")
        if p.is_file() and not p.is_symlink() and p.suffix != ".pyc" and not _SKIP & set(p.relative_to(root).parts)
    )


def fingerprint(settings: Settings) -> str:
    """A short hash of everything that decides a verdict, as this process sees it."""
    sha = hashlib.sha256()
    package = Path(__file__).resolve().parents[1]
    for label, root in (
        ("platform", package),
        ("curriculum", settings.curriculum_dir),
        ("graders", settings.graders_dir),
    ):
        for path in _files(root):
            sha.update(f"{label}/{path.relative_to(root).as_posix()}\0".encode())
            sha.update(path.read_bytes() + b"\0")
    for name in IMAGES:
        sha.update(image_tag(name, settings.repo_root).encode() + b"\0")
    return sha.hexdigest()[:16]


async def record(settings: Settings) -> str:
    """The web's start-up: this checkout is the one workers must match."""
    value = fingerprint(settings)
    now = datetime.now(UTC)
    updated = (
        await DeploymentFact.update({DeploymentFact.value: value, DeploymentFact.updated_at: now})
        .where(DeploymentFact.name == FACT)
        .returning(DeploymentFact.id)
    )
    if not updated:
        try:
            await DeploymentFact.insert(DeploymentFact(name=FACT, value=value, updated_at=now))
        except Exception:  # noqa: BLE001 - web processes starting together: another inserted it first
            await DeploymentFact.update({DeploymentFact.value: value, DeploymentFact.updated_at: now}).where(
                DeploymentFact.name == FACT
            )
    return value


async def mismatch(settings: Settings) -> str | None:
    """Why this worker must not grade for this deployment, or None when its checkout is the web's."""
    row = (
        await DeploymentFact.select(DeploymentFact.value, DeploymentFact.updated_at)
        .where(DeploymentFact.name == FACT)
        .first()
    )
    if row is None:
        return "no web process has started on this database yet: start `stagecraft serve` first"
    mine = fingerprint(settings)
    if row["value"] != mine:
        return (
            f"this worker's checkout ({mine}) differs from the web's ({row['value']}, recorded "
            f"{row['updated_at']:%Y-%m-%d %H:%M} UTC): its platform code, curriculum, graders or sandbox images "
            "are not the same; deploy the web's commit here (or restart the web on this one)"
        )
    return None
