"""Grader suite for the stage 7 exercise broadcast-server (see the exercise's README for the brief).

Two tiers. The spec tests check what the public spec (roadmap.sh/projects/broadcast-server)
requires: a WebSocket server that relays each client's message to the other connected clients and
keeps working as clients come and go. They accept every wire format a developer picks: a message
is found in whatever arrives (the raw text, a prefix such as "ada: " before it, or a JSON object
holding it in any field), the sender may or may not get its own copy, and welcome lines, join
notices and other frames in between are skipped. The craft tests check the brief's extra practice
(its JSON events with `from`, join and leave notices, error frames, a health route, the sender's
own copy, per-sender order).

A careful human reads the project to learn how to talk to it, and so does this suite, once per
run (see `_room`): the WebSocket path is taken from the project's code (a `ws://host:port/path`
URL in its client, a `path: "/ws"` option) or found by trying `/` and the usual paths; the way
to send a message is found by trying plain text first, then the usual JSON shapes, then plain
text after each client has sent its name (servers that take the first line as the user's name).

The app keeps running for the whole suite, and every test connects its own clients with random
names and random texts. Nothing here depends on timing: each wait is several seconds long, where
a correct server answers within milliseconds.
"""

import time
from contextlib import ExitStack

from broadcast_frames import (
    BROADCAST_RULE,
    DROP_WAIT,
    GRACEFUL_RULE,
    WAIT,
    WORDS,
    _as_json,
    _expect,
    _matches,
    _name,
    _shown,
    _text,
    _wait_for,
)
from broadcast_room import _discover, _found, _join_json, _path, _relay, _room, _survives, _ws_path

from stagecraft_grader import (
    check,
    craft,
    deadline,
    fail,
    hint,
    not_graded,
    points,
    spec,
    title,
)

# --- spec tests -----------------------------------------------------------------------------------


@title("The server accepts WebSocket connections")
@points(1)
@spec(
    "When the server is started using the `broadcast-server start` command, it should listen for client "
    "connections on a specified port (the project is about WebSockets)."
)
@hint(
    "Start a WebSocket server (ws in Node.js, websockets in Python) on the port in $PORT, or declare "
    "your hard-coded port with `port = N` in stagecraft.toml. The grader connects to the path your "
    "client uses (it reads ws://host:port/path URLs in your code), else to / and /ws."
)
def test_websocket_handshake(app):
    path, tried = _path(app)
    if path is None:
        fail(
            "no WebSocket handshake succeeded (expected 101 Switching Protocols); the grader tried " + "; ".join(tried)
        )


@title("A message reaches every other connected client")
@points(3)
@spec(BROADCAST_RULE)
@hint(
    "Keep every open connection in a list or set, and send each message you receive to all of them "
    "(the sender included or not, as you like). Plain text, a prefix such as the user's name, or JSON "
    "holding the text are all fine."
)
def test_broadcast_all(app, rng):
    if _path(app)[0] is None:
        not_graded("not graded yet: no WebSocket handshake succeeded; make the test websocket_handshake pass first")
    room = _discover(app, rng)
    if room is None:
        fail(
            "a message sent by one client never reached another connected client within "
            f"{WAIT:g} s; the grader sent it " + "; then ".join(_found["tried"])
        )
    names = [_name(rng, f"all{i}") for i in range(rng.randint(4, 7))]
    sender = rng.choice(names)
    text = _text(rng)
    with ExitStack() as stack:
        clients = {name: room.join(app, stack, name) for name in names}
        room.say(clients[sender], text)
        until = time.monotonic() + WAIT
        for name, ws in clients.items():
            if name != sender:
                _expect(ws, text, f'the client "{name}" (one of {len(names)}; "{sender}" sent it)', until)


@title("Messages from several clients at once all reach every other client")
@points(2)
@deadline(40)
@spec("When a client sends a message, broadcast this message to all connected clients.")
@hint(
    "Handle each connection on its own (an event listener in Node.js, a coroutine per connection in "
    "Python) and send every message on as soon as it arrives; do not drop a message because another "
    "one is being sent."
)
def test_several_senders(app, rng):
    room = _room(app, rng)
    senders, sent, received = _relay(app, rng, room, "many", 5)
    for name, (wanted, got) in received.items():
        missing = sorted(wanted - set(got))
        if missing:
            sender, index = missing[0]
            fail(
                f'the client "{name}" received {len(got)} of the {len(wanted)} messages the other clients '
                f'sent; for one, it never got {_shown(sent[sender][index])} from "{sender}"',
                expected=sent[sender][index],
            )


@title("After a client closes its connection, the others still exchange messages, and new clients can join")
@points(2)
@spec(GRACEFUL_RULE)
@hint(
    "Remove a client from your list when its connection closes (the 'close' event in Node.js; when "
    "`async for` ends in Python), so that you never send to it again."
)
def test_client_closes(app, rng):
    _survives(app, rng, "closes", lambda ws: ws.close())


# --- craft tests: the brief's extra practice -----------------------------------------------------


@title("GET /health answers 200 on the WebSocket server's port")
@points(1)
@craft("A plain-HTTP health route lets a load balancer or an uptime check see the server is up without a WebSocket.")
@hint(
    "Answer plain HTTP requests on the same port as the WebSockets: with the websockets library, "
    'pass process_request to serve() and return connection.respond(200, "ok\\n") for /health; '
    "with Node, answer it in the handler of the http.Server that the ws server is attached to."
)
def test_health(app):
    r = app.get("/health")
    check(r.status_code == 200, "expected status 200 for GET /health", got=r.status_code)


@title("A client receives its own message")
@points(2)
@craft(
    "Echoing the sender's message, in the order everyone sees it, confirms that the server took it and "
    "lets every client render the same conversation."
)
@hint("Send each message to every connected client, the sender included.")
def test_own_message(app, rng):
    room = _room(app, rng)
    name, text = _name(rng, "own"), _text(rng)
    with ExitStack() as stack:
        ws = room.join(app, stack, name)
        room.say(ws, text)
        _expect(ws, text, f'the sender "{name}"')


@title('Messages go out as {"type": "message", "from": <name>, "text": ...}')
@points(2)
@craft(
    "A JSON event with the sender's name (taken from /ws?name=...) lets a client show who said what "
    "and tell messages from notices without parsing free text."
)
@hint(
    'When a client sends {"type": "message", "text": "..."}, send {"type": "message", "from": "<its '
    'name>", "text": "..."} to the others; the name is the one from the query string: /ws?name=<name>.'
)
def test_message_from(app, rng):
    path = _ws_path(app)
    sender, listener, text = _name(rng, "from"), _name(rng, "from"), _text(rng)
    with ExitStack() as stack:
        ws = _join_json(app, stack, path, listener)
        _join_json(app, stack, path, sender).send_json({"type": "message", "text": text})
        _wait_for(ws, {"type": "message", "from": sender, "text": text}, f'the client "{listener}"')


@title("Connected clients are told when a new client joins")
@points(2)
@craft("Presence notices let the people in a room know who can read what they write.")
@hint('When a client connects, send {"type": "join", "name": "<its name>"} to the clients that were already connected.')
def test_join_notice(app, rng):
    path = _ws_path(app)
    first, second = _name(rng, "join"), _name(rng, "join")
    with ExitStack() as stack:
        ws = _join_json(app, stack, path, first)
        _join_json(app, stack, path, second)
        _wait_for(ws, {"type": "join", "name": second}, f'the client "{first}" (connected before "{second}")')


@title("The others are told when a client leaves")
@points(2)
@craft("A leave notice keeps the others' list of who is there true, instead of showing people who left long ago.")
@hint(
    "When a connection closes, remove it from your set of clients and send "
    '{"type": "leave", "name": "<its name>"} to the clients still connected.'
)
def test_leave_notice(app, rng):
    path = _ws_path(app)
    stays, leaves = _name(rng, "stay"), _name(rng, "leave")
    with ExitStack() as stack:
        ws = _join_json(app, stack, path, stays)
        _join_json(app, None, path, leaves).close()
        _wait_for(ws, {"type": "leave", "name": leaves}, f'the client "{stays}" (after "{leaves}" closed)')


@title("Every client gets each sender's messages in the order they were sent")
@points(3)
@deadline(40)
@craft("A conversation read out of order is a different conversation: each sender's messages must keep their order.")
@hint(
    "Send each message to the clients as soon as it comes in, from the connection's own loop. "
    "Do not hand messages to separate tasks or timers that may finish in any order."
)
def test_message_order(app, rng):
    room = _room(app, rng)
    count = 20
    senders, sent, received = _relay(app, rng, room, "order", count)
    for name, (wanted, got) in received.items():
        if len(got) < len(wanted):
            not_graded(
                f'not graded: "{name}" received {len(got)} of {len(wanted)} messages; '
                "make the test several_senders pass first"
            )
        for sender in senders:
            order = [index for who, index in got if who == sender]
            if sender != name and order != sorted(order):
                fail(
                    f'expected the client "{name}" to receive the {count} messages of "{sender}" in the order '
                    f"they were sent (numbered 00 to {count - 1:02d}), got them in the order "
                    f"{[f'{i:02d}' for i in order]}"
                )


@title("A malformed message gets an error back, and the connection stays open")
@points(2)
@craft(
    "A server that drops a client, or relays garbage, on one bad frame is fragile; an error frame tells "
    "the client what went wrong and keeps the conversation going."
)
@hint(
    "Parse each frame inside a try block. When it is not JSON, not an object, or has no string "
    '"text", send {"type": "error", "message": "..."} to that client only and keep reading its '
    "next messages: do not close the connection, and do not let the exception end your handler."
)
def test_invalid_message(app, rng):
    path = _ws_path(app)
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
        ws = _join_json(app, stack, path, bad)
        watcher = _join_json(app, stack, path, observer)
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
        _, seen = _expect(
            watcher, text, f'the client "{observer}" (after "{bad}" sent a valid message following its malformed ones)'
        )
        errors = [frame for frame in seen if _matches(_as_json(frame), error)]
        check(not errors, f'expected the error frames to go to "{bad}" only, but "{observer}" got them too', got=errors)


# --- last: a dropped connection stays behind in a server that mishandles it ----------------------
# A server that breaks on a client that vanished breaks for every later test; these two run last so
# that only they fail for it (the craft leave notice first, then the spec requirement).


@title("A client that drops without a close frame still produces a leave notice")
@points(2)
@craft("Most clients vanish without a goodbye (a closed laptop, a lost network); presence must notice them too.")
@hint(
    "A connection can end without a closing handshake. Announce the leave in a finally block "
    "(Python) or in the 'close' event (Node), which run however the connection ended."
)
def test_dropped_connection(app, rng):
    path = _ws_path(app)
    stays, drops = _name(rng, "stay"), _name(rng, "drop")
    with ExitStack() as stack:
        ws = _join_json(app, stack, path, stays)
        _join_json(app, None, path, drops).abort()
        _wait_for(
            ws, {"type": "leave", "name": drops}, f'the client "{stays}" (after "{drops}" hung up)', wait=DROP_WAIT
        )


@title("After a client drops without a close frame, the others still exchange messages, and new clients can join")
@points(2)
@spec(GRACEFUL_RULE)
@hint(
    "A connection can end without a closing handshake (a crash, a lost network). In Node.js, give "
    "every socket an 'error' listener and remove it on 'close'; in Python, catch ConnectionClosed and "
    "remove the client in a finally block, and never let a failed send to one client stop the others."
)
def test_client_drops(app, rng):
    _survives(app, rng, "drops", lambda ws: ws.abort())
