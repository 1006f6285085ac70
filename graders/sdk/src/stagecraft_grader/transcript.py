"""Transcript entries: what a test sent the app and what came back, as the event contract shows it.

Every kind fits the contract's `Exchange`: `request` is what the grader sent, `response` what the
app sent. Kinds other than "http" have no HTTP status where there is none: `status` is then 0.
"""

from __future__ import annotations

import shlex
import threading
from collections.abc import Iterable
from typing import Any, Protocol

from . import limits

# Headers httpx adds by itself; curl adds its own, so the curl line leaves them out.
_CLIENT_HEADERS = frozenset({"host", "accept", "accept-encoding", "connection", "user-agent", "content-length"})


def headers_dict(items: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Headers as a capped dict; repeated headers are joined with ", " as HTTP allows."""
    merged: dict[str, str] = {}
    for name, value in items:
        key = limits.cap(name.lower(), limits.HEADER_VALUE_LIMIT)
        if key in merged:
            merged[key] = f"{merged[key]}, {value}"
        elif len(merged) < limits.HEADER_COUNT_LIMIT:
            merged[key] = value
    return {key: limits.cap(value, limits.HEADER_VALUE_LIMIT) for key, value in merged.items()}


def curl_line(method: str, url: str, headers: Iterable[tuple[str, str]], body: bytes) -> str:
    parts = ["curl", "-i"]
    if method == "HEAD":
        parts.append("--head")
    elif method != "GET" and not (method == "POST" and body):
        parts += ["-X", method]
    for name, value in headers:
        if name.lower() not in _CLIENT_HEADERS:
            parts += ["-H", f"{name}: {value}"]
    if body:
        parts += ["--data-binary", limits.decode_body(body)[0]]
    parts.append(url)
    return limits.cap(" ".join(shlex.quote(part) for part in parts), limits.CURL_LIMIT)


def http_exchange(
    *,
    method: str,
    url: str,
    request_headers: list[tuple[str, str]],
    request_body: bytes,
    curl_url: str = "",
    status: int | None = None,
    response_headers: list[tuple[str, str]] | None = None,
    response_body: bytes = b"",
    response_cut: bool = False,
    error: str = "",
) -> dict[str, Any]:
    """One exchange as a JSON-ready dict matching the contract's `Exchange`.

    `curl_url` is the URL the curl line names, when it differs from the one requested (see `AppClient`).
    """
    exchange: dict[str, Any] = {
        "kind": "http",
        "curl": curl_line(method, curl_url or url, request_headers, request_body),
        "request": {
            "method": limits.cap(method, limits.TITLE_LIMIT),
            "url": limits.cap(url, limits.URL_LIMIT),
            "headers": headers_dict(request_headers),
            "body": limits.decode_body(request_body)[0],
        },
        "response": None,
        "error": limits.cap(error, limits.MESSAGE_LIMIT),
    }
    if status is not None:
        body, cut = limits.decode_body(response_body)
        exchange["response"] = {
            "status": status,
            "headers": headers_dict(response_headers or []),
            "body": body,
            "truncated": cut or response_cut,
        }
    return exchange


def request_part(
    method: str, url: str, body: bytes | str = b"", headers: dict[str, str] | None = None
) -> dict[str, Any]:
    return {
        "method": limits.cap(method, limits.TITLE_LIMIT),
        "url": limits.cap(url, limits.URL_LIMIT),
        "headers": headers or {},
        "body": _shown(body)[0],
    }


def response_part(
    status: int, body: bytes | str = b"", headers: dict[str, str] | None = None, cut: bool = False
) -> dict[str, Any]:
    shown, was_cut = _shown(body)
    return {"status": status, "headers": headers or {}, "body": shown, "truncated": was_cut or cut}


def exchange(
    kind: str,
    *,
    request: dict[str, Any] | None = None,
    response: dict[str, Any] | None = None,
    error: str = "",
    curl: str = "",
) -> dict[str, Any]:
    """An exchange of any kind; build its parts with `request_part` and `response_part`."""
    return {
        "kind": kind,
        "curl": limits.cap(curl, limits.CURL_LIMIT),
        "request": request,
        "response": response,
        "error": limits.cap(error, limits.MESSAGE_LIMIT),
    }


def _shown(body: bytes | str) -> tuple[str, bool]:
    if isinstance(body, str):
        body = body.encode("utf-8", "replace")
    return limits.decode_body(body)


class LiveExchange(Protocol):
    """An exchange still going on (a stream, a TCP turn): rendered when the test ends."""

    def to_exchange(self) -> dict[str, Any]: ...


class Transcript:
    """One test's exchanges; at most EXCHANGE_LIMIT are kept, so a chatty app cannot flood memory."""

    def __init__(self) -> None:
        self._entries: list[dict[str, Any] | LiveExchange] = []
        self._dropped = 0
        self._lock = threading.Lock()  # concurrent clients record from several threads

    def record(self, entry: dict[str, Any] | LiveExchange) -> None:
        with self._lock:
            if len(self._entries) < limits.EXCHANGE_LIMIT:
                self._entries.append(entry)
            else:
                self._dropped += 1

    def render(self) -> list[dict[str, Any]]:
        with self._lock:
            entries, dropped = list(self._entries), self._dropped
        shown = [entry if isinstance(entry, dict) else entry.to_exchange() for entry in entries]
        if not dropped:
            return shown
        kept = shown[: limits.EXCHANGE_LIMIT - 1]
        return [*kept, omitted_exchanges(len(shown) - len(kept) + dropped)]


def omitted_exchanges(count: int) -> dict[str, Any]:
    """Stands in for the exchanges beyond the per-test limit."""
    return {
        "kind": "note",
        "curl": "",
        "request": None,
        "response": None,
        "error": f"{count} more exchange(s) not shown",
    }
