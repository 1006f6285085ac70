"""What a learner's pages reckon from their attempts and reviews (progress, the dashboard, an
exercise's attempts), kept per process until the database says it changed.

`users.progress_version` is moved on by the database itself (triggers) on every change that shows,
whichever process or write path makes it, and every signed-in page reads the user row anyway: a
page whose learner's version and curriculum are unchanged reuses what it reckoned last time,
without reading their attempts again. What is kept is shared by requests: read it, never change it.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from typing import Any, TypeVar

from stagecraft.accounts.tables import User
from stagecraft.curriculum.models import Curriculum

T = TypeVar("T")


class LearnerViews:
    """The latest value per (learner, what) for the newest version this process has seen."""

    def __init__(self, size: int = 2048) -> None:
        self.size = size
        self._kept: OrderedDict[tuple[int, Hashable], tuple[int, Curriculum, Any]] = OrderedDict()
        self._visitors: dict[Hashable, tuple[Curriculum, Any]] = {}

    def for_visitors(self, what: Hashable, curriculum: Curriculum, reckon: Callable[[], T]) -> T:
        """What every visitor's page shows alike: reckoned once per curriculum."""
        kept = self._visitors.get(what)
        if kept is None or kept[0] is not curriculum:
            kept = self._visitors[what] = (curriculum, reckon())
        return kept[1]

    async def get(self, user: User, what: Hashable, curriculum: Curriculum, reckon: Callable[[], Awaitable[T]]) -> T:
        key = (user.id, what)
        kept = self._kept.get(key)
        if kept is not None and kept[0] == user.progress_version and kept[1] is curriculum:
            self._kept.move_to_end(key)
            return kept[2]
        # Read after the version was: a change meanwhile is in the value already, and the next
        # request, seeing the newer version, reckons again.
        value = await reckon()
        self._kept[key] = (user.progress_version, curriculum, value)
        self._kept.move_to_end(key)
        while len(self._kept) > self.size:
            self._kept.popitem(last=False)
        return value
