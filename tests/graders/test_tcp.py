"""The raw TCP helper against a real HTTP/1.1 keep-alive server (apps/realtime)."""

from __future__ import annotations

import shlex

import pytest

from stagecraft_grader import AppClient, ExchangeError
from stagecraft_grader.tcp import nc_line
from stagecraft_grader.transcript import Transcript

GET_HELLO = b"GET /hello HTTP/1.1\r\nHost: test\r\n\r\n"


def test_two_requests_on_one_keep_alive_connection(app: AppClient, transcript: Transcript) -> None:
    with app.tcp_connect() as conn:
        for _ in range(2):
            conn.send(GET_HELLO)
            head = conn.read_until(b"\r\n\r\n")
            assert head.startswith(b"HTTP/1.1 200")
            assert conn.read_exact(5) == b"hello"
        assert not conn.closed_by_app

    turns = transcript.render()
    assert [turn["kind"] for turn in turns] == ["tcp", "tcp"]
    assert turns[0]["request"]["body"] == GET_HELLO.decode()
    assert turns[0]["response"]["body"].endswith("\r\n\r\nhello")


def test_malformed_request_gets_400_and_a_close(app: AppClient) -> None:
    with app.tcp_connect() as conn:
        conn.send("NONSENSE\r\n\r\n")
        assert conn.wait_closed(timeout=2) is True
        assert conn.closed_by_app


def test_read_returns_what_came_by_the_deadline(app: AppClient) -> None:
    with app.tcp_connect() as conn:
        assert conn.read(timeout=0.2) == b""
        assert conn.wait_closed(timeout=0.2) is False


def test_missing_delimiter_fails_in_plain_words(app: AppClient, transcript: Transcript) -> None:
    with app.tcp_connect() as conn:
        conn.send(GET_HELLO)
        with pytest.raises(ExchangeError, match=r"the app sent no '\\n\\n\\n' within 0.3 s \(\d+ bytes received\)"):
            conn.read_until("\n\n\n", timeout=0.3)

    assert transcript.render()[0]["error"].startswith("the app sent no")


def test_close_before_the_delimiter(app: AppClient) -> None:
    with app.tcp_connect() as conn:
        conn.send("NONSENSE\r\n\r\n")
        with pytest.raises(ExchangeError, match="the app closed the connection before sending 'END'"):
            conn.read_until("END")


def test_nc_line_reproduces_the_bytes() -> None:
    line = nc_line(b"GET / HTTP/1.1\r\n50%\\\x01\r\n\r\n", "127.0.0.1", 8000)

    assert line == "printf 'GET / HTTP/1.1\\r\\n50%%\\\\\\001\\r\\n\\r\\n' | nc 127.0.0.1 8000"
    assert shlex.split(line)[0] == "printf"
