"""SDK test suite for APP_HOST=localhost: every kind of client reaches the realtime app where the
grader found it; test_app_address.py checks the results and the transcripts."""

import httpx

from stagecraft_grader import check, check_equal, run_concurrently


def test_http(app):
    check_equal(app.get("/hello").text, "hello", "the greeting")


def test_base_url(app, base_url):
    check_equal(base_url, app.base_url, "the base_url fixture")
    with httpx.Client(trust_env=False) as client:  # a suite's own client, as some suites have
        check_equal(client.get(f"{base_url}/hello").text, "hello", "the greeting through base_url")


def test_websocket(app):
    with app.websocket_connect("/ws/echo") as ws:
        ws.send_text("hi")
        check_equal(ws.receive_text(), "hi", "the echo")


def test_events(app):
    with app.stream_events("/events") as stream:
        check_equal(stream.next_event().data, "hello", "the first event's data")


def test_tcp(app):
    with app.tcp_connect() as conn:
        conn.send(b"GET /hello HTTP/1.1\r\nHost: localhost\r\n\r\n")
        check(conn.read_until(b"\r\n\r\n").startswith(b"HTTP/1.1 200"), "expected status 200")
        check_equal(conn.read_exact(5), b"hello", "the body")


def test_concurrent(app):
    results = run_concurrently(lambda i: app.get("/hello"), 4)
    check(all(r.result().status_code == 200 for r in results), "expected every request to succeed")
