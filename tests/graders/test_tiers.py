"""Test tiers: `@spec` and `@craft` in the SDK, in the event contract, and in the platform's verdict."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from stagecraft.grading.events import TestEnd as Ended
from stagecraft.grading.events import parse_event
from stagecraft.grading.pipeline import _Collector, decide_verdict, is_polished
from stagecraft.sandbox import AppState, SandboxResult
from stagecraft_grader import craft, hint, points, spec
from stagecraft_grader.metadata import read_meta
from tests.graders.helpers import HERE, GraderRun, RunningApp, run_grader, start_project, stop

TIERS = HERE / "suites" / "tiers"
CRAFT_201 = "A 201 tells a client that something new exists, and where."
CRAFT_HEALTHY = "Every route answering 200 shows the app is healthy."


def test_an_unmarked_test_is_a_spec_test_quoting_nothing() -> None:
    def test_plain(app): ...

    assert (read_meta(test_plain).tier, read_meta(test_plain).rule) == ("spec", "")


def test_spec_quotes_the_requirement_and_craft_says_why() -> None:
    @spec()
    def test_bare(app): ...

    @points(2)
    @spec("  Unknown paths answer 404.  ")
    @hint("Answer 404.")
    def test_quoted(app): ...

    @craft("A 409 tells the client the name is taken.")
    @points(3)
    def test_duplicate(app): ...

    assert (read_meta(test_bare).tier, read_meta(test_bare).rule) == ("spec", "")
    quoted = read_meta(test_quoted)
    assert (quoted.tier, quoted.rule, quoted.points, quoted.hint) == (
        "spec",
        "Unknown paths answer 404.",
        2.0,
        "Answer 404.",
    )
    duplicate = read_meta(test_duplicate)
    assert (duplicate.tier, duplicate.rule, duplicate.points) == (
        "craft",
        "A 409 tells the client the name is taken.",
        3.0,
    )


@pytest.mark.parametrize(
    ("decorate", "message"),
    [
        (lambda: craft(""), "@craft needs a non-empty string saying why"),
        (lambda: craft(None), "@craft needs a non-empty string saying why"),
        (lambda: spec("  "), "@spec needs a non-empty string quoting the requirement, or nothing"),
        (lambda: spec(lambda app: None), r"write @spec\(\) or @spec\("),  # @spec without parentheses
    ],
)
def test_a_tier_without_its_words_is_refused(decorate, message) -> None:
    with pytest.raises(TypeError, match=message):
        decorate()


def test_a_test_has_one_tier() -> None:
    with pytest.raises(TypeError, match="a test has one tier; test_both is already marked"):

        @spec("Unknown paths answer 404.")
        @craft("A JSON error is easier to read.")
        def test_both(app): ...


@pytest.fixture(scope="module")
def sample_app_module() -> Iterator[RunningApp]:
    running = start_project(HERE / "apps")
    yield running
    stop(running)


@pytest.fixture(scope="module")
def tiers_run(sample_app_module: RunningApp) -> GraderRun:
    return run_grader(TIERS, sample_app_module.port)


def test_run_start_and_test_end_carry_tier_and_rule(tiers_run: GraderRun) -> None:
    listed = {t["id"]: (t["tier"], t["rule"]) for t in tiers_run.events[0]["tests"]}
    ended = {t["id"]: (t["status"], t["tier"], t["rule"]) for t in tiers_run.of("test_end")}

    assert listed == {
        "unmarked": ("spec", ""),
        "quoted": ("spec", "GET /ok answers 200 with the body ok."),
        "quoted_fails": ("spec", "Unknown paths answer 404 with a JSON error."),
        "craft_fails": ("craft", CRAFT_201),
        "craft_passes[/ok]": ("craft", CRAFT_HEALTHY),
        "craft_passes[/json]": ("craft", CRAFT_HEALTHY),
    }
    assert ended == {
        "unmarked": ("passed", "spec", ""),
        "quoted": ("passed", "spec", "GET /ok answers 200 with the body ok."),
        "quoted_fails": ("failed", "spec", "Unknown paths answer 404 with a JSON error."),
        "craft_fails": ("failed", "craft", CRAFT_201),
        "craft_passes[/ok]": ("passed", "craft", CRAFT_HEALTHY),
        "craft_passes[/json]": ("passed", "craft", CRAFT_HEALTHY),
    }
    assert tiers_run.events[0]["version"] == 2


def test_run_end_counts_each_tier(tiers_run: GraderRun) -> None:
    [end] = tiers_run.of("run_end")

    assert (end["passed"], end["failed"]) == (4, 2)
    assert (end["spec_passed"], end["spec_failed"], end["craft_passed"], end["craft_failed"]) == (2, 1, 2, 1)
    assert (end["score"], end["max_score"]) == (4.0, 7.0)


def test_the_platform_reads_the_tiers_the_sdk_writes(tiers_run: GraderRun) -> None:
    ends = [parse_event(json.dumps(event)) for event in tiers_run.of("test_end")]

    assert all(isinstance(end, Ended) for end in ends)
    assert {end.id: (end.tier, end.rule) for end in ends}["craft_fails"] == ("craft", CRAFT_201)


def _verdict(run: GraderRun) -> tuple[str, str, bool]:
    collected = _Collector(lambda event: None)
    for event in run.events:
        collected(json.dumps(event))
    app = AppState(running=True, exit_code=None, oom_killed=False, log="", log_truncated=False)
    verdict, message = decide_verdict(SandboxResult(ending="completed", grader_exit_code=0, app=app), collected)
    return verdict, message, is_polished(verdict, collected.tests)


def test_a_failing_craft_test_never_fails_the_run(sample_app_module: RunningApp) -> None:
    spec_passes = run_grader(TIERS, sample_app_module.port, args=("-k", "not quoted_fails"))
    everything_passes = run_grader(TIERS, sample_app_module.port, args=("-k", "not fails"))

    assert _verdict(spec_passes) == (
        "passed",
        "Every test the spec requires passed. 1 of 3 extra practice tests did not: they do not count against "
        "you, and each one below says why it is worth doing.",
        False,
    )
    assert _verdict(everything_passes) == ("passed", "Every test passed.", True)


def test_a_failing_spec_test_fails_the_run_and_the_count_is_of_spec_tests(tiers_run: GraderRun) -> None:
    assert _verdict(tiers_run) == (
        "failed",
        "1 of 3 tests required by the spec failed. Each one below says why.",
        False,
    )
