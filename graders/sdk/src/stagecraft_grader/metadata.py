"""Decorators that give a test its title, points, hint, deadline and tier, and the reading side for the plugin."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

F = TypeVar("F", bound=Callable[..., Any])
Tier = Literal["spec", "craft"]

_ATTRIBUTE = "__stagecraft_meta__"


@dataclass(frozen=True)
class TestMeta:
    __test__ = False  # not a pytest test class, despite the name

    title: str = ""
    points: float = 1.0
    hint: str = ""
    deadline: float | None = None
    tier: Tier = "spec"
    rule: str = ""  # spec: the requirement quoted from the spec; craft: why the practice matters


def title(text: str) -> Callable[[F], F]:
    """The test's title as learners see it, e.g. "GET / answers 200 with a greeting"."""
    if not isinstance(text, str) or not text.strip():
        raise TypeError("@title needs a non-empty string")
    return _set(title=text.strip())


def points(value: float) -> Callable[[F], F]:
    """How many points the test is worth (default 1)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError("@points needs a number")
    if not math.isfinite(value) or value <= 0:
        raise ValueError("@points needs a positive, finite number")
    return _set(points=float(value))


def hint(text: str) -> Callable[[F], F]:
    """What to try when the test fails; shown to the learner next to the failure message."""
    if not isinstance(text, str) or not text.strip():
        raise TypeError("@hint needs a non-empty string")
    return _set(hint=text.strip())


def deadline(seconds: float) -> Callable[[F], F]:
    """Fail the test with "this test took longer than N s" once its body has run that long."""
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)):
        raise TypeError("@deadline needs a number of seconds")
    if not math.isfinite(seconds) or seconds <= 0:
        raise ValueError("@deadline needs a positive, finite number of seconds")
    return _set(deadline=float(seconds))


def spec(requirement: str | None = None) -> Callable[[F], F]:
    """Mark a test as required by the spec (the default), optionally quoting the requirement it checks."""
    if callable(requirement):
        raise TypeError('write @spec() or @spec("the requirement, quoted"), with parentheses')
    if requirement is not None and (not isinstance(requirement, str) or not requirement.strip()):
        raise TypeError("@spec needs a non-empty string quoting the requirement, or nothing")
    return _set_tier("spec", (requirement or "").strip())


def craft(why: str) -> Callable[[F], F]:
    """Mark a test as the brief's extra practice: scored and shown apart, never failing the exercise."""
    if not isinstance(why, str) or not why.strip():
        raise TypeError("@craft needs a non-empty string saying why the practice matters")
    return _set_tier("craft", why.strip())


def read_meta(function: Callable[..., Any]) -> TestMeta:
    return TestMeta(**getattr(function, _ATTRIBUTE, {}))


def _set_tier(tier: Tier, rule: str) -> Callable[[F], F]:
    set_fields = _set(tier=tier, rule=rule)

    def decorate(function: F) -> F:
        if "tier" in getattr(function, _ATTRIBUTE, {}):
            raise TypeError(f"@{tier}: a test has one tier; {function.__name__} is already marked")
        return set_fields(function)

    return decorate


def _set(**fields: Any) -> Callable[[F], F]:
    def decorate(function: F) -> F:
        meta = dict(getattr(function, _ATTRIBUTE, {}))
        meta.update(fields)
        setattr(function, _ATTRIBUTE, meta)
        return function

    return decorate
