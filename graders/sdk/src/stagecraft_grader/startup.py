"""Waiting for the learner's app to accept connections, and saying what it listens on when it never does."""

from __future__ import annotations

import ipaddress
import socket
import time
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import Path

POLL_INTERVAL = 0.05
# The grader shares the app's network namespace, so these list the app's listening sockets too.
PROC_NET_TCP = (Path("/proc/net/tcp"), Path("/proc/net/tcp6"))
_LISTEN = "0A"  # TCP_LISTEN, in the `st` column
_WILDCARDS = ("0.0.0.0", "::")  # bound to every address, loopback included
_PORTS_NAMED = 5  # a message names at most this many ports


def first_to_accept(hosts: Sequence[str], port: int, timeout: float) -> str | None:
    """Poll `hosts` in turn, one per poll, until one accepts a TCP connection on `port`.

    Returns that host, or None when none did within `timeout` (each is tried at least once). A host
    this machine cannot use at all, such as ::1 without IPv6, simply fails like a closed port.
    """
    deadline = time.monotonic() + timeout
    attempts = 0
    while True:
        host = hosts[attempts % len(hosts)]
        attempts += 1
        remaining = deadline - time.monotonic()
        try:
            with socket.create_connection((host, port), timeout=max(0.05, min(1.0, remaining))):
                return host
        except OSError:
            pass
        if attempts >= len(hosts) and time.monotonic() + POLL_INTERVAL > deadline:
            return None
        time.sleep(POLL_INTERVAL)


@dataclass(frozen=True, order=True)
class Listener:
    """A listening TCP socket: its port and the address it is bound to ("0.0.0.0", "::1"...)."""

    port: int
    address: str


def parse_listeners(text: str) -> list[Listener]:
    """The LISTEN rows of a /proc/net/tcp or /proc/net/tcp6 text; other rows are left out."""
    listeners = []
    for line in text.splitlines()[1:]:  # the first line names the columns
        fields = line.split()
        if len(fields) < 4 or fields[3] != _LISTEN:
            continue
        hex_address, _, hex_port = fields[1].partition(":")
        try:
            listeners.append(Listener(int(hex_port, 16), _address(hex_address)))
        except ValueError:
            continue  # not a row we understand: say nothing rather than something wrong
    return listeners


def _address(hex_address: str) -> str:
    # The kernel prints each 32-bit word of the address in host order: little-endian on every
    # machine the grader runs on (x86-64, arm64). "0100007F" is 127.0.0.1.
    if len(hex_address) not in (8, 32):
        raise ValueError(f"not an IPv4 or IPv6 address: {hex_address!r}")
    words = [hex_address[i : i + 8] for i in range(0, len(hex_address), 8)]
    ip = ipaddress.ip_address(b"".join(int(word, 16).to_bytes(4, "little") for word in words))
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return str(ip.ipv4_mapped)
    return str(ip)


def listening_ports(ignore: Collection[int] = (), files: Sequence[Path] = PROC_NET_TCP) -> list[Listener]:
    """What listens in this network namespace, sorted, leaving out the `ignore`d ports."""
    found: set[Listener] = set()
    for path in files:
        try:
            text = path.read_text()
        except OSError:
            continue  # no IPv6 (no tcp6 file), or not Linux at all
        found.update(listener for listener in parse_listeners(text) if listener.port not in ignore)
    return sorted(found)


def did_not_start_message(port: int, timeout: float, listeners: Sequence[Listener], tried: Collection[str]) -> str:
    """What the learner reads when the app never accepted a connection on `port` at the `tried` addresses."""
    on_port = sorted({listener.address for listener in listeners if listener.port == port})
    unreachable = [address for address in on_port if address not in (*tried, *_WILDCARDS)]
    if on_port and unreachable == on_port:
        return (
            f"Your app is listening on port {port}, but only on {_and(unreachable)}, which the grader "
            "cannot reach. Listen on 0.0.0.0 or localhost instead."
        )
    if on_port:
        return f"Your app is listening on port {port} but did not accept connections within {timeout:g} s."
    others = sorted({listener.port for listener in listeners})
    expects = f"but the grader expects port {port} (the value of $PORT)"
    if len(others) == 1:
        return (
            f"Your app is listening on port {others[0]}, {expects}. Either read the port from the PORT "
            f"environment variable, or add `port = {others[0]}` to your stagecraft.toml."
        )
    if others:
        return (
            f"Your app is listening on ports {_and(others)}, {expects}. Either read the port from the PORT "
            "environment variable, or set `port` in your stagecraft.toml to the one that serves HTTP."
        )
    return (
        f"Your app did not accept connections on port {port} within {timeout:g} s. "
        "Check that it listens on the port given in $PORT. If your app crashed, its log is below."
    )


def _and(items: Sequence[object]) -> str:
    """Items in words: "1, 2 and 3", or past a handful "1, 2, 3, 4, 5 and 2 more"."""
    shown = [str(item) for item in items[:_PORTS_NAMED]]
    if len(items) > len(shown):
        return f"{', '.join(shown)} and {len(items) - len(shown)} more"
    return shown[0] if len(shown) == 1 else f"{', '.join(shown[:-1])} and {shown[-1]}"
