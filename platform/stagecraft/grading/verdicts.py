"""The verdict taxonomy: who must act on a result, in plain language."""

from __future__ import annotations

from typing import Literal

Verdict = Literal[
    "passed",
    "failed",
    "did_not_start",
    "dependencies_failed",
    "timeout",
    "out_of_memory",
    "crashed",
    "output_limit",
    "infra_error",
]

LABELS: dict[str, str] = {
    "passed": "Passed",
    "failed": "Some tests failed",
    "did_not_start": "Your app did not start",
    "dependencies_failed": "Your dependencies could not be installed",
    "timeout": "Time limit reached",
    "out_of_memory": "Out of memory",
    "crashed": "Your app crashed",
    "output_limit": "Too much output",
    "infra_error": "Platform problem (not your fault)",
}


def counts_as_attempt(verdict: str) -> bool:
    """A platform fault never costs the learner an attempt."""
    return verdict != "infra_error"
