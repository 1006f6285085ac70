"""Waiting for the learner's app to accept connections."""

from __future__ import annotations

import socket
import time

POLL_INTERVAL = 0.05


def wait_for_port(host: str, port: int, timeout: float) -> bool:
    """Poll until a TCP connection to host:port succeeds; False if it never does within `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        remaining = deadline - time.monotonic()
        try:
            with socket.create_connection((host, port), timeout=max(0.05, min(1.0, remaining))):
                return True
        except OSError:
            pass
        if time.monotonic() + POLL_INTERVAL > deadline:
            return False
        time.sleep(POLL_INTERVAL)


def did_not_start_message(port: int, timeout: float) -> str:
    return (
        f"Your app did not accept connections on port {port} within {timeout:g} s. "
        "Check that it listens on the port given in $PORT and on 0.0.0.0 or 127.0.0.1."
    )
