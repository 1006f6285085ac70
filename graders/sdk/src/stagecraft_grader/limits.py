"""Size caps that keep a hostile app from blowing up the event stream."""

from __future__ import annotations

READ_LIMIT = 1024 * 1024  # bytes of a response body the client reads at most
BODY_LIMIT = 4096  # bytes of a request or response body kept in a transcript
MESSAGE_LIMIT = 2048  # message, expected, hint, error
TITLE_LIMIT = 200
URL_LIMIT = 2048
CURL_LIMIT = 8192
HEADER_VALUE_LIMIT = 1024
HEADER_COUNT_LIMIT = 50
EXCHANGE_LIMIT = 50  # exchanges kept in one test's transcript

_ELLIPSIS = "…"


def clean_text(text: str) -> str:
    """Replace anything that cannot be encoded as UTF-8 (lone surrogates)."""
    return text.encode("utf-8", "replace").decode("utf-8")


def cap(text: str, limit: int) -> str:
    """Clean `text` and cut it to at most `limit` UTF-8 bytes, marking the cut with an ellipsis."""
    encoded = clean_text(text).encode("utf-8")
    if len(encoded) <= limit:
        return encoded.decode("utf-8")
    room = limit - len(_ELLIPSIS.encode("utf-8"))
    return encoded[:room].decode("utf-8", "ignore") + _ELLIPSIS


def decode_body(body: bytes, limit: int = BODY_LIMIT) -> tuple[str, bool]:
    """Decode bytes for display (invalid UTF-8 replaced); return the text and whether it was cut."""
    text = body[:limit].decode("utf-8", "replace")
    # Replacement characters take 3 bytes where the bad byte took 1: cap again by bytes.
    capped = cap(text, limit)
    return capped, len(body) > limit or capped != text
