"""The Server-Sent Events reader against a real stdlib event stream (apps/realtime)."""

from __future__ import annotations

import time

import pytest

from stagecraft_grader import AppClient, CheckFailed, ExchangeError, ServerSentEvent
from stagecraft_grader.transcript import Transcript
from tests.graders.helpers import RunningApp


def test_parses_fields_across_chunks_comments_and_line_ends(app: AppClient) -> None:
    with app.stream_events("/events") as stream:
        assert (stream.status_code, stream.content_type) == (200, "text/event-stream")
        events = stream.read_events(3)

    assert events == [
        ServerSentEvent(event="greeting", data="hello", id="1"),
        ServerSentEvent(data="line one\nline two é"),
        ServerSentEvent(data='{"n": 3}', id="3", retry=1500),
    ]
    assert stream.last_event_id == "3"


def test_end_of_stream_fails_in_plain_words(app: AppClient) -> None:
    with app.stream_events("/events") as stream:
        stream.read_events(3)
        with pytest.raises(ExchangeError, match="^the app ended the event stream$"):
            stream.next_event()


def test_stream_without_chunking_ends_at_close(app: AppClient) -> None:
    with app.stream_events("/events/plain") as stream:
        assert [event.data for event in stream.read_events(2)] == ["first", "second"]


def test_deadline_counts_the_events_that_came(app: AppClient) -> None:
    with app.stream_events("/events/slow") as stream:
        started = time.monotonic()
        with pytest.raises(ExchangeError, match=r"^only 1 of 2 events arrived within 0.5 s$"):
            stream.read_events(2, timeout=0.5)
        assert time.monotonic() - started < 1.5


def test_next_event_times_out(app: AppClient) -> None:
    with app.stream_events("/events/slow") as stream:
        assert stream.next_event().data == "one"
        with pytest.raises(ExchangeError, match=r"^no event arrived within 0.2 s$"):
            stream.next_event(timeout=0.2)


def test_not_an_event_stream_fails_the_check(app: AppClient) -> None:
    with app.stream_events("/hello") as stream:
        with pytest.raises(CheckFailed, match="got status 200 with text/plain"):
            stream.next_event()


def test_transcript_holds_the_raw_stream_and_a_curl_line(
    app: AppClient, transcript: Transcript, realtime_app: RunningApp
) -> None:
    with app.stream_events("/events/slow") as stream:
        stream.next_event()
        with pytest.raises(ExchangeError):
            stream.next_event(timeout=0.1)

    [entry] = transcript.render()
    url = f"http://127.0.0.1:{realtime_app.port}/events/slow"
    assert entry["kind"] == "sse"
    assert entry["curl"] == f"curl -N -H 'accept: text/event-stream' {url}"
    assert entry["request"]["url"] == url
    assert entry["response"]["status"] == 200
    assert entry["response"]["body"] == "data: one\n\n"
    assert entry["error"] == "no event arrived within 0.1 s"
