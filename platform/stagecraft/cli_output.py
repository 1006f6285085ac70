"""How the command line prints a grading: each test as it ends, craft tests apart, the verdict last.

Shared by `stagecraft grade` (local) and `stagecraft submit` (against a platform), so both read alike.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from stagecraft.grading.events import GraderEvent, TestEnd
    from stagecraft.grading.pipeline import GradeOutcome

EXIT_PASSED, EXIT_FAILED, EXIT_CANNOT_GRADE = 0, 1, 2


EXTRA_PRACTICE = "Extra practice (not needed to pass)"


def print_test(test: TestEnd) -> None:
    mark = {"passed": "PASS", "failed": "FAIL", "error": "ERR ", "skipped": "SKIP"}[test.status]
    click.echo(f"{mark} {test.id}: {test.title}  ({test.score:g}/{test.max_score:g})")
    if test.status != "passed":
        rule = ""
        if test.status == "failed" and test.tier == "craft":
            rule = "extra practice from the brief, not required to pass" + (f": {test.rule}" if test.rule else "")
        elif test.status == "failed" and test.rule:
            rule = f"the spec says: {test.rule}"
        for text in (
            test.message,
            rule,
            test.expected and f"expected: {test.expected}",
            test.hint and f"hint: {test.hint}",
        ):
            if text:
                click.echo(f"     {text}")
        for exchange in test.transcript[-1:]:
            if exchange.curl:
                click.echo(f"     reproduce: {exchange.curl}")


class TestPrinter:
    """Prints spec tests as they end and keeps craft tests for their own section after them."""

    def __init__(self) -> None:
        self.craft: list[TestEnd] = []

    def __call__(self, event: GraderEvent) -> None:
        from stagecraft.grading.events import TestEnd

        if not isinstance(event, TestEnd):
            return
        if event.tier == "craft":
            self.craft.append(event)
        else:
            print_test(event)

    def finish(self) -> None:
        if not self.craft:
            return
        score, max_score = sum(t.score for t in self.craft), sum(t.max_score for t in self.craft)
        click.echo(f"\n---- {EXTRA_PRACTICE}: {score:g}/{max_score:g}")
        for test in self.craft:
            print_test(test)


def verdict_line(outcome: GradeOutcome) -> str:
    """The last line of `stagecraft grade`: "PASSED (polished): Every test passed.  score 10/10"."""
    verdict = outcome.verdict.upper() + (" (polished)" if outcome.polished else "")
    return f"\n{verdict}: {outcome.message}  score {outcome.score:g}/{outcome.max_score:g}"
