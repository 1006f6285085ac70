"""Transcript entries: one HTTP exchange as the event contract shows it, with a runnable curl line."""

from __future__ import annotations

import shlex
from typing import Any, Iterable

from . import limits

# Headers httpx adds by itself; curl adds its own, so the curl line leaves them out.
_CLIENT_HEADERS = frozenset(
    {"host", "accept", "accept-encoding", "connection", "user-agent", "content-length"}
)


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
    status: int | None = None,
    response_headers: list[tuple[str, str]] | None = None,
    response_body: bytes = b"",
    response_cut: bool = False,
    error: str = "",
) -> dict[str, Any]:
    """One exchange as a JSON-ready dict matching the contract's `Exchange`."""
    exchange: dict[str, Any] = {
        "kind": "http",
        "curl": curl_line(method, url, request_headers, request_body),
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


def omitted_exchanges(count: int) -> dict[str, Any]:
    """Stands in for the exchanges beyond the per-test limit."""
    return {
        "kind": "note",
        "curl": "",
        "request": None,
        "response": None,
        "error": f"{count} more exchange(s) not shown",
    }
