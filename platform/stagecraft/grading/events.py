"""Grader events: the JSON lines a grader container prints on its stdout (contract v2; v1 still read)."""

from __future__ import annotations

from typing import Literal

import msgspec

TestStatus = Literal["passed", "failed", "error", "skipped"]
# "spec": required by the spec, decides `passed`; "craft": the brief's extra practice, never fails a run.
# Version-1 events have no tier: every test reads as "spec".
TestTier = Literal["spec", "craft"]


class HttpRequest(msgspec.Struct, kw_only=True):
    method: str
    url: str
    headers: dict[str, str] = {}
    body: str = ""


class HttpResponse(msgspec.Struct, kw_only=True):
    status: int
    headers: dict[str, str] = {}
    body: str = ""
    truncated: bool = False


class Exchange(msgspec.Struct, kw_only=True):
    """One request the grader sent and what came back (response is None if none came)."""

    kind: str = "http"
    curl: str = ""
    request: HttpRequest | None = None
    response: HttpResponse | None = None
    error: str = ""


class TestInfo(msgspec.Struct, kw_only=True):
    id: str
    title: str
    max_score: float = 1.0
    tier: TestTier = "spec"
    rule: str = ""


class RunStart(msgspec.Struct, tag="run_start", tag_field="event", kw_only=True):
    version: int = 1
    tests: list[TestInfo] = []
    seed: int = 0


class TestStart(msgspec.Struct, tag="test_start", tag_field="event", kw_only=True):
    id: str
    title: str = ""


class TestEnd(msgspec.Struct, tag="test_end", tag_field="event", kw_only=True):
    id: str
    title: str = ""
    status: TestStatus
    score: float = 0.0
    max_score: float = 1.0
    message: str = ""  # what went wrong, in plain language
    expected: str = ""
    hint: str = ""
    duration: float = 0.0
    transcript: list[Exchange] = []
    tier: TestTier = "spec"
    rule: str = ""  # spec: the requirement quoted from the spec (may be empty); craft: why the practice matters


class RunEnd(msgspec.Struct, tag="run_end", tag_field="event", kw_only=True):
    # "completed": the suite ran; "did_not_start": the app never accepted connections on its port
    outcome: Literal["completed", "did_not_start"] = "completed"
    passed: int = 0
    failed: int = 0
    spec_passed: int = 0
    spec_failed: int = 0
    craft_passed: int = 0
    craft_failed: int = 0
    score: float = 0.0
    max_score: float = 0.0
    message: str = ""


GraderEvent = RunStart | TestStart | TestEnd | RunEnd

_decoder = msgspec.json.Decoder(GraderEvent)


def parse_event(line: str | bytes) -> GraderEvent | None:
    """Decode one line of grader stdout; anything that is not a valid event is ignored."""
    try:
        return _decoder.decode(line)
    except (msgspec.DecodeError, msgspec.ValidationError):
        return None


def encode_event(event: GraderEvent) -> bytes:
    return msgspec.json.encode(event)
