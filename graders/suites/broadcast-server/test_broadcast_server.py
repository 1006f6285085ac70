"""Grader suite for the stage 7 exercise broadcast-server (see the exercise's README for the brief).

The app keeps running for the whole suite, and every test connects its own clients with random
names that hold the test's name. A test only looks at events about its own clients: anything
else that arrives (another test's late leave notice, say) is skipped. Nothing here depends on
timing: each wait is several seconds long, where a correct server answers within milliseconds.
"""

import json
import time
from contextlib import ExitStack

from stagecraft_grader import (
    ExchangeError,
    WebSocketClosed,
    check,
    check_equal,
    deadline,
    fail,
    hint,
    points,
    run_concurrently,
    title,
)

WAIT = 4.0  # seconds to wait for an event that a correct server sends at once
ORDER_WAIT = 8.0  # seconds for all 60 messages of the ordering test to reach a client
DROP_WAIT = 6.0  # seconds for the leave notice of a client that hung up without a close frame

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


# --- random data ------------------------------------------------------------------------------


def _name(rng, tag):
    """A client name made of letters, digits and dashes, holding the test's `tag`."""
    return f"{rng.choice(WORDS)}-{tag}-{rng.randint(10**4, 10**6)}"


def _text(rng):
    return f"{rng.choice(PHRASES)} #{rng.randint(1, 99999)}"


# --- helpers ----------------------------------------------------------------------------------


def _connect(app, stack, name):
    """Open /ws?name=<name>, closed when `stack` ends (unless None). The ping's round trip gives
    the server the moment it needs to count the new client in, before the test goes on."""
    ws = app.websocket_connect(f"/ws?name={name}", timeout=WAIT)
    if stack is not None:
        stack.enter_context(ws)
    ws.ping()
    return ws


def _message(sender, text):
    return {"type": "message", "from": sender, "text": text}


def _matches(event, expected):
    """Whether `event` holds every key of `expected` with the same value (extra keys are fine)."""
    return isinstance(event, dict) and all(event.get(key) == value for key, value in expected.items())


def _receive(ws, expected, who, until, wait, seen):
    """The next event on `ws` before `until`; fails naming `expected`, what `who` waited for."""
    remaining = until - time.monotonic()
    try:
        if remaining <= 0:
            raise ExchangeError("out of time")
        return ws.receive_json(timeout=remaining)
    except WebSocketClosed as closed:
        said = closed.message[0].lower() + closed.message[1:]
        fail(f"{who} was waiting for {_shown(expected)}, but {said}", expected=expected)
    except ExchangeError:
        recent = f"; the last events it got were {_shown(seen[-3:])}" if seen else "; it got nothing at all"
        fail(f"{who} did not receive {_shown(expected)} within {wait:g} s{recent}", expected=expected)


def _wait_for(ws, expected, who, until=None, wait=WAIT):
    """Read `ws` until an event matching `expected` arrives, by `until` (a monotonic time) or
    within `wait` seconds. Returns that event and the events read before it."""
    until = until if until is not None else time.monotonic() + wait
    seen = []
    while True:
        event = _receive(ws, expected, who, until, wait, seen)
        if _matches(event, expected):
            return event, seen
        seen.append(event)


def _shown(value):
    return json.dumps(value, ensure_ascii=False)


# --- tests ------------------------------------------------------------------------------------


@title("GET /health answers 200 on the WebSocket server's port")
@points(1)
@hint(
    "Answer plain HTTP requests on the same port as the WebSockets: with the websockets library, "
    'pass process_request to serve() and return connection.respond(200, "ok\\n") for /health; '
    "with Node, answer it in the handler of the http.Server that the ws server is attached to."
)
def test_health(app):
    r = app.get("/health")
    check_equal(r.status_code, 200, "the status code of GET /health")


@title("A client receives its own message")
@points(2)
@hint(
    'When a client sends {"type": "message", "text": "..."}, send '
    '{"type": "message", "from": "<its name>", "text": "..."} to every connected client, the '
    "sender included. The name is the one from the query string: /ws?name=<name>."
)
def test_own_message(app, rng):
    name, text = _name(rng, "own"), _text(rng)
    with ExitStack() as stack:
        ws = _connect(app, stack, name)
        ws.send_json({"type": "message", "text": text})
        _wait_for(ws, _message(name, text), f'the sender "{name}"')


@title("A message reaches every connected client")
@points(3)
@hint(
    "Keep every open connection in a set (or a map from connection to name) and send each "
    "message to all of them, the sender included. Add a connection when it opens and remove it "
    "when it closes."
)
def test_broadcast_all(app, rng):
    names = [_name(rng, f"all{i}") for i in range(rng.randint(6, 9))]
    sender = rng.choice(names)
    text = _text(rng)
    with ExitStack() as stack:
        clients = {name: _connect(app, stack, name) for name in names}
        clients[sender].send_json({"type": "message", "text": text})
        until = time.monotonic() + WAIT
        for name, ws in clients.items():
            who = f'the sender "{name}"' if name == sender else f'the client "{name}" (one of {len(names)})'
            _wait_for(ws, _message(sender, text), who, until=until)


@title("Connected clients are told when a new client joins")
@points(2)
@hint('When a client connects, send {"type": "join", "name": "<its name>"} to the clients that were already connected.')
def test_join_notice(app, rng):
    first, second = _name(rng, "join"), _name(rng, "join")
    with ExitStack() as stack:
        ws = _connect(app, stack, first)
        _connect(app, stack, second)
        _wait_for(ws, {"type": "join", "name": second}, f'the client "{first}" (connected before "{second}")')


@title("The others are told when a client leaves")
@points(2)
@hint(
    "When a connection closes, remove it from your set of clients and send "
    '{"type": "leave", "name": "<its name>"} to the clients still connected.'
)
def test_leave_notice(app, rng):
    stays, leaves = _name(rng, "stay"), _name(rng, "leave")
    with ExitStack() as stack:
        ws = _connect(app, stack, stays)
        _connect(app, None, leaves).close()
        _wait_for(ws, {"type": "leave", "name": leaves}, f'the client "{stays}" (after "{leaves}" closed)')


@title("Every client gets each sender's messages in the order they were sent")
@points(3)
@deadline(40)
@hint(
    "Send each message to the clients as soon as it comes in, from the connection's own loop. "
    "Do not hand messages to separate tasks or timers that may finish in any order, and do not "
    "drop a message when a client is busy."
)
def test_message_order(app, rng):
    senders = [_name(rng, f"order{i}") for i in range(3)]
    listeners = [_name(rng, f"listen{i}") for i in range(2)]
    count = 20
    sent = {sender: [f"{i:02d} {_text(rng)}" for i in range(count)] for sender in senders}
    with ExitStack() as stack:
        clients = {name: _connect(app, stack, name) for name in senders + listeners}

        def send_all(index):
            sender = senders[index]
            for text in sent[sender]:
                clients[sender].send_json({"type": "message", "text": text})

        for result in run_concurrently(send_all, len(senders), timeout=15):
            result.result()

        until = time.monotonic() + ORDER_WAIT
        for name, ws in clients.items():
            got = {sender: [] for sender in senders}
            while sum(len(texts) for texts in got.values()) < count * len(senders):
                missing = next(s for s in senders if len(got[s]) < count)
                expected = _message(missing, sent[missing][len(got[missing])])
                # Wait for any message of the senders; `expected` is only what the failure names.
                event = _next_from(ws, senders, expected, f'the client "{name}"', until)
                got[event["from"]].append(event.get("text"))
            for sender in senders:
                order = [text[:2] if isinstance(text, str) else text for text in got[sender]]
                check(
                    got[sender] == sent[sender],
                    f'expected the client "{name}" to receive the {count} messages of "{sender}" in the order '
                    f"they were sent (numbered 00 to {count - 1:02d}), got them in the order {order}",
                )


def _next_from(ws, senders, expected, who, until):
    """The next message event from one of `senders`, others skipped; fails naming `expected`."""
    while True:
        event = _receive(ws, expected, who, until, ORDER_WAIT, [])
        if _matches(event, {"type": "message"}) and event.get("from") in senders:
            return event


@title("A malformed message gets an error back, and the connection stays open")
@points(2)
@hint(
    "Parse each frame inside a try block. When it is not JSON, not an object, or has no string "
    '"text", send {"type": "error", "message": "..."} to that client only and keep reading its '
    "next messages: do not close the connection, and do not let the exception end your handler."
)
def test_invalid_message(app, rng):
    bad, observer = _name(rng, "bad"), _name(rng, "observer")
    not_json = rng.choice([f"hello {rng.choice(WORDS)}", '{"type": "message", "text": ', "text=hi"])
    no_text = rng.choice(
        [
            {"type": "message"},
            {"type": "message", "text": rng.randint(1, 999)},
            [{"type": "message", "text": _text(rng)}],
        ]
    )
    text = _text(rng)
    with ExitStack() as stack:
        ws = _connect(app, stack, bad)
        watcher = _connect(app, stack, observer)
        error = {"type": "error"}
        for frame in (not_json, no_text):
            if isinstance(frame, str):
                ws.send_text(frame)
                what = f"the text {_shown(frame)}, which is not JSON"
            else:
                ws.send_json(frame)
                what = f'{_shown(frame)}, which has no string "text"'
            event, _ = _wait_for(ws, error, f'the client "{bad}" (after sending {what})')
            check(
                isinstance(event.get("message"), str), 'expected the error event to have a string "message"', got=event
            )
        ws.send_json({"type": "message", "text": text})
        _, seen = _wait_for(
            watcher,
            _message(bad, text),
            f'the client "{observer}" (after "{bad}" sent a valid message following its malformed ones)',
        )
        errors = [event for event in seen if _matches(event, error)]
        check(not errors, f'expected the error frames to go to "{bad}" only, but "{observer}" got them too', got=errors)


@title("A client that drops without a close frame still produces a leave notice")
@points(2)
@hint(
    "A connection can end without a closing handshake (a crash, a lost network). Announce the "
    "leave in a finally block (Python) or in the 'close' event (Node), which run however the "
    "connection ended, and catch the error a dropped connection raises."
)
def test_dropped_connection(app, rng):
    stays, drops = _name(rng, "stay"), _name(rng, "drop")
    with ExitStack() as stack:
        ws = _connect(app, stack, stays)
        _connect(app, None, drops).abort()
        _wait_for(
            ws, {"type": "leave", "name": drops}, f'the client "{stays}" (after "{drops}" hung up)', wait=DROP_WAIT
        )
