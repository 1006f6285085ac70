"""Shared by the broadcast-server suite: how to talk to the project (found once per run) and multi-client scenarios."""

import json
import re
import time
from contextlib import ExitStack
from dataclasses import dataclass

from broadcast_code import Protocol, code_paths, protocols
from broadcast_frames import (
    ORDER_WAIT,
    PHRASES,
    SETTLE,
    SHAPES,
    WAIT,
    _carries,
    _decoded,
    _expect,
    _name,
    _next,
    _text,
)

from stagecraft_grader import ExchangeError, fail, not_graded, run_concurrently

# The paths a person tries when the project names none: `/` first (ws and websockets accept any
# path unless told otherwise), then the usual names.
USUAL_PATHS = ("/", "/ws", "/websocket", "/chat", "/broadcast")


# --- finding how to talk to the project, once per run ---------------------------------------------

_found = {}  # "path": (path or None, what was tried); "room": Room or None; "tried": the shapes tried


def _with_name(path, name):
    return f"{path}{'&' if '?' in path else '?'}name={name}"


def _path(app):
    """The WebSocket path: the first of the project's own and the usual ones that answers 101."""
    if "path" not in _found:
        tried = []
        found = None
        for path in dict.fromkeys([*code_paths(), *USUAL_PATHS]):
            try:
                ws = app.websocket_connect(_with_name(path, f"grader-probe-{len(tried)}"), timeout=WAIT)
            except ExchangeError as exc:
                tried.append(f"{path} ({exc.message})")
                continue
            ws.close()  # cleanly: a server that mishandles dropped clients must not fail every test for it
            found = path
            break
        _found["path"] = (found, tried)
    return _found["path"]


@dataclass(frozen=True)
class Room:
    """How this project's clients talk: the path, the shape of a message, and whether each client
    sends its name as its first frame."""

    path: str
    shape: int
    hello: bool
    protocol: Protocol | None = None  # the frames the project's own client sends, when none of SHAPES works

    def join(self, app, stack, name):
        """Connect `name` (closed when `stack` ends, unless None). The ping's round trip gives the
        server the moment it needs to count the new client in, before the test goes on."""
        ws = app.websocket_connect(_with_name(self.path, name), timeout=WAIT)
        if stack is not None:
            stack.enter_context(ws)
        ws.ping()
        if self.hello:
            ws.send_text(name)
            ws.ping()
        if self.protocol is not None and self.protocol.sign_in is not None:
            while _next(ws, time.monotonic() + 0.05) is not None:
                pass  # a greeting ("please sign in") sent on connecting
            ws.send_text(json.dumps(self.protocol.sign_in_values(name, f"Grader-{name}-pw1!")))
            _next(ws, time.monotonic() + WAIT)  # the answer to the sign-in (a password hash takes a moment)
            ws.ping()
        return ws

    def say(self, ws, text):
        if self.protocol is not None:
            ws.send_text(json.dumps(self.protocol.message_values(text), ensure_ascii=False))
        else:
            ws.send_text(SHAPES[self.shape][1](text))

    def described(self):
        if self.protocol is not None:
            return self.protocol.described()
        how = SHAPES[self.shape][0]
        return f"{how}, after each client sent its name" if self.hello else how


def _try_room(app, rng, room):
    """Whether a message one client sends this way reaches another connected client."""
    text = _text(rng)
    try:
        with ExitStack() as stack:
            listener = room.join(app, stack, _name(rng, "probe"))
            sender = room.join(app, stack, _name(rng, "probe"))
            room.say(sender, text)
            until = time.monotonic() + WAIT
            while (frame := _next(listener, until)) is not None:
                if _carries(frame, text):
                    return True
    except ExchangeError:
        pass
    return False


def _discover(app, rng):
    """The project's Room, or None when no way of sending made a message reach another client."""
    if "room" not in _found:
        path, _ = _path(app)
        room, tried = None, []
        if path is not None:
            ways = [Room(path, shape, False) for shape in range(len(SHAPES))] + [Room(path, 0, True)]
            ways += [Room(path, 0, False, protocol) for protocol in protocols()]
            for way in ways:
                if _try_room(app, rng, way):
                    room = way
                    break
                tried.append(way.described())
        _found["room"], _found["tried"] = room, tried
    return _found["room"]


def _room(app, rng):
    """The Room, for a test that needs broadcasting to work: not graded when it does not."""
    room = _discover(app, rng)
    if room is None:
        not_graded("not graded yet: no message reached another client; make the test broadcast_all pass first")
    return room


def _ws_path(app):
    """The WebSocket path, for a craft test of the brief's own protocol."""
    path, _ = _path(app)
    if path is None:
        not_graded("not graded yet: no WebSocket handshake succeeded; make the test websocket_handshake pass first")
    return path


def _join_json(app, stack, path, name):
    """Connect `name` to `path` as the brief's protocol does (/ws?name=<name>), then ping."""
    ws = app.websocket_connect(_with_name(path, name), timeout=WAIT)
    if stack is not None:
        stack.enter_context(ws)
    ws.ping()
    return ws


# --- scenarios shared by several tests ------------------------------------------------------------


def _relay(app, rng, room, tag, count):
    """Three senders send `count` messages each, all at once, and two more clients only listen.
    Returns the senders, what each sent, and for each client the (sender, index) of the messages
    of the others it received, in the order they arrived."""
    senders = [_name(rng, f"{tag}{i}") for i in range(3)]
    listeners = [_name(rng, f"{tag}-listen{i}") for i in range(2)]
    marks = rng.sample(range(10**5, 10**6), 3 * count)
    sent = {
        sender: [f"{i:02d} {rng.choice(PHRASES)} #{marks[k * count + i]}" for i in range(count)]
        for k, sender in enumerate(senders)
    }
    owner = {sent[s][i].rsplit("#", 1)[1]: (s, i) for s in senders for i in range(count)}
    received = {}
    with ExitStack() as stack:
        clients = {name: room.join(app, stack, name) for name in senders + listeners}

        def send_all(index):
            sender = senders[index]
            for text in sent[sender]:
                room.say(clients[sender], text)

        for result in run_concurrently(send_all, len(senders), timeout=15):
            result.result()

        until = time.monotonic() + ORDER_WAIT
        for name, ws in clients.items():
            wanted = {(s, i) for s in senders if s != name for i in range(count)}
            got = []
            while len(got) < len(wanted) and (frame := _next(ws, until)) is not None:
                for mark in re.findall(r"#(\d{6})", _decoded(frame)):
                    key = owner.get(mark)
                    if key in wanted and key not in got and _carries(frame, sent[key[0]][key[1]]):
                        got.append(key)
            received[name] = (wanted, got)
    return senders, sent, received


def _survives(app, rng, tag, leave):
    """Three clients; one leaves (`leave(ws)`); the two others still exchange messages, and a client
    that connects afterwards receives the next ones."""
    room = _room(app, rng)
    first, second, gone, late = (_name(rng, f"{tag}{i}") for i in range(4))
    with ExitStack() as stack:
        a = room.join(app, stack, first)
        b = room.join(app, stack, second)
        leave(room.join(app, None, gone))
        time.sleep(SETTLE)
        text = _text(rng)
        room.say(a, text)
        _expect(b, text, f'the client "{second}" (after "{gone}" left, "{first}" sent a message)')
        try:
            d = room.join(app, stack, late)
        except ExchangeError as exc:
            fail(f'after "{gone}" left, a new client could not connect: {exc.message}')
        text = _text(rng)
        room.say(b, text)
        until = time.monotonic() + WAIT
        _expect(a, text, f'the client "{first}" (after "{gone}" left, "{second}" sent a message)', until)
        _expect(d, text, f'the client "{late}" (connected after "{gone}" left)', until)
