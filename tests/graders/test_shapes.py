"""The SDK's tolerant readers: every shape a public spec leaves open is read, and a wrong one is named."""

import httpx
import pytest

from stagecraft_grader import CheckFailed
from stagecraft_grader.client import Response
from stagecraft_grader.shapes import (
    check_error,
    check_status,
    error_text,
    field,
    find_id,
    json_of,
    same_id,
    unwrap,
    unwrap_list,
)


def _response(status=200, body=b"", content_type="application/json"):
    headers = httpx.Headers({"content-type": content_type} if content_type else {})
    return Response(status_code=status, headers=headers, content=body, url="http://app/x")


@pytest.mark.parametrize(
    "body",
    [
        {"error": "title is required"},
        {"message": "title is required"},
        {"detail": "title is required"},
        {"detail": [{"loc": ["body", "title"], "msg": "field required", "type": "missing"}]},
        {"errors": [{"msg": "Invalid value", "path": "title"}]},
        {"error": {"code": 400, "message": "title is required"}},
        {"success": False, "data": {"message": "title is required"}},
    ],
)
def test_error_text_reads_every_common_error_shape(body):
    assert error_text(body)


@pytest.mark.parametrize("body", [{}, {"title": "x"}, [], {"error": ""}, 42, None])
def test_error_text_is_none_without_a_message(body):
    assert error_text(body) is None


def test_check_error_accepts_any_allowed_status_and_names_the_wanted_ones():
    check_error(_response(422, b'{"detail": "bad"}'), (400, 422), "POST /todos")
    with pytest.raises(CheckFailed) as failed:
        check_error(_response(500, b'{"error": "bad"}'), (400, 422), "POST /todos")
    assert "400 or 422" in failed.value.message and "got 500" in failed.value.message


def test_check_error_without_a_message_says_what_a_json_error_looks_like():
    with pytest.raises(CheckFailed) as failed:
        check_error(_response(400, b'{"ok": false}'), 400, "POST /todos")
    assert '"message"' in failed.value.message and '{"ok": false}' in failed.value.message
    check_error(_response(404, b"", content_type=""), 404, "GET /todos/9", body=False)


def test_json_of_reads_json_whatever_the_declared_type_and_names_a_body_that_is_not():
    assert json_of(_response(body=b'{"a": 1}', content_type="text/html"), "GET /x") == {"a": 1}
    with pytest.raises(CheckFailed) as failed:
        json_of(_response(body=b"<h1>hi</h1>", content_type="text/html"), "GET /x")
    assert "GET /x" in failed.value.message and "<h1>hi</h1>" in failed.value.message
    with pytest.raises(CheckFailed, match="empty body"):
        json_of(_response(body=b""), "GET /x")


def test_check_status_quotes_the_rule():
    with pytest.raises(CheckFailed) as failed:
        check_status(_response(200), 201, "POST /x", rule="respond with 201 Created")
    assert "(the spec: respond with 201 Created)" in failed.value.message


@pytest.mark.parametrize(
    ("record", "expected"),
    [
        ({"id": 7}, 7),
        ({"id": "7"}, "7"),
        ({"_id": "65a1f0"}, "65a1f0"),
        ({"id": True}, None),
        ({"id": ""}, None),
        ({"title": "x"}, None),
        ("7", None),
    ],
)
def test_find_id(record, expected):
    assert find_id(record) == expected


def test_same_id_compares_ids_as_text():
    assert same_id(7, "7") and not same_id(7, 8) and not same_id(None, None)


def test_unwrap_finds_a_record_bare_or_in_one_envelope():
    record = {"id": 1, "title": "x"}
    assert unwrap(record) is record
    assert unwrap({"data": record}) is record
    assert unwrap({"todo": record}) is record
    assert unwrap({"success": True, "data": record}) is record
    assert unwrap({"a": {"b": record}}) is None
    assert unwrap({"data": {"title": "x"}}, looks_like=("title",)) == {"title": "x"}
    assert unwrap([record]) is None


def test_unwrap_list_finds_a_list_bare_or_in_one_envelope():
    items = [{"id": 1}]
    assert unwrap_list(items) is items
    assert unwrap_list({"data": items, "page": 1}) is items
    assert unwrap_list({"todos": items, "total": 1}) is items
    assert unwrap_list({"posts": items, "tags": []}, prefer=("posts",)) is items
    assert unwrap_list({"a": 1}) is None


def test_field_reads_the_first_name_in_any_case_or_separator():
    record = {"short_code": "abc", "accessCount": 3}
    assert field(record, "shortCode", "code") == "abc"
    assert field(record, "access_count") == 3
    assert field(record, "missing") is None
