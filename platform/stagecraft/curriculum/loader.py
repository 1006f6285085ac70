"""Load the curriculum folder, and report every problem with the file and field it is in."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import TypeVar

import msgspec

from stagecraft.curriculum.models import (
    MIN_ACCEPTED,
    RESERVED_ENV,
    AcceptedManifest,
    BrokenManifest,
    Curriculum,
    Exercise,
    ExerciseManifest,
    Stage,
    StageManifest,
    SubmissionManifest,
)
from stagecraft.curriculum.patches import ACCEPTED_PATCH_FILE, PATCH_FILE, PatchError, apply_patch, read_file
from stagecraft.sandbox import Limits

_STAGE_DIR = re.compile(r"^(\d{2})-([a-z0-9][a-z0-9-]*)$")
_EXERCISE_DIR = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
M = TypeVar("M")


class Problem(msgspec.Struct, frozen=True):
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


class CurriculumError(Exception):
    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


def parse_toml(text: str, model: type[M]) -> M:
    """Parse a TOML manifest; errors name the field (msgspec's `$.field` path)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"not valid TOML: {exc}") from None
    try:
        return msgspec.convert(data, model)
    except msgspec.ValidationError as exc:
        raise ValueError(str(exc).replace("`$.", "field `").replace("`$`", "the file")) from None


def read_toml(path: Path, model: type[M]) -> M:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ValueError("file is missing") from None
    except UnicodeDecodeError:
        raise ValueError("file is not UTF-8") from None
    return parse_toml(text, model)


class _Loader:
    def __init__(self, root: Path, graders_dir: Path, platform_limits: Limits):
        self.root = root
        self.graders_dir = graders_dir
        self.platform_limits = platform_limits
        self.problems: list[Problem] = []

    def problem(self, path: Path, message: str) -> None:
        try:
            shown = path.relative_to(self.root.parent)
        except ValueError:
            shown = path
        self.problems.append(Problem(str(shown), message))

    def manifest(self, path: Path, model: type[M]) -> M | None:
        try:
            return read_toml(path, model)
        except ValueError as exc:
            self.problem(path, str(exc))
            return None

    def markdown(self, path: Path) -> str:
        try:
            text = path.read_text(encoding="utf-8")
        except (FileNotFoundError, UnicodeDecodeError) as exc:
            self.problem(path, "file is missing" if isinstance(exc, FileNotFoundError) else "not UTF-8")
            return ""
        if not text.strip():
            self.problem(path, "file is empty")
        return text

    def load(self) -> Curriculum:
        stages_dir = self.root / "stages"
        if not stages_dir.is_dir():
            self.problem(stages_dir, "folder is missing")
            return Curriculum(stages=[])
        stages = [self.stage(d) for d in sorted(stages_dir.iterdir()) if d.is_dir()]
        curriculum = Curriculum(stages=[s for s in stages if s is not None])
        self.check_unique(curriculum)
        return curriculum

    def check_unique(self, curriculum: Curriculum) -> None:
        seen_numbers: set[int] = set()
        seen_slugs: dict[str, Path] = {}
        for stage in curriculum.stages:
            if stage.number in seen_numbers:
                self.problem(self.root / "stages", f"two stages are numbered {stage.number}")
            seen_numbers.add(stage.number)
            for exercise in stage.exercises:
                if exercise.slug in seen_slugs:
                    self.problem(exercise.path, f"exercise slug also used by {seen_slugs[exercise.slug]}")
                seen_slugs[exercise.slug] = exercise.path

    def stage(self, folder: Path) -> Stage | None:
        match = _STAGE_DIR.match(folder.name)
        if not match:
            self.problem(folder, "stage folders are named NN-slug, e.g. 01-fundamentals")
            return None
        manifest = self.manifest(folder / "stage.toml", StageManifest)
        lesson = self.markdown(folder / "README.md")
        exercises_dir = folder / "exercises"
        exercises = []
        if exercises_dir.is_dir():
            for sub in sorted(exercises_dir.iterdir()):
                if sub.is_dir():
                    exercise = self.exercise(sub, int(match[1]))
                    if exercise is not None:
                        exercises.append(exercise)
        if manifest is None:
            return None
        exercises.sort(key=_listing_order)
        return Stage(number=int(match[1]), slug=match[2], manifest=manifest, lesson=lesson, exercises=exercises)

    def exercise(self, folder: Path, stage: int) -> Exercise | None:
        if not _EXERCISE_DIR.match(folder.name):
            self.problem(folder, "exercise folders are named with lower-case letters, digits and dashes")
            return None
        manifest = self.manifest(folder / "exercise.toml", ExerciseManifest)
        brief = self.markdown(folder / "README.md")
        if manifest is None:
            return None
        suite_dir = self.graders_dir / "suites" / manifest.grader
        if not suite_dir.is_dir():
            self.problem(folder / "exercise.toml", f"field `grader`: no suite folder {suite_dir}")
        self.check_limits(folder / "exercise.toml", manifest)
        self.check_app_env(folder / "exercise.toml", manifest)
        exercise = Exercise(
            slug=folder.name,
            stage=stage,
            manifest=manifest,
            brief=brief,
            path=folder,
            suite_dir=suite_dir,
            starter_runtimes=tuple(r for r in manifest.runtimes if (folder / "starter" / r).is_dir()),
        )
        self.check_projects(exercise)
        return exercise

    def check_limits(self, path: Path, manifest: ExerciseManifest) -> None:
        for field in msgspec.structs.fields(manifest.limits):
            value = getattr(manifest.limits, field.name)
            cap = getattr(self.platform_limits, field.name)
            if value is not None and value > cap:
                self.problem(path, f"field `limits.{field.name}`: {value} is above the platform cap {cap}")

    def check_app_env(self, path: Path, manifest: ExerciseManifest) -> None:
        for name in sorted(set(manifest.app_env) & RESERVED_ENV):
            self.problem(path, f"field `app_env.{name}`: the sandbox sets {name} itself; pick another name")
        for name in manifest.app_env:
            if name.startswith("STAGECRAFT_"):
                self.problem(path, f"field `app_env.{name}`: names starting with STAGECRAFT_ are the platform's")

    def check_projects(self, exercise: Exercise) -> None:
        solutions = exercise.solutions()
        if not solutions:
            self.problem(exercise.path / "solutions", "an exercise needs at least one reference solution")
        for project in [*solutions, *(exercise.path / "starter").glob("*")]:
            if project.is_dir():
                self.manifest(project / "stagecraft.toml", SubmissionManifest)
        for variant in exercise.broken_variants():
            broken = self.manifest(variant / "broken.toml", BrokenManifest)
            if broken is not None and broken.base is not None:
                self.check_patch(exercise, variant, broken.base, "broken.toml")
            else:
                self.manifest(variant / "stagecraft.toml", SubmissionManifest)
        accepted = exercise.accepted_variants()
        for variant in accepted:
            manifest = self.manifest(variant / "accepted.toml", AcceptedManifest)
            if manifest is not None and manifest.base is not None:
                self.check_patch(exercise, variant, manifest.base, "accepted.toml")
            else:
                self.manifest(variant / "stagecraft.toml", SubmissionManifest)
        if exercise.manifest.public_spec and len(accepted) < MIN_ACCEPTED:
            self.problem(
                exercise.path / "accepted",
                f"an exercise built on a public spec (`public_spec`) needs at least {MIN_ACCEPTED} accepted "
                f"variants, correct solutions that make the spec's open choices another way; it has {len(accepted)}",
            )

    def check_patch(self, exercise: Exercise, variant: Path, base: str, manifest: str) -> None:
        """A patched variant: its base is a solution, it holds only the patch, and the patch applies."""
        solution = exercise.path / "solutions" / base
        if not solution.is_dir():
            names = ", ".join(p.name for p in exercise.solutions()) or "none"
            self.problem(variant / manifest, f"field `base`: no solution {base!r} (solutions: {names})")
            return
        patch_name = ACCEPTED_PATCH_FILE if manifest == "accepted.toml" else PATCH_FILE
        extra = sorted(p.name for p in variant.iterdir() if p.name not in (manifest, patch_name))
        if extra:
            self.problem(variant, f"a variant with a `base` holds only {manifest} and {patch_name}, not {extra}")
        patch = variant / patch_name
        if not patch.is_file():
            self.problem(patch, "file is missing (the variant names a `base`, so it is a patch to that solution)")
            return
        try:
            apply_patch(patch.read_text(encoding="utf-8"), lambda path: read_file(solution / path))
        except (PatchError, UnicodeDecodeError) as exc:
            self.problem(patch, str(exc))


_DIFFICULTY_ORDER = {"beginner": 0, "intermediate": 1, "advanced": 2}


def _listing_order(exercise: Exercise) -> tuple[bool, int, str]:
    """A stage lists its exercises from the easiest; mentor-reviewed ones (capstones) come last."""
    return exercise.manifest.review, _DIFFICULTY_ORDER[exercise.manifest.difficulty], exercise.slug


def load_curriculum(root: Path, graders_dir: Path, platform_limits: Limits | None = None) -> Curriculum:
    """Load and validate; raise CurriculumError listing every problem found."""
    curriculum, problems = check_curriculum(root, graders_dir, platform_limits)
    if problems:
        raise CurriculumError(problems)
    return curriculum


def check_curriculum(
    root: Path, graders_dir: Path, platform_limits: Limits | None = None
) -> tuple[Curriculum, list[Problem]]:
    loader = _Loader(root, graders_dir, platform_limits or Limits())
    curriculum = loader.load()
    return curriculum, loader.problems
