"""Reading the blogging API's answers in any accepted shape, and the calls that create posts for a test."""

import json
import re
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from blog_data import TEXT_FIELDS

from stagecraft_grader import check, check_equal, fail, not_graded
from stagecraft_grader.shapes import check_status, field, find_id, json_of, unwrap, unwrap_list

# The spellings of the two timestamps a careful reader takes for the spec's createdAt/updatedAt
# (field() also ignores case and underscores: created_at, CreatedAt, createdat...).
CREATED = (
    "createdAt",
    "created",
    "createdOn",
    "createdDate",
    "createDate",
    "creationDate",
    "dateCreated",
    "insertedAt",
)
UPDATED = ("updatedAt", "updated", "updatedOn", "updatedDate", "updateDate", "modifiedAt", "modified", "lastModified")
# A date and a time: 2021-09-01T12:00:00Z, 2021-09-01 12:00:00, ...00.123456+02:00.
DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?\s*(Z|[+-]\d{2}(:?\d{2})?)?$", re.I)
# ISO-8601 with an explicit time zone, as the spec's example: 2021-09-01T12:00:00Z.
ISO_8601_ZONED = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:?\d{2})$")
CREATE_FIRST = "make the test create_post (POST /posts creates a post) pass first"


# --- reading answers in any accepted shape ----------------------------------------------------


def _looks_like_post(value):
    return "title" in value and ("content" in value or "category" in value)


def _parse(r):
    """The answer's JSON, or None when the body is empty or not JSON."""
    try:
        return json.loads(r.content) if r.content.strip() else None
    except ValueError:
        return None


def _read_post(data, lenient=False):
    """The post in an answer: bare or inside one envelope; with `lenient`, also a one-post list."""
    if lenient and isinstance(data, list) and len(data) == 1:
        data = data[0]
    return unwrap(data, looks_like=_looks_like_post)


def _tags(value):
    """Tags as a sorted list of strings (also from [{"name": "x"}]); None when they are no list."""
    if not isinstance(value, list):
        return None
    names = []
    for tag in value:
        if isinstance(tag, dict):
            tag = field(tag, "name", "title", "tag", "label", "value")
        if not isinstance(tag, str):
            return None
        names.append(tag)
    return sorted(names)


def _check_fields(post, body, what):
    """`post` holds `body`'s title, content and category as sent, and its tags in any order."""
    for name in TEXT_FIELDS:
        check_equal(post.get(name), body[name], f'the "{name}" of {what}')
    check(
        _tags(post.get("tags")) == sorted(body["tags"]),
        f'expected the "tags" of {what} to be the list sent, {json.dumps(body["tags"])} (in any order)',
        got=post.get("tags"),
    )


def _strict_post(r, what):
    """The post an answer holds, bare or in one envelope; fails the test (its own shape check) otherwise."""
    data = json_of(r, what)
    post = _read_post(data)
    if post is None:
        shown = "a list" if isinstance(data, list) else "no post object"
        fail(
            f"expected {what} to answer the post as a JSON object "
            f'(bare, or in one envelope such as {{"data": {{...}}}}), '
            f"got {shown}: {json.dumps(data)[:200]}"
        )
    return post


def _time(value):
    """A timestamp as a datetime: ISO-8601 (with or without a zone), an HTTP date, or epoch seconds or ms."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        seconds = value / 1000 if value > 10**11 else value
        try:
            return datetime.fromtimestamp(seconds, UTC)
        except (OverflowError, OSError, ValueError):
            return None
    if not isinstance(value, str):
        return None
    text = value.strip()
    if DATE_TIME.match(text):
        text = re.sub(r"(\.\d{6})\d+", r"\1", text.replace(" ", "T", 1).replace("z", "Z"))
        text = re.sub(r"\s+", "", text)
        try:
            return datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            return None
    try:  # "Wed, 01 Sep 2021 12:00:00 GMT", what Flask's jsonify makes of a datetime
        return parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None


def _comparable(a, b):
    """Two datetimes that can be compared: both naive when either has no zone."""
    if a.tzinfo is None or b.tzinfo is None:
        return a.replace(tzinfo=None), b.replace(tzinfo=None)
    return a, b


def _stamps(post):
    """(createdAt, updatedAt) of a post as (name, value, datetime or None) each, in any accepted spelling."""
    found = []
    for names in (CREATED, UPDATED):
        name = next((key for key in post if field({key: 0}, *names) is not None), None)
        value = post.get(name) if name else None
        found.append((name, value, _time(value)))
    return found


# --- preconditions ----------------------------------------------------------------------------


def _store(app, body):
    """POST /posts as the precondition of a test about something else: the answer's post, maybe None.

    Any 2xx counts as stored (the status is create_post's business); an app that cannot store a
    post at all cannot be judged here, so the test is not graded.
    """
    r = app.post("/posts", json=body)
    if not 200 <= r.status_code < 300:
        not_graded(f"POST /posts answered {r.status_code} to a valid post, so this cannot be judged: {CREATE_FIRST}")
    return _read_post(_parse(r), lenient=True)


def _listed(app):
    """GET /posts as a list of posts, or None when it answers no list."""
    r = app.get("/posts")
    if r.status_code != 200:
        return None
    posts = unwrap_list(_parse(r), prefer=("posts",))
    if posts is None:
        return None
    return [p for p in (_read_post(item, lenient=True) for item in posts) if p is not None]


def _create(app, body):
    """A stored post and its id, in whatever shape the app answers; not graded when there is none.

    When the answer holds no post with an id, the post is looked up in GET /posts by its random
    title, so a wrong answer to POST costs create_post alone.
    """
    post = _store(app, body)
    post_id = find_id(post)
    if post_id is None:
        found = [p for p in _listed(app) or [] if p.get("title") == body["title"]]
        post = found[-1] if found else post
        post_id = find_id(post)
    if post is None or post_id is None:
        not_graded(f"POST /posts answered no post with an id (nor did GET /posts list it): {CREATE_FIRST}")
    return post, post_id


def _fetch(app, post_id):
    """GET /posts/{id} read leniently: the post, or None."""
    r = app.get(f"/posts/{post_id}")
    return _read_post(_parse(r), lenient=True) if r.status_code == 200 else None


def _search_titles(app, term):
    """The titles GET /posts?term= answers (the posts may be bare or wrapped, ids of any kind)."""
    r = app.get("/posts", params={"term": term})
    check_status(r, 200, f"GET /posts?term={term}")
    posts = unwrap_list(json_of(r, f"GET /posts?term={term}"), prefer=("posts",))
    check(posts is not None, f"expected GET /posts?term={term} to answer a JSON array of posts", got=_parse(r))
    return sorted(str(field(p, "title")) for p in (_read_post(i, lenient=True) or {} for i in posts))
