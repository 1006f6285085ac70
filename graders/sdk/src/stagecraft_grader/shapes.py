"""Reading an API's answers the way a careful human does: every shape the spec leaves open is accepted.

A public spec shows one example of each answer and leaves the rest to the developer. A person who
reads the answers accepts a record bare or wrapped in one envelope (`{"data": {...}}`), an id as a
number or a string (`id` or `_id`), an error body keyed `error`, `message`, `detail` or `errors`,
and any status code within the spec's meaning (400 or 422 for a validation error). These readers
do the same, so a suite's helpers find what they need in any accepted shape and a wrong shape
costs the one test that checks it, never every test that needs a record first.
"""

from __future__ import annotations

import json as json_module
from collections.abc import Callable, Collection, Iterable
from typing import Any

from .checks import check, fail, show
from .client import Response

# Keys under which an API wraps one record or a list ({"data": ...}, {"todo": ...}, {"items": [...]}).
ENVELOPE_KEYS = ("data", "result", "results", "item", "items", "record", "payload", "body", "content", "value")
ID_KEYS = ("id", "_id", "ID", "Id", "uuid")
ERROR_KEYS = ("error", "message", "detail", "errors", "msg", "error_message", "errorMessage")
# 400 and 422 both mean "your request's content is wrong"; either is within a spec's "400 Bad Request".
VALIDATION = (400, 422)


def is_json(r: Response) -> bool:
    """Whether the answer says it is JSON: application/json, or a +json type such as problem+json."""
    media = r.content_type
    return media == "application/json" or (media.startswith("application/") and media.endswith("+json"))


def json_of(r: Response, what: str) -> Any:
    """The answer's JSON body, whatever Content-Type it declares (a person reading it with curl sees JSON).

    A body that does not parse fails with `what`; whether the type is declared is a check of its own.
    """
    if not r.content.strip():
        fail(f"expected {what} to answer a JSON body, got an empty body")
    try:
        return json_module.loads(r.content)
    except ValueError:
        fail(f"expected {what} to answer a JSON body, got {show(r.text[:200])}")


def check_status(r: Response, allowed: int | Collection[int], what: str, *, rule: str = "") -> None:
    """The status code is one of `allowed` (a spec's meaning often allows more than one)."""
    codes = (allowed,) if isinstance(allowed, int) else tuple(allowed)
    if r.status_code in codes:
        return
    wanted = " or ".join(str(c) for c in codes)
    fail(f"expected the status code of {what} to be {wanted}{_rule(rule)}, got {r.status_code}")


def error_text(data: Any) -> str | None:
    """The message of an error body in any common shape, or None when `data` holds no error message.

    `{"error": "..."}`, `{"message": "..."}`, `{"detail": "..."}` (or FastAPI's list of details),
    `{"errors": [...]}`, `{"error": {"message": "..."}}`, and a body wrapped in one envelope.
    """
    if isinstance(data, str):
        return data.strip() or None
    if isinstance(data, list):
        texts = [t for t in (error_text(item) for item in data) if t]
        return "; ".join(texts) or None
    if not isinstance(data, dict):
        return None
    for key in ERROR_KEYS:
        if key in data:
            value = data[key]
            if isinstance(value, str) and value.strip():
                return value.strip()
            if isinstance(value, (dict, list)) and value:
                return error_text(value) or show(value)
    if "msg" in data and isinstance(data["msg"], str):
        return data["msg"]
    inner = _single_envelope(data)
    return error_text(inner) if inner is not None else None


def check_error(r: Response, allowed: int | Collection[int], what: str, *, body: bool = True, rule: str = "") -> None:
    """An error answer: a status in `allowed` and, when `body`, a JSON body carrying a message in any shape."""
    check_status(r, allowed, what, rule=rule)
    if not body:
        return
    data = json_of(r, what)
    check(
        error_text(data) is not None,
        f'expected {what} to answer a JSON error, e.g. {{"error": "..."}} or {{"message": "..."}}',
        got=data,
    )


def find_id(record: Any) -> str | int | None:
    """The record's id (`id`, `_id`, `uuid`...), a non-boolean integer or a non-empty string; else None."""
    if not isinstance(record, dict):
        return None
    for key in ID_KEYS:
        value = record.get(key)
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip():
            return value
    return None


def same_id(a: Any, b: Any) -> bool:
    """Ids compare as text: 7 and "7" are the same record's id."""
    return a is not None and b is not None and str(a) == str(b)


def unwrap(data: Any, looks_like: Callable[[dict[str, Any]], bool] | Iterable[str] = ()) -> dict[str, Any] | None:
    """The record in `data`: `data` itself, or the one record inside one envelope; None when there is none.

    `looks_like` says what the record is: a predicate, or field names of which the record holds at
    least one (by default: any id key). `{"todo": {...}}`, `{"data": {...}}` and
    `{"success": true, "data": {...}}` are all unwrapped; two levels of wrapping are not.
    """
    if callable(looks_like):
        predicate = looks_like
    else:
        names = tuple(looks_like) or ID_KEYS
        predicate = lambda value: any(name in value for name in names)  # noqa: E731
    if not isinstance(data, dict):
        return None
    if predicate(data):
        return data
    inner = [value for value in data.values() if isinstance(value, dict) and predicate(value)]
    if len(inner) == 1:
        return inner[0]
    for key in ENVELOPE_KEYS:
        value = data.get(key)
        if isinstance(value, dict) and predicate(value):
            return value
    return None


def unwrap_list(data: Any, prefer: Iterable[str] = ()) -> list[Any] | None:
    """The list in `data`: `data` itself, or the one list inside one envelope (`data`, `items`, `todos`...)."""
    if isinstance(data, list):
        return data
    if not isinstance(data, dict):
        return None
    for key in (*prefer, *ENVELOPE_KEYS):
        value = data.get(key)
        if isinstance(value, list):
            return value
    lists = [value for value in data.values() if isinstance(value, list)]
    if len(lists) == 1:
        return lists[0]
    inner = _single_envelope(data)
    return unwrap_list(inner, prefer) if isinstance(inner, dict) else None


def field(record: dict[str, Any], *names: str) -> Any:
    """The first of `names` the record has (`"shortCode", "short_code", "code"`), or None."""
    for name in names:
        if name in record:
            return record[name]
    lowered = {key.lower().replace("_", ""): key for key in record}
    for name in names:
        key = lowered.get(name.lower().replace("_", ""))
        if key is not None:
            return record[key]
    return None


def _single_envelope(data: dict[str, Any]) -> Any:
    for key in ENVELOPE_KEYS:
        if key in data and isinstance(data[key], (dict, list)):
            return data[key]
    return None


def _rule(rule: str) -> str:
    return f" (the spec: {rule})" if rule else ""
