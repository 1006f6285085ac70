"""The broadcast grader reading the project's own client for its frames (broadcast_code.py)."""

import sys
from pathlib import Path

SUITE = Path(__file__).resolve().parents[2] / "graders" / "suites" / "broadcast-server"
sys.path.insert(0, str(SUITE))

from broadcast_code import Frame, client_frames, code_paths, protocols  # noqa: E402

sys.path.remove(str(SUITE))

CLIENT_JS = """
socket.send(JSON.stringify({ type: "login", username, password }));
socket.send(JSON.stringify({ type: 'signup', username: name, password: secret, email }));
const frame = { type: "chat", room, body: line };
socket.send(JSON.stringify(frame));
socket.send(JSON.stringify({ type: "typing", who: { name } }));  // nested: not a flat frame
const ws = new WebSocket("ws://localhost:8080/live");
"""

CLIENT_PY = """
await ws.send(json.dumps({"type": "hello", "nick": nick}))
await ws.send(json.dumps({"type": "message", "text": line}))
"""


def test_frames_and_path_are_read_from_the_client(tmp_path, monkeypatch):
    (tmp_path / "client.js").write_text(CLIENT_JS)
    (tmp_path / "node_modules").mkdir()
    (tmp_path / "node_modules" / "dep.js").write_text('send({ type: "message", text })')
    monkeypatch.setenv("APP_CODE_DIR", str(tmp_path))
    assert client_frames() == [
        Frame("login", ("username", "password")),
        Frame("signup", ("username", "password", "email")),
        Frame("chat", ("room", "body")),
    ]
    assert code_paths() == ["/live"]
    found = protocols()
    # a fresh account first (signup), then logging in, then no sign-in at all
    assert [p.sign_in.type if p.sign_in else None for p in found] == ["signup", "login", None]
    assert {p.message.type for p in found} == {"chat"} and {p.text_key for p in found} == {"body"}
    signup = found[0].sign_in_values("amber-7", "s3cret!")
    assert signup == {"type": "signup", "username": "amber-7", "password": "s3cret!", "email": "amber-7@example.com"}
    assert found[0].message_values("hi") == {"type": "chat", "body": "hi"}


def test_python_clients_and_no_message_frame(tmp_path, monkeypatch):
    monkeypatch.setenv("APP_CODE_DIR", str(tmp_path))
    assert protocols() == []  # no code at all
    (tmp_path / "client.py").write_text(CLIENT_PY)
    (first, second) = protocols()
    assert (first.sign_in.type, first.message.type, first.text_key) == ("hello", "message", "text")
    assert first.sign_in_values("n", "p") == {"type": "hello", "nick": "n"}
    assert second.sign_in is None
