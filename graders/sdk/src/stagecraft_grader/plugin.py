"""The pytest plugin: names the tests, waits for the app, and emits one event per step."""

from __future__ import annotations

import sys
from collections.abc import Generator
from dataclasses import dataclass
from typing import Any

import pytest

from . import checkpoints, limits
from .address import AppAddress
from .control import ControlChannel
from .deadlines import time_limit
from .events import CONTRACT_VERSION, EventStream
from .metadata import Tier, read_meta
from .outcome import GRADER_FAULT, Phase, Verdict, judge
from .settings import GraderSettings
from .startup import did_not_start_message, listening_ports
from .transcript import Transcript
from .wire import host_header

SETTINGS = pytest.StashKey[GraderSettings]()
ADDRESS = pytest.StashKey[AppAddress]()
CONTROL = pytest.StashKey[ControlChannel]()
TRANSCRIPT = pytest.StashKey[Transcript]()
TEST_ID = pytest.StashKey[str]()
_PHASES = pytest.StashKey[list[Phase]]()
_PROGRESS = pytest.StashKey[checkpoints.Progress]()

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
    deadline: float | None
    tier: Tier
    rule: str

    def listed(self) -> dict[str, Any]:
        """How run_start lists the test."""
        return {"id": self.id, "title": self.title, "max_score": self.max_score, "tier": self.tier, "rule": self.rule}


class GraderPlugin:
    def __init__(self, settings: GraderSettings, events: EventStream, control: ControlChannel) -> None:
        self.settings = settings
        self.events = events
        self.control = control
        self.address = AppAddress(settings.app_host, settings.app_port)
        self.tests: dict[str, TestInfo] = {}
        self.problems: list[str] = []
        self.started = False
        self.finished = False
        self.passed = 0
        self.failed = 0
        self.errored = 0
        self.score = 0.0
        # run_end's counts per tier: spec_passed, spec_failed, craft_passed, craft_failed
        self.tier_counts = {f"{tier}_{status}": 0 for tier in ("spec", "craft") for status in ("passed", "failed")}

    @property
    def exit_code(self) -> int:
        if not self.finished:
            return SUITE_BROKEN
        return TEST_ERRORED if self.errored else GRADED

    def pytest_configure(self, config: pytest.Config) -> None:
        config.stash[SETTINGS] = self.settings
        config.stash[CONTROL] = self.control
        config.stash[ADDRESS] = self.address

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
            tests=[t.listed() for t in self.tests.values()],
            seed=self.settings.seed,
        )
        port, timeout = self.settings.app_port, self.settings.startup_timeout
        if not self.address.find(timeout):
            listeners = listening_ports(ignore=self.settings.service_ports)
            self.finished = True
            self.events.emit(
                "run_end",
                outcome="did_not_start",
                passed=0,
                failed=0,
                **self.tier_counts,
                score=0.0,
                max_score=self._max_score(),
                message=did_not_start_message(port, timeout, listeners, self.address.candidates),
            )
            return True
        print(f"stagecraft-grader: the app answers on {host_header(self.address.host, port)}", file=sys.stderr)
        return None  # let pytest's own loop run the tests

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_protocol(self, item: pytest.Item) -> Generator[None, None, None]:
        info = self.tests[item.stash[TEST_ID]]
        item.stash[_PHASES] = []
        item.stash[TRANSCRIPT] = Transcript()
        item.stash[_PROGRESS] = checkpoints.begin_test(info.max_score)
        self.events.emit("test_start", id=info.id, title=info.title)
        try:
            yield
        finally:
            checkpoints.end_test()
        self._emit_test_end(item, info)

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_call(self, item: pytest.Item) -> Generator[None, None, None]:
        with time_limit(self.tests[item.stash[TEST_ID]].deadline):
            yield

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Any, None]:
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
            **self.tier_counts,
            score=round(self.score, 6),
            max_score=self._max_score(),
            message=f"{self.passed} of {total} tests passed.",
        )

    def _emit_test_end(self, item: pytest.Item, info: TestInfo) -> None:
        verdict, score = _score(item.nodeid, judge(item.nodeid, item.stash[_PHASES]), item.stash[_PROGRESS], info)
        self.score += score
        if verdict.status == "passed":
            self.passed += 1
            self.tier_counts[f"{info.tier}_passed"] += 1
        elif verdict.status in ("failed", "error"):
            self.failed += 1
            self.tier_counts[f"{info.tier}_failed"] += 1
            self.errored += verdict.status == "error"
        hint = (verdict.hint or info.hint) if verdict.status == "failed" else ""
        self.events.emit(
            "test_end",
            id=info.id,
            title=info.title,
            status=verdict.status,
            score=round(score, 6),
            max_score=info.max_score,
            message=limits.cap(verdict.message, limits.MESSAGE_LIMIT),
            expected=limits.cap(verdict.expected, limits.MESSAGE_LIMIT),
            hint=limits.cap(hint, limits.MESSAGE_LIMIT),
            duration=round(verdict.duration, 4),
            transcript=item.stash[TRANSCRIPT].render(),
            tier=info.tier,
            rule=info.rule,
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
            deadline=meta.deadline,
            tier=meta.tier,
            rule=limits.cap(meta.rule, limits.MESSAGE_LIMIT),
        )

    def _max_score(self) -> float:
        return round(sum(t.max_score for t in self.tests.values()), 6)


def _score(nodeid: str, verdict: Verdict, progress: checkpoints.Progress, info: TestInfo) -> tuple[Verdict, float]:
    """A passed test scores all its points; a failed one those of the checkpoints it reached."""
    if progress.never_entered:
        names = ", ".join(repr(name) for name in progress.never_entered)
        print(
            f"stagecraft-grader: {nodeid}: checkpoint {names} was never entered; write `with checkpoint(...):`",
            file=sys.stderr,
        )
        return Verdict("error", GRADER_FAULT, duration=verdict.duration), 0.0
    if verdict.status == "passed":
        return verdict, info.max_score
    if verdict.status != "failed":
        return verdict, 0.0
    if progress.failed_at:
        message = f'checkpoint "{progress.failed_at}" failed: {verdict.message}'
        verdict = Verdict("failed", message, verdict.expected, verdict.hint, verdict.duration)
    return verdict, min(progress.points, info.max_score)
