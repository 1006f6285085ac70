"""Curriculum manifests (contract v1), validated with msgspec."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Annotated, Literal

import msgspec

from stagecraft.sandbox import Limits

Slug = Annotated[str, msgspec.Meta(pattern=r"^[a-z0-9][a-z0-9-]{0,62}$")]
Title = Annotated[str, msgspec.Meta(min_length=1, max_length=120)]
Summary = Annotated[str, msgspec.Meta(min_length=1, max_length=400)]
Runtime = Literal["python", "node"]
# The service sidecars a job may have: declared by an exercise, or by a learner's stagecraft.toml.
Service = Literal["redis", "postgres"]
# Names an exercise may set in the app's environment; the sandbox's own names are refused on load.
EnvName = Annotated[str, msgspec.Meta(pattern=r"^[A-Z][A-Z0-9_]{0,63}$")]
EnvValue = Annotated[str, msgspec.Meta(max_length=200)]
RESERVED_ENV = frozenset({"PORT", "HOST", "HOME", "DATA_DIR", "PATH", "LANG", "HOSTNAME", "TERM"})
RANDOM_TOKEN = "{random}"


class LimitsManifest(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Per-exercise limits: each may only tighten the platform default (checked on load)."""

    wall_seconds: Annotated[float, msgspec.Meta(gt=0)] | None = None
    memory_mb: Annotated[int, msgspec.Meta(gt=0)] | None = None
    cpus: Annotated[float, msgspec.Meta(gt=0)] | None = None
    pids: Annotated[int, msgspec.Meta(gt=0)] | None = None


class BudgetManifest(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """An exercise's own submission budget, instead of the platform's (STAGECRAFT_BUDGET_*)."""

    attempts: Annotated[int, msgspec.Meta(ge=1, le=10_000)] | None = None
    refill_minutes: Annotated[float, msgspec.Meta(ge=0, le=10_080)] | None = None


class StageManifest(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    title: Title
    summary: Summary


class ExerciseManifest(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    title: Title
    summary: Summary
    difficulty: Literal["beginner", "intermediate", "advanced"]
    points: Annotated[int, msgspec.Meta(ge=0, le=1000)]
    runtimes: Annotated[list[Runtime], msgspec.Meta(min_length=1)]
    grader: Slug
    review: bool = False
    # The public spec the exercise follows (e.g. a roadmap.sh project page). Such an exercise ships
    # at least MIN_ACCEPTED accepted variants: correct solutions that make the spec's open choices
    # differently from the reference ones, which the grader must pass.
    public_spec: Annotated[str, msgspec.Meta(pattern=r"^https://\S+$", max_length=300)] | None = None
    services: list[Service] = []  # sidecars joined to the job's network namespace
    # Extra environment for the app (the grader sees the same values): "{random}" in a value
    # becomes a fresh token per job, so an app must read it rather than hard-code it.
    app_env: dict[EnvName, EnvValue] = {}
    limits: LimitsManifest = msgspec.field(default_factory=LimitsManifest)
    budget: BudgetManifest = msgspec.field(default_factory=BudgetManifest)


class BrokenManifest(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    fails: Annotated[list[str], msgspec.Meta(min_length=1)]
    reason: Summary
    # The solution folder this variant breaks; the variant then holds broken.patch, not a project.
    base: Slug | None = None


class AcceptedManifest(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """`accepted.toml`: a correct solution written another way, which the grader must pass."""

    # The open choices of the spec this variant makes differently (another framework, error bodies
    # keyed "message", 422 for validation, records wrapped in {"data": ...}, a port in the manifest).
    choices: Summary
    # Craft tests (the brief's extra practice) it leaves out on purpose; it must still pass.
    craft_fails: list[str] = []
    # The solution folder it changes; the variant then holds accepted.toml and a patch.
    base: Slug | None = None


MIN_ACCEPTED = 3  # accepted variants an exercise built on a public spec ships at least


class SubmissionManifest(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """`stagecraft.toml` at the root of a learner's project."""

    runtime: Runtime
    start: Annotated[str, msgspec.Meta(min_length=1, max_length=500)]
    # The port the app listens on when it does not read $PORT (e.g. Flask's 5000 hard-coded).
    port: Annotated[int, msgspec.Meta(ge=1, le=65535)] | None = None
    # Sidecars the project needs beyond the exercise's own (DATABASE_URL, REDIS_URL are set).
    services: list[Service] = []


class Exercise(msgspec.Struct, kw_only=True):
    slug: str
    stage: int
    manifest: ExerciseManifest
    brief: str  # Markdown
    path: Path
    suite_dir: Path
    # The runtimes whose starter folder it ships, found when the curriculum is loaded (like the
    # brief): the exercise page lists them on every visit.
    starter_runtimes: tuple[str, ...] = ()

    @property
    def title(self) -> str:
        return self.manifest.title

    @property
    def brief_body(self) -> str:
        """The brief without its leading `# Title` line: the page shows the title itself."""
        first, _, rest = self.brief.lstrip().partition("\n")
        return rest if first.startswith("# ") else self.brief

    def limits(self) -> Limits:
        """The platform defaults, tightened by the exercise's own limits."""
        own = {k: v for k, v in msgspec.structs.asdict(self.manifest.limits).items() if v is not None}
        return msgspec.structs.replace(Limits(), **own)

    def app_env(self, seed: int) -> dict[str, str]:
        """The app's extra environment for one job: each "{random}" becomes a token drawn from the seed."""
        rng = random.Random(f"app_env:{seed}")
        resolved = {}
        for name, value in sorted(self.manifest.app_env.items()):
            while RANDOM_TOKEN in value:
                value = value.replace(RANDOM_TOKEN, f"{rng.getrandbits(48):012x}", 1)
            resolved[name] = value
        return resolved

    def starter(self, runtime: str) -> Path | None:
        """The starter folder for a runtime the exercise accepts, if it ships one."""
        return self.path / "starter" / runtime if runtime in self.starter_runtimes else None

    def starters(self) -> list[str]:
        return list(self.starter_runtimes)

    def solutions(self) -> list[Path]:
        return sorted(p for p in (self.path / "solutions").glob("*") if p.is_dir())

    def broken_variants(self) -> list[Path]:
        return sorted(p for p in (self.path / "broken").glob("*") if p.is_dir())

    def accepted_variants(self) -> list[Path]:
        return sorted(p for p in (self.path / "accepted").glob("*") if p.is_dir())


class Stage(msgspec.Struct, kw_only=True):
    number: int
    slug: str
    manifest: StageManifest
    lesson: str  # Markdown
    exercises: list[Exercise]

    @property
    def title(self) -> str:
        return self.manifest.title


class Curriculum(msgspec.Struct, kw_only=True):
    stages: list[Stage]

    def stage(self, number: int) -> Stage | None:
        return next((s for s in self.stages if s.number == number), None)

    def exercise(self, slug: str) -> Exercise | None:
        return next((e for s in self.stages for e in s.exercises if e.slug == slug), None)

    def exercises(self) -> list[Exercise]:
        return [e for s in self.stages for e in s.exercises]
