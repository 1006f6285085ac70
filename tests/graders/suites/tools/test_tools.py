"""SDK test suite for the tools of later exercises, run against apps/realtime."""

from stagecraft_grader import (
    check,
    check_equal,
    checkpoint,
    deadline,
    points,
    run_concurrently,
)


@points(3)
def test_checkpoints_partial(app):
    with checkpoint("said hello", points=1):
        check_equal(app.get("/hello").text, "hello", "the greeting")
    with checkpoint("echoed over a WebSocket", points=1):
        with app.websocket_connect("/ws/echo") as ws:
            ws.send_text("hi")
            check_equal(ws.receive_text(), "bye", "the echo")
    with checkpoint("never reached", points=1):
        pass


@points(2)
def test_checkpoints_all_reached(app):
    with checkpoint("first", points=0.5):
        app.get("/hello")
    with checkpoint("second", points=0.5):
        app.get("/hello")


@points(2)
def test_failure_after_the_checkpoints(app):
    with checkpoint("said hello", points=1):
        app.get("/hello")
    check(False, "the last check failed")


@points(1)
def test_checkpoints_exceed_points(app):
    with checkpoint("one", points=1):
        pass
    with checkpoint("two", points=1):
        pass


def test_checkpoint_never_entered(app):
    checkpoint("forgot the with")


@deadline(0.5)
def test_deadline_exceeded(app):
    app.get("/slow", timeout=5)


@points(2)
@deadline(0.5)
def test_deadline_inside_a_checkpoint(app):
    with checkpoint("fast", points=1):
        app.get("/hello")
    with checkpoint("slow", points=1):
        try:
            app.get("/slow", timeout=5)
        except Exception:  # a suite cannot swallow the deadline by accident
            pass


@deadline(5)
def test_deadline_met(app):
    check_equal(app.get("/hello").status_code, 200, "the status")


def test_websocket_transcript(app):
    with app.websocket_connect("/ws/echo") as ws:
        ws.send_json({"n": 1})
        check_equal(ws.receive_json(), {"n": 2}, "the echoed message")


def test_sse_transcript(app):
    with app.stream_events("/events/slow") as stream:
        stream.next_event()
        stream.next_event(timeout=0.2)


def test_tcp_transcript(app):
    with app.tcp_connect() as conn:
        conn.send(b"GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
        conn.read_until(b"NEVER", timeout=0.2)


def test_concurrent_clients(app):
    results = run_concurrently(lambda i: app.get("/hello").status_code, 5)
    check_equal([r.result() for r in results], [200] * 5, "the statuses")
