"""Checks: how a test says what it expected and what it got, in plain language."""

from __future__ import annotations

import json
from typing import Any, NoReturn

import pytest

_MISSING: Any = object()
_SHOWN_VALUE_LIMIT = 300


class CheckFailed(AssertionError):
    """A check did not hold: the learner's app behaved differently from the brief."""

    def __init__(self, message: str, *, expected: str = "", hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.expected = expected
        self.hint = hint


class ExchangeError(Exception):
    """The app did not give a usable answer (refused, reset, timed out, not the protocol spoken)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class GraderError(Exception):
    """The suite or the grading machinery went wrong, not the learner's app: the test is an error."""


def show(value: Any) -> str:
    """Render a value the way a learner reads an API: JSON where possible, long values cut."""
    try:
        text = json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        text = repr(value)
    if len(text) > _SHOWN_VALUE_LIMIT:
        text = text[: _SHOWN_VALUE_LIMIT - 1] + "…"
    return text


def check(
    condition: object,
    message: str,
    *,
    got: Any = _MISSING,
    expected: Any = _MISSING,
    hint: str = "",
) -> None:
    """Fail the test with `message` (plus what was received) unless `condition` is truthy.

    `expected` fills the event's `expected` field; `hint` replaces the test's hint for this failure.
    """
    if condition:
        return
    if got is not _MISSING:
        message = f"{message}, got {show(got)}"
    shown_expected = "" if expected is _MISSING else _show_expected(expected)
    raise CheckFailed(message, expected=shown_expected, hint=hint)


def check_equal(actual: Any, expected: Any, what: str, *, hint: str = "") -> None:
    """Fail unless `actual == expected`, saying "expected <what> to be <expected>, got <actual>"."""
    if actual == expected:
        return
    raise CheckFailed(
        f"expected {what} to be {show(expected)}, got {show(actual)}",
        expected=_show_expected(expected),
        hint=hint,
    )


def fail(message: str, *, expected: Any = _MISSING, hint: str = "") -> NoReturn:
    """Fail the test unconditionally with a plain-language message."""
    shown_expected = "" if expected is _MISSING else _show_expected(expected)
    raise CheckFailed(message, expected=shown_expected, hint=hint)


def not_graded(reason: str) -> NoReturn:
    """End the test as skipped, worth nothing: what it grades cannot be judged until another test passes.

    For a test that depends on another's outcome (tests of shutdown behaviour need the shutdown to
    let requests finish first): one failure for one cause, and `reason` names the test to fix first.
    """
    pytest.skip(reason)


def _show_expected(expected: Any) -> str:
    return expected if isinstance(expected, str) else show(expected)
