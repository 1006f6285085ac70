"""The pytest plugin: names the tests, waits for the app, and emits one event per step."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import Any, Generator

import pytest

from . import limits
from .events import CONTRACT_VERSION, EventStream
from .metadata import read_meta
from .outcome import Phase, judge
from .settings import GraderSettings
from .startup import did_not_start_message, wait_for_port
from .transcript import omitted_exchanges

SETTINGS = pytest.StashKey[GraderSettings]()
EXCHANGES = pytest.StashKey[list[dict[str, Any]]]()
TEST_ID = pytest.StashKey[str]()
_PHASES = pytest.StashKey[list[Phase]]()

# Exit codes of `stagecraft-grader`: anything but GRADED means "do not trust this run".
GRADED = 0
TEST_ERRORED = 1  # the run finished, but some test hit a grader bug (status "error")
USAGE_ERROR = 2
SUITE_BROKEN = 3  # the suite could not be collected or the SDK crashed


@dataclass(frozen=True)
class TestInfo:
    __test__ = False  # not a pytest test class, despite the name

    id: str
    title: str
    max_score: float
    hint: str


class GraderPlugin:
    def __init__(self, settings: GraderSettings, events: EventStream) -> None:
        self.settings = settings
        self.events = events
        self.tests: dict[str, TestInfo] = {}
        self.problems: list[str] = []
        self.started = False
        self.finished = False
        self.passed = 0
        self.failed = 0
        self.errored = 0
        self.score = 0.0

    @property
    def exit_code(self) -> int:
        if not self.finished:
            return SUITE_BROKEN
        return TEST_ERRORED if self.errored else GRADED

    def pytest_configure(self, config: pytest.Config) -> None:
        config.stash[SETTINGS] = self.settings

    @pytest.hookimpl(trylast=True)
    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        for item in items:
            info = self._describe(item)
            if info is None:
                continue
            if info.id in self.tests:
                self.problems.append(f"two tests are named {info.id!r}; test ids must be unique")
            self.tests[info.id] = info
            item.stash[TEST_ID] = info.id

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtestloop(self, session: pytest.Session) -> bool | None:
        if session.testsfailed:
            self.problems.append("the suite could not be collected (see the errors above)")
        if not self.tests and not self.problems:
            self.problems.append("the suite has no tests")
        if self.problems:
            for problem in self.problems:
                print(f"stagecraft-grader: suite error: {problem}", file=sys.stderr)
            return True  # nothing runs and no event is emitted: the run is the grader's fault
        self.started = True
        self.events.emit(
            "run_start",
            version=CONTRACT_VERSION,
            tests=[
                {"id": t.id, "title": t.title, "max_score": t.max_score} for t in self.tests.values()
            ],
            seed=self.settings.seed,
        )
        host, port, timeout = self.settings.app_host, self.settings.app_port, self.settings.startup_timeout
        if not wait_for_port(host, port, timeout):
            self.finished = True
            self.events.emit(
                "run_end",
                outcome="did_not_start",
                passed=0,
                failed=0,
                score=0.0,
                max_score=self._max_score(),
                message=did_not_start_message(port, timeout),
            )
            return True
        return None  # let pytest's own loop run the tests

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_protocol(self, item: pytest.Item) -> Generator[None, None, None]:
        info = self.tests[item.stash[TEST_ID]]
        item.stash[_PHASES] = []
        item.stash[EXCHANGES] = []
        self.events.emit("test_start", id=info.id, title=info.title)
        yield
        self._emit_test_end(item, info)

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(
        self, item: pytest.Item, call: pytest.CallInfo[None]
    ) -> Generator[None, Any, None]:
        outcome = yield
        item.stash[_PHASES].append(Phase(call.when, outcome.get_result(), call.excinfo))

    def pytest_sessionfinish(self) -> None:
        if not self.started or self.finished:
            return
        self.finished = True
        total = self.passed + self.failed
        self.events.emit(
            "run_end",
            outcome="completed",
            passed=self.passed,
            failed=self.failed,
            score=round(self.score, 6),
            max_score=self._max_score(),
            message=f"{self.passed} of {total} tests passed.",
        )

    def _emit_test_end(self, item: pytest.Item, info: TestInfo) -> None:
        verdict = judge(item.nodeid, item.stash[_PHASES])
        if verdict.status == "passed":
            self.passed += 1
            self.score += info.max_score
        elif verdict.status in ("failed", "error"):
            self.failed += 1
            self.errored += verdict.status == "error"
        hint = (verdict.hint or info.hint) if verdict.status == "failed" else ""
        self.events.emit(
            "test_end",
            id=info.id,
            title=info.title,
            status=verdict.status,
            score=info.max_score if verdict.status == "passed" else 0.0,
            max_score=info.max_score,
            message=limits.cap(verdict.message, limits.MESSAGE_LIMIT),
            expected=limits.cap(verdict.expected, limits.MESSAGE_LIMIT),
            hint=limits.cap(hint, limits.MESSAGE_LIMIT),
            duration=round(verdict.duration, 4),
            transcript=_transcript(item.stash[EXCHANGES]),
        )

    def _describe(self, item: pytest.Item) -> TestInfo | None:
        if not isinstance(item, pytest.Function):
            self.problems.append(f"{item.nodeid} is not a test function")
            return None
        name = item.originalname.removeprefix("test_")
        callspec = getattr(item, "callspec", None)
        test_id = f"{name}[{callspec.id}]" if callspec else name
        meta = read_meta(item.function)
        test_title = meta.title or (item.function.__doc__ or "").strip().split("\n")[0]
        test_title = test_title or name.replace("_", " ").capitalize()
        if callspec:
            test_title = f"{test_title} [{callspec.id}]"
        return TestInfo(
            id=limits.cap(test_id, limits.TITLE_LIMIT),
            title=limits.cap(test_title, limits.TITLE_LIMIT),
            max_score=meta.points,
            hint=meta.hint,
        )

    def _max_score(self) -> float:
        return round(sum(t.max_score for t in self.tests.values()), 6)


def _transcript(exchanges: list[dict[str, Any]]) -> list[dict[str, Any]]:
    if len(exchanges) <= limits.EXCHANGE_LIMIT:
        return exchanges
    kept = exchanges[: limits.EXCHANGE_LIMIT - 1]
    return [*kept, omitted_exchanges(len(exchanges) - len(kept))]
