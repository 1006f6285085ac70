"""Shared by the broadcast-server suite: timings, random names and texts, and reading frames in any shape."""

import json
import time

from stagecraft_grader import ExchangeError, WebSocketClosed, fail

WAIT = 4.0  # seconds to wait for a frame that a correct server sends at once
ORDER_WAIT = 8.0  # seconds for all the messages of the many-senders tests to reach a client
DROP_WAIT = 6.0  # seconds for the leave notice of a client that hung up without a close frame
SETTLE = 1.0  # seconds given to the server to notice that a client left, before the next message

WORDS = (
    "amber falcon river copper meadow quartz lantern orbit willow harbor cinder maple thistle pebble juniper".split()
)
PHRASES = [
    "hello everyone",
    "good morning",
    "anyone here?",
    "see you at the café",
    "ship it",
    "coffee break",
    "naïve question",
    "brb",
    "great work, team",
    "deploy at 5",
]

# How a client's message may go on the wire, in the order a person tries them.
SHAPES = (
    ("as plain text", lambda text: text),
    ('as JSON {"type": "message", "text": ...}', lambda text: _dumps({"type": "message", "text": text})),
    ('as JSON {"message": ...}', lambda text: _dumps({"message": text})),
    ('as JSON {"content": ...}', lambda text: _dumps({"content": text})),
)
BROADCAST_RULE = (
    "When a client connects and sends a message, the server should broadcast this message to all connected clients."
)
GRACEFUL_RULE = "The server should be able to handle multiple clients connecting and disconnecting gracefully."


# --- random data ------------------------------------------------------------------------------


def _name(rng, tag):
    """A client name made of letters, digits and dashes, holding the test's `tag`."""
    return f"{rng.choice(WORDS)}-{tag}-{rng.randint(10**4, 10**6)}"


def _text(rng):
    """A message with a six-digit mark, so that no text is part of another."""
    return f"{rng.choice(PHRASES)} #{rng.randint(10**5, 10**6 - 1)}"


def _dumps(value):
    return json.dumps(value, ensure_ascii=False)


def _shown(value):
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    return json.dumps(value, ensure_ascii=False)


# --- reading frames in any shape ----------------------------------------------------------------


def _decoded(frame):
    return frame.decode("utf-8", "replace") if isinstance(frame, bytes) else frame


def _holds(value, text):
    if isinstance(value, str):
        return text in value
    if isinstance(value, dict):
        return any(_holds(item, text) for item in value.values())
    if isinstance(value, list):
        return any(_holds(item, text) for item in value)
    return False


def _carries(frame, text):
    """Whether `frame` (text or binary) holds `text`: as it is, after a prefix such as a user name,
    or as a string anywhere in a JSON value (where it may have been escaped)."""
    raw = _decoded(frame)
    if text in raw:
        return True
    try:
        return _holds(json.loads(raw), text)
    except ValueError:
        return False


def _as_json(frame):
    """The frame as JSON, or None when it is not."""
    try:
        return json.loads(_decoded(frame))
    except ValueError:
        return None


def _next(ws, until):
    """The next frame before `until`, or None when none came (or the connection ended)."""
    remaining = until - time.monotonic()
    if remaining <= 0:
        return None
    try:
        return ws.receive(timeout=remaining)
    except ExchangeError:
        return None


def _expect(ws, text, who, until=None):
    """Read `ws` until a frame carrying `text` arrives (other frames are skipped): that frame and the
    frames read before it. Fails naming `who`, the client that waited."""
    until = until if until is not None else time.monotonic() + WAIT
    seen = []
    while True:
        remaining = until - time.monotonic()
        try:
            if remaining <= 0:
                raise ExchangeError("out of time")
            frame = ws.receive(timeout=remaining)
        except WebSocketClosed as closed:
            said = closed.message[0].lower() + closed.message[1:]
            fail(f"{who} was waiting for the message {_shown(text)}, but {said}", expected=text)
        except ExchangeError:
            recent = f"; the last frames it got were {_seen(seen)}" if seen else "; it got nothing at all"
            fail(f"{who} did not receive the message {_shown(text)} within {WAIT:g} s{recent}", expected=text)
        if _carries(frame, text):
            return frame, seen
        seen.append(frame)


def _seen(frames):
    return ", ".join(_shown(frame) for frame in frames[-3:])


# --- the brief's JSON events ---------------------------------------------------------------------


def _matches(event, expected):
    """Whether `event` holds every key of `expected` with the same value (extra keys are fine)."""
    return isinstance(event, dict) and all(event.get(key) == value for key, value in expected.items())


def _wait_for(ws, expected, who, until=None, wait=WAIT):
    """Read `ws` until a JSON event matching `expected` arrives; other frames are skipped. Returns
    that event and the frames read before it."""
    until = until if until is not None else time.monotonic() + wait
    seen = []
    while True:
        remaining = until - time.monotonic()
        try:
            if remaining <= 0:
                raise ExchangeError("out of time")
            frame = ws.receive(timeout=remaining)
        except WebSocketClosed as closed:
            said = closed.message[0].lower() + closed.message[1:]
            fail(f"{who} was waiting for {_shown(expected)}, but {said}", expected=expected)
        except ExchangeError:
            recent = f"; the last frames it got were {_seen(seen)}" if seen else "; it got nothing at all"
            fail(f"{who} did not receive {_shown(expected)} within {wait:g} s{recent}", expected=expected)
        event = _as_json(frame)
        if _matches(event, expected):
            return event, seen
        seen.append(frame)
