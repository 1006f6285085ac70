"""Grader suite for the stage 7 exercise live-feed (see the exercise's README for the brief).

The app keeps running for the whole suite, so every test publishes events of its own random types
(such as "goal_qhzrt") and subscribes with `?type=` to those types only: events of other tests never
reach its streams, and a server that replays its whole history replays nothing of a fresh type.
Tests run one after another, so while a test runs nobody else publishes: ids handed out in a row
are consecutive. Waits are generous (10 s); a correct app answers in milliseconds.
"""

import json
import string

from stagecraft_grader import check, check_equal, checkpoint, fail, hint, not_graded, points, run_concurrently, title
from stagecraft_grader.shapes import find_id, unwrap

WAIT = 10  # seconds to wait for events (and for a stream's headers)
# The tests that check what the preconditions below only need to work: a precondition that cannot
# be met skips the test (worth nothing) and names the test to make pass first (no cascades).
STREAM_HEADERS = '"GET /stream answers 200 with Content-Type: text/event-stream at once"'
PUBLISH = '"POST /events answers 201 with consecutive integer ids"'
KINDS = ["goal", "card", "kickoff", "substitution", "half_time", "penalty", "corner", "var_review"]
TEAMS = ["Lions", "Falcons", "Rovers", "United", "Wanderers", "Harriers", "Comets", "Mariners"]
PLAYERS = ["Müller", "O'Brien", "Silva", "Nakamura", "Okafor", "Dubois", "Kowalski", "Jensen"]


# --- random data ------------------------------------------------------------------------------


def _type(rng):
    """An event type no other test uses, e.g. "corner_qhzrt" ([a-z_], at most 32 characters)."""
    return f"{rng.choice(KINDS)}_{''.join(rng.choices(string.ascii_lowercase, k=6))}"


def _data(rng):
    """A JSON object like a live score update, with nesting, unicode, quotes and sometimes a newline."""
    home, away = rng.sample(TEAMS, 2)
    data = {
        "match": f"{home} vs {away}",
        "minute": rng.randint(1, 90),
        "score": [rng.randint(0, 5), rng.randint(0, 5)],
    }
    extras = [
        ("player", rng.choice(PLAYERS)),
        ("var_checked", rng.choice([True, False])),
        ("details", {"assist": rng.choice([None, rng.choice(PLAYERS)]), "xg": rng.randint(1, 99) / 100}),
        ("note", rng.choice(["what a strike!", 'a "screamer"', "line one\nline two", "½ chance"])),
    ]
    data.update(rng.sample(extras, rng.randint(1, len(extras))))
    return data


# --- helpers ----------------------------------------------------------------------------------


def _publish(app, event_type, data):
    """POST /events as a precondition: the id the app gave the event.

    Its status and shape are the publishing test's to check: any 2xx answering an id will do here,
    or the test is skipped.
    """
    r = app.post("/events", json={"type": event_type, "data": data})
    try:
        body = json.loads(r.content)
    except ValueError:
        body = None
    event_id = find_id(unwrap(body)) if 200 <= r.status_code < 300 else None
    if event_id is None:
        not_graded(
            f'this test needs POST /events to publish a "{event_type}" event and answer its id (it answered '
            f"{r.status_code} {r.text[:100]!r}): make the test {PUBLISH} pass first"
        )
    return event_id


def _open(app, path, headers=None):
    """Subscribe as a precondition: the stream, once it is an event stream (200, text/event-stream).

    Whether it is one is the stream-headers test's to check: when it is not, no event can be read
    from it, and the test is skipped.
    """
    stream = app.stream_events(path, headers=headers, timeout=WAIT)
    if stream.status_code != 200 or stream.content_type != "text/event-stream":
        shown = stream.headers.get("content-type") or "no Content-Type"
        stream.close()
        not_graded(
            f"this test reads events from GET {path}, which answered {stream.status_code} with {shown} instead "
            f"of an event stream: make the test {STREAM_HEADERS} pass first"
        )
    return stream


def _shown(event):
    return {"id": event.id, "event": event.event, "data": event.data}


def _check_event(event, event_id, event_type, data, what):
    """`event` is the event published with `event_id`, `event_type` and `data`."""
    check(event.event == event_type, f"expected {what} to have event: {event_type}", got=_shown(event))
    check(event.id == str(event_id), f"expected {what} to have id: {event_id}", got=_shown(event))
    try:
        sent = json.loads(event.data)
    except ValueError:
        fail(f"expected the data: line of {what} to be the event's data as JSON on one line, got {event.data!r}")
    check_equal(sent, data, f"the data of {what} (parsed as JSON)")


def _read_expected(stream, expected, what, old_ids=(), why_old="published before it connected"):
    """Read `expected` [(id, type, data)] one event at a time, failing at the first wrong one."""
    for index, (event_id, event_type, data) in enumerate(expected, start=1):
        event = stream.next_event(timeout=WAIT)
        if event.id in old_ids:
            fail(
                f"{what} got the old event {event.id} ({why_old}) where event {event_id} was expected",
                expected=f"id: {event_id}",
            )
        _check_event(event, event_id, event_type, data, f"event {index} of {len(expected)} on {what}")


def _check_error(r, what):
    check_equal(r.status_code, 400, f"the status code of {what}")
    check_equal(r.content_type, "application/json", f"the Content-Type media type of {what}")
    body = r.json()
    check(
        isinstance(body, dict) and isinstance(body.get("error"), str),
        f'expected {what} to answer a JSON object with a string "error"',
        got=body,
    )


# --- tests ------------------------------------------------------------------------------------


@title("GET /stream answers 200 with Content-Type: text/event-stream at once")
@points(1)
@hint(
    "Answer GET /stream with status 200 and Content-Type: text/event-stream, and send the "
    "headers right away, before any event exists (Node: res.flushHeaders(); with FastAPI a "
    "StreamingResponse sends them as soon as it starts). Then keep the response open."
)
def test_stream_headers(app):
    with app.stream_events("/stream", timeout=WAIT) as stream:
        check_equal(stream.status_code, 200, "the status code of GET /stream")
        check_equal(stream.content_type, "text/event-stream", "the Content-Type media type of GET /stream")


@title("POST /events answers 201 with consecutive integer ids")
@points(1)
@hint(
    'Check the body, then answer 201 with {"id": <n>}: the first event gets id 1, the next 2, '
    "and so on, one counter for all event types."
)
def test_publish_returns_id(app, rng):
    event_type = _type(rng)
    ids = []
    for _ in range(rng.randint(2, 4)):
        r = app.post("/events", json={"type": event_type, "data": _data(rng)})
        check_equal(r.status_code, 201, "the status code of POST /events with a valid event")
        check_equal(r.content_type, "application/json", "the Content-Type media type of POST /events")
        body = r.json()
        event_id = body.get("id") if isinstance(body, dict) else None
        check(
            isinstance(event_id, int) and not isinstance(event_id, bool) and event_id >= 1,
            'expected POST /events to answer a JSON object with an integer "id" of at least 1',
            got=body,
        )
        ids.append(event_id)
    check(
        all(b == a + 1 for a, b in zip(ids, ids[1:], strict=False)),
        "expected events published one after another to get consecutive ids",
        got=ids,
    )


@title("A published event reaches a connected subscriber with its id, type and data")
@points(2)
@hint(
    "Keep the set of open streams; when an event is published, write to each of them\n"
    "id: <id>\\nevent: <type>\\ndata: <the data as compact JSON>\\n\\n\n"
    "(the blank line ends the event) and make sure it is sent at once, not buffered."
)
def test_event_reaches_subscriber(app, rng):
    event_type = _type(rng)
    with _open(app, f"/stream?type={event_type}") as stream:
        for count in (1, 2):
            data = _data(rng)
            event_id = _publish(app, event_type, data)
            what = "the first published event" if count == 1 else "the second published event"
            _check_event(stream.next_event(timeout=WAIT), event_id, event_type, data, what)


@title("A new subscriber does not get events published before it connected")
@points(1)
@hint(
    "Without a Last-Event-ID header a subscriber starts from now: send it only the events "
    "published after it connected, none from the history."
)
def test_no_old_events(app, rng):
    event_type = _type(rng)
    old_ids = {str(_publish(app, event_type, _data(rng))) for _ in range(rng.randint(2, 3))}
    with _open(app, f"/stream?type={event_type}") as stream:
        data = _data(rng)
        event_id = _publish(app, event_type, data)
        _read_expected(stream, [(event_id, event_type, data)], "a new subscriber", old_ids)


@title("Last-Event-ID replays exactly the missed events in order, then continues live")
@points(3)
@hint(
    "When GET /stream carries Last-Event-ID: <n>, first send every kept event with an id "
    "greater than n, oldest first, then the live ones. Register the subscriber in the same step "
    "as you take the missed events from the history, so that nothing falls in between or is "
    "sent twice."
)
def test_resume_with_last_event_id(app, rng):
    event_type = _type(rng)
    published = []
    for _ in range(rng.randint(4, 6)):
        data = _data(rng)
        published.append((_publish(app, event_type, data), event_type, data))
    seen = rng.randint(0, len(published) - 2)  # the subscriber saw events up to this one
    last_id = published[seen][0]
    missed = published[seen + 1 :]
    with _open(app, f"/stream?type={event_type}", headers={"Last-Event-ID": str(last_id)}) as stream:
        live_data = _data(rng)
        live_id = _publish(app, event_type, live_data)  # published now, so it must come after the replay
        old_ids = {str(event_id) for event_id, _, _ in published[: seen + 1]}
        why_old = f"its id is not greater than Last-Event-ID: {last_id}"
        with checkpoint(f"replayed the {len(missed)} events after id {last_id}", points=2):
            _read_expected(stream, missed, f"a stream resumed with Last-Event-ID: {last_id}", old_ids, why_old)
        with checkpoint("then sent the live event", points=1):
            _read_expected(
                stream,
                [(live_id, event_type, live_data)],
                "a resumed stream, after the replayed events",
                old_ids,
                why_old,
            )


@title("GET /stream?type=<t> receives only the events of that type")
@points(2)
@hint(
    "Remember each subscriber's ?type= and, when publishing, write the event only to the "
    "subscribers without a filter and those whose filter is exactly the event's type."
)
def test_type_filter(app, rng):
    first, second = _type(rng), _type(rng)
    kinds = [first, first, second, second] + [rng.choice([first, second]) for _ in range(rng.randint(1, 3))]
    rng.shuffle(kinds)
    kinds.append(first)  # ends with `first`: a stray `second` would show up before it
    with _open(app, f"/stream?type={first}") as first_stream, _open(app, f"/stream?type={second}") as second_stream:
        published = []
        for kind in kinds:
            data = _data(rng)
            published.append((_publish(app, kind, data), kind, data))
        for event_type, stream in ((first, first_stream), (second, second_stream)):
            expected = [event for event in published if event[1] == event_type]
            _read_expected(stream, expected, f"GET /stream?type={event_type}")


@title("Five subscribers each get every event, in the same order")
@points(2)
@hint(
    "Send each event to every open stream, in id order. Assign the id and write to the streams "
    "in one step, so that two events published at the same moment cannot overtake each other."
)
def test_concurrent_subscribers(app, rng):
    event_type = _type(rng)
    count = rng.randint(3, 6)
    payloads = [_data(rng) for _ in range(count)]
    streams = [_open(app, f"/stream?type={event_type}") for _ in range(5)]
    results = run_concurrently(lambda i: _publish(app, event_type, payloads[i]), count, timeout=WAIT)
    by_id = {result.result(): payloads[result.index] for result in results}
    ids = sorted(by_id)
    expected = [(event_id, event_type, by_id[event_id]) for event_id in ids]
    for number, stream in enumerate(streams, start=1):
        with stream:
            events = stream.read_events(count, timeout=WAIT)
            check_equal(
                [event.id for event in events],
                [str(event_id) for event_id in ids],
                f"the ids subscriber {number} of 5 received, in order",
            )
            for event, (event_id, _, data) in zip(events, expected, strict=True):
                _check_event(event, event_id, event_type, data, f"event {event_id} on subscriber {number}")


@title("POST /events rejects an invalid event with 400 and a JSON error")
@points(2)
@hint(
    'Answer 400 with {"error": "..."} unless the body is a JSON object whose "type" is a '
    'string of 1 to 32 characters a-z or _ and whose "data" is a JSON object.'
)
def test_reject_invalid_events(app, rng):
    kind = rng.choice(KINDS)
    data = _data(rng)
    bad_types = [
        ('no "type"', {"data": data}),
        ('an empty "type"', {"type": "", "data": data}),
        ('a "type" with capitals', {"type": kind.capitalize(), "data": data}),
        ('a "type" with a digit', {"type": f"{kind}{rng.randint(1, 9)}", "data": data}),
        ('a "type" with a dash', {"type": f"{kind}-{rng.choice(KINDS)}", "data": data}),
        ('a "type" of 33 characters', {"type": (kind * 33)[:33], "data": data}),
        ('a number as "type"', {"type": rng.randint(1, 99), "data": data}),
    ]
    bad_bodies = [
        ('no "data"', {"type": kind}),
        ('"data" that is an array', {"type": kind, "data": [data]}),
        ('"data" that is a string', {"type": kind, "data": json.dumps(data)}),
        ('"data" that is null', {"type": kind, "data": None}),
        ("a JSON array instead of an object", [{"type": kind, "data": data}]),
    ]
    with checkpoint('rejected events with a bad "type"', points=1):
        for what, body in rng.sample(bad_types, 4):
            _check_error(app.post("/events", json=body), f"POST /events with {what}")
    with checkpoint('rejected bad "data" and bodies that are not JSON objects', points=1):
        for what, body in rng.sample(bad_bodies, 3):
            _check_error(app.post("/events", json=body), f"POST /events with {what}")
        r = app.post("/events", content=b'{"type": "goal", "data": {', headers={"Content-Type": "application/json"})
        _check_error(r, "POST /events with a body that is not valid JSON")
