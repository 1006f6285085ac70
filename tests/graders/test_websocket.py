"""The WebSocket client against a real stdlib WebSocket server (apps/realtime)."""

from __future__ import annotations

import json
import os
import time

import pytest

from stagecraft_grader import AppClient, ExchangeError, WebSocketClosed
from stagecraft_grader.checks import CheckFailed
from stagecraft_grader.transcript import Transcript
from stagecraft_grader.websocket import mask
from tests.graders.helpers import RunningApp, free_port


def test_masking_is_its_own_inverse() -> None:
    key = os.urandom(4)
    payload = os.urandom(1001)

    assert mask(payload, key) != payload
    assert mask(mask(payload, key), key) == payload
    assert mask(b"", key) == b""


def test_echoes_text_json_and_binary(app: AppClient) -> None:
    with app.websocket_connect("/ws/echo") as ws:
        ws.send_text("héllo")
        assert ws.receive_text() == "héllo"
        ws.send_json({"n": 1, "tags": ["a"]})
        assert ws.receive_json() == {"n": 1, "tags": ["a"]}
        ws.send_bytes(b"\x00\xff")
        assert ws.receive_bytes() == b"\x00\xff"


@pytest.mark.parametrize("size", [125, 126, 65535, 70_000])
def test_payload_lengths_in_every_encoding(app: AppClient, size: int) -> None:
    with app.websocket_connect("/ws/echo") as ws:
        ws.send_text("x" * size)
        assert ws.receive_text() == "x" * size


def test_answers_pings_and_reassembles_fragments(app: AppClient) -> None:
    with app.websocket_connect("/ws/echo") as ws:
        ws.send_text("ping-me")
        assert ws.receive_text() == "pong received: are you there"
        ws.send_text("fragments")
        assert ws.receive_text() == "fragmented"


def test_ping_waits_for_the_pong_and_keeps_messages(app: AppClient) -> None:
    with app.websocket_connect("/ws/echo") as ws:
        ws.send_text("first")
        ws.ping(b"p1")
        assert ws.receive_text() == "first"


def test_app_closing_gives_its_code_and_reason(app: AppClient) -> None:
    ws = app.websocket_connect("/ws/echo")
    ws.send_text("close-me")

    with pytest.raises(WebSocketClosed) as closed:
        ws.receive()

    assert (closed.value.code, closed.value.reason) == (1000, "bye")
    assert closed.value.message == "the app closed the WebSocket with code 1000 (bye)"
    assert ws.close_code == 1000


def test_wait_for_close_returns_the_code(app: AppClient) -> None:
    ws = app.websocket_connect("/ws/echo")
    ws.send_text("close-me")

    assert ws.wait_for_close() == 1000


def test_wait_for_close_fails_on_a_message(app: AppClient) -> None:
    ws = app.websocket_connect("/ws/echo")
    ws.send_text("still here")

    with pytest.raises(CheckFailed, match='expected the app to close the WebSocket, got the message "still here"'):
        ws.wait_for_close()


def test_hang_up_without_close_frame_is_1006(app: AppClient) -> None:
    ws = app.websocket_connect("/ws/echo")
    ws.send_text("hang-up")

    with pytest.raises(WebSocketClosed, match="without a WebSocket close frame") as closed:
        ws.receive()
    assert closed.value.code == 1006


def test_client_close_completes_the_handshake(app: AppClient, transcript: Transcript) -> None:
    ws = app.websocket_connect("/ws/echo")
    ws.close(1000, "done")

    assert ws.close_code == 1000
    methods = [(x["request"] or {}).get("method") for x in transcript.render()]
    assert methods == ["GET", "CLOSE", None]  # handshake, our close, the app's echo of it


def test_receive_times_out_in_plain_words(app: AppClient) -> None:
    with app.websocket_connect("/ws/echo") as ws:
        started = time.monotonic()
        with pytest.raises(ExchangeError, match=r"^no WebSocket message within 0.3 s$"):
            ws.receive(timeout=0.3)
        assert time.monotonic() - started < 1.5


@pytest.mark.parametrize(
    ("command", "message"),
    [
        ("masked", "the app sent a masked frame; a server must not mask its frames (RFC 6455, 5.1)"),
        ("bad-utf8", "the app sent a text message that is not valid UTF-8"),
    ],
)
def test_protocol_violations_fail_in_plain_words(app: AppClient, command: str, message: str) -> None:
    with app.websocket_connect("/ws/echo") as ws:
        ws.send_text(command)
        with pytest.raises(ExchangeError) as error:
            ws.receive()
    assert error.value.message == message


def test_wrong_type_fails_the_check(app: AppClient) -> None:
    with app.websocket_connect("/ws/echo") as ws:
        ws.send_text("binary-please")
        with pytest.raises(CheckFailed, match="expected a text message, got a binary message of 3 bytes"):
            ws.receive_text()
        ws.send_text("not json")
        with pytest.raises(CheckFailed, match='expected a JSON message, got "not json"'):
            ws.receive_json()


def test_refused_handshake_is_recorded(app: AppClient, transcript: Transcript) -> None:
    refused = "expected status 101 Switching Protocols for the WebSocket handshake, got 403"
    with pytest.raises(ExchangeError, match=refused):
        app.websocket_connect("/ws/reject")

    [handshake] = transcript.render()
    assert handshake["kind"] == "websocket"
    assert handshake["request"]["method"] == "GET"
    assert handshake["request"]["headers"]["upgrade"] == "websocket"
    assert handshake["response"]["status"] == 403


def test_nothing_listening_is_connection_refused(transcript: Transcript) -> None:
    client = AppClient(f"http://127.0.0.1:{free_port()}", timeout=1, record=transcript.record)

    with pytest.raises(ExchangeError, match="connection refused"):
        client.websocket_connect("/ws")
    assert transcript.render()[0]["error"].startswith("could not connect")


def test_transcript_shows_handshake_and_each_message(
    app: AppClient, transcript: Transcript, realtime_app: RunningApp
) -> None:
    with app.websocket_connect("/ws/echo") as ws:
        ws.send_json({"n": 1})
        ws.receive_json()

    handshake, sent, received, *closing = transcript.render()
    url = f"ws://127.0.0.1:{realtime_app.port}/ws/echo"
    assert {x["kind"] for x in [handshake, sent, received, *closing]} == {"websocket"}
    assert handshake["response"]["status"] == 101
    assert sent["request"] == {"method": "SEND", "url": url, "headers": {"type": "text"}, "body": json.dumps({"n": 1})}
    assert sent["response"] is None
    assert received["request"] is None
    assert received["response"] == {"status": 0, "headers": {"type": "text"}, "body": '{"n": 1}', "truncated": False}


def test_big_messages_are_cut_in_the_transcript(app: AppClient, transcript: Transcript) -> None:
    with app.websocket_connect("/ws/echo") as ws:
        ws.send_text("y" * 10_000)
        ws.receive_text()

    received = transcript.render()[2]["response"]
    assert received["truncated"] is True
    assert len(received["body"].encode()) <= 4096
