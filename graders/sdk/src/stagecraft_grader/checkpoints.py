"""Checkpoints: partial credit inside one test, for the steps it got through before a check failed."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from types import TracebackType

from .checks import GraderError


@dataclass
class Progress:
    """The checkpoints of the running test."""

    max_score: float
    reached: list[tuple[str, float]] = field(default_factory=list)
    failed_at: str = ""  # the innermost checkpoint whose block raised
    never_entered: list[str] = field(default_factory=list)

    @property
    def points(self) -> float:
        return sum(points for _, points in self.reached)


_current: Progress | None = None


def begin_test(max_score: float) -> Progress:
    global _current
    _current = Progress(max_score)
    return _current


def end_test() -> None:
    global _current
    _current = None


class Checkpoint:
    """A block of a test worth `points`: banked when the block finishes without failing."""

    def __init__(self, progress: Progress, name: str, points: float) -> None:
        self._progress = progress
        self.name = name
        self.points = points
        progress.never_entered.append(name)

    def __enter__(self) -> Checkpoint:
        self._progress.never_entered.remove(self.name)
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        progress = self._progress
        if exc_type is not None:
            progress.failed_at = progress.failed_at or self.name
            return
        progress.reached.append((self.name, self.points))
        if progress.points > progress.max_score + 1e-9:
            raise GraderError(
                f"the checkpoints of this test add up to {progress.points:g} points, "
                f"more than its @points({progress.max_score:g})"
            )


def checkpoint(name: str, points: float = 1.0) -> Checkpoint:
    """Use as `with checkpoint("created the item", points=1):` inside a test."""
    if not isinstance(name, str) or not name.strip():
        raise TypeError("checkpoint() needs a non-empty name")
    if isinstance(points, bool) or not isinstance(points, (int, float)):
        raise TypeError("checkpoint() needs a number of points")
    if not math.isfinite(points) or points < 0:
        raise ValueError("checkpoint() needs zero or more points")
    if _current is None:
        raise GraderError("checkpoint() can only be used inside a running grader test")
    return Checkpoint(_current, name.strip(), float(points))
