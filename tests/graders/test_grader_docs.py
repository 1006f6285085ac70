"""The grader and author docs keep up with the code: every public SDK name, every grader
setting and every manifest field is documented."""

from __future__ import annotations

import msgspec

import stagecraft_grader
from stagecraft.curriculum.loader import load_curriculum
from stagecraft.curriculum.models import (
    AcceptedManifest,
    BrokenManifest,
    BudgetManifest,
    ExerciseManifest,
    LimitsManifest,
    SubmissionManifest,
)
from tests.graders.helpers import REPO

SDK_DOC = (REPO / "docs" / "graders" / "sdk.md").read_text()
AUTHOR_DOC = (REPO / "docs" / "authors" / "adding-an-exercise.md").read_text()


def test_every_public_sdk_name_is_documented() -> None:
    missing = [
        name for name in stagecraft_grader.__all__ if not any(form in SDK_DOC for form in (f"`{name}", f"`@{name}("))
    ]
    assert missing == []


def test_every_fixture_and_setting_is_documented() -> None:
    names = [
        "app",
        "base_url",
        "seed",
        "rng",
        "app_env",
        "app_control",
        "app_data",
        "APP_HOST",
        "APP_PORT",
        "STAGECRAFT_SEED",
        "STARTUP_TIMEOUT",
        "APP_DATA_DIR",
        "APP_CODE_DIR",
        "CONTROL_TIMEOUT",
        "STAGECRAFT_APP_ENV",
        "STAGECRAFT_SERVICE_PORTS",
    ]
    assert [name for name in names if f"`{name}`" not in SDK_DOC] == []


def test_every_manifest_field_is_documented() -> None:
    models = [ExerciseManifest, LimitsManifest, BudgetManifest, BrokenManifest, AcceptedManifest, SubmissionManifest]
    fields = [f.name for model in models for f in msgspec.structs.fields(model)]
    missing = [
        name for name in fields if not any(form in AUTHOR_DOC for form in (f"{name} = ", f"`{name}`", f"[{name}]"))
    ]
    assert missing == []


def test_the_curriculum_page_lists_every_exercise_with_its_title() -> None:
    page = (REPO / "docs" / "curriculum.md").read_text()
    curriculum = load_curriculum(REPO / "curriculum", REPO / "graders")
    missing = [e.slug for e in curriculum.exercises() if f"**{e.title}** (`{e.slug}`)" not in page]
    assert missing == []
