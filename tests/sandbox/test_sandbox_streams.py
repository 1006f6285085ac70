"""The grader's stdout as lines, and the app's log capped, without Docker."""

from __future__ import annotations

import struct

from stagecraft.sandbox.streams import FrameReader, LineSplitter, cap_log


def frame(stream: int, payload: bytes) -> bytes:
    return struct.pack(">BxxxL", stream, len(payload)) + payload


def splitter(limit: int = 1000) -> tuple[LineSplitter, list[str]]:
    lines: list[str] = []
    return LineSplitter(lines.append, limit), lines


def test_lines_split_across_chunks_are_delivered_whole():
    lines_of, lines = splitter()

    assert lines_of.feed(b'{"a": 1}\n{"b"')
    assert lines == ['{"a": 1}']
    assert lines_of.feed(b": 2}\r\n")
    assert lines == ['{"a": 1}', '{"b": 2}']


def test_invalid_utf8_is_replaced_not_fatal():
    lines_of, lines = splitter()

    lines_of.feed(b"caf\xc3\xa9 \xff\n")

    assert lines == ["café \ufffd"]


def test_a_last_line_without_newline_counts_when_the_stream_ends():
    lines_of, lines = splitter()
    lines_of.feed(b"one\ntwo")

    lines_of.finish()

    assert lines == ["one", "two"]


def test_output_past_the_limit_stops_with_only_whole_lines_inside_it():
    lines_of, lines = splitter(limit=10)

    assert lines_of.feed(b"1234\n")
    assert not lines_of.feed(b"5678\n90\n")

    assert lines == ["1234", "5678"]  # 10 bytes exactly; "90" is past the limit
    lines_of.finish()
    assert lines == ["1234", "5678"]


def test_frames_yield_stdout_payloads_even_when_split_mid_header():
    reader = FrameReader()
    data = frame(1, b"out-1") + frame(2, b"err") + frame(1, b"out-2")

    first = reader.feed(data[:3])
    second = reader.feed(data[3:20])
    third = reader.feed(data[20:])

    assert first == []
    assert second + third == [b"out-1", b"out-2"]


def test_a_short_log_is_kept_whole():
    assert cap_log(b"started\n", 100) == ("started\n", False)


def test_a_long_log_keeps_its_start_and_its_end():
    raw = b"START" + b"." * 10_000 + b"Traceback: END"

    text, truncated = cap_log(raw, 1000)

    assert truncated
    assert text.startswith("START") and text.endswith("Traceback: END")
    assert "bytes of log cut" in text
    assert len(text) < 1100
