"""The documented-api suite, first half: the bookmarks API itself (see the exercise's README).

The app keeps running for the whole suite, so every test creates the bookmarks it needs and uses
the ids the app hands out, integers or strings.
"""

from bookmarks import (
    NOT_HTTP_URLS,
    NOT_URLS,
    bad_url,
    bookmark_body,
    check_bookmark,
    check_rejected,
    create_bookmark,
    item_path,
    json_body,
    list_bookmarks,
    missing_id,
    random_token,
)
from openapi_check import COLLECTION

from stagecraft_grader import WORDS, check, check_equal, checkpoint, hint, points, title

# --- tests: the API ---------------------------------------------------------------------------


@title("POST /bookmarks creates a bookmark and answers 201 with it")
@points(2)
@hint(
    "Answer 201 with the stored bookmark as JSON: the url, title and tags you were sent (tags "
    'defaults to [] when not sent), an "id" and a "created_at" such as "2026-03-01T12:30:00Z".'
)
def test_create_bookmark(app, rng):
    body = bookmark_body(rng)
    with checkpoint("created a bookmark with tags", points=1):
        check_bookmark(json_body(app.post(COLLECTION, json=body), 201, "POST /bookmarks"), body, "the created bookmark")
    body = bookmark_body(rng, tags=None)
    body["title"] = (body["title"] + " " + random_token(rng) * 20)[:200]
    check_bookmark(
        json_body(
            app.post(COLLECTION, json=body), 201, "POST /bookmarks without tags and with a title of 200 characters"
        ),
        body,
        "the bookmark created without tags",
    )


@title("POST /bookmarks rejects an invalid body with 400 or 422")
@points(2)
@hint(
    "Check the body before storing anything: url must be a string holding an http or https URL, "
    "title a string of 1 to 200 characters, tags (if sent) an array of strings. Answer 400 or "
    "422 otherwise, never 500 (a crash) and never 201."
)
def test_create_validation(app, rng):
    marker = random_token(rng)
    titled = f"{marker} {rng.choice(WORDS)}"
    cases = [
        ('without "url"', bookmark_body(rng, url=None, title=titled)),
        ('without "title"', bookmark_body(rng, title=None)),
        ('with a "url" that is not http or https', bookmark_body(rng, url=rng.choice(NOT_HTTP_URLS), title=titled)),
        ('with a "url" that is not a URL', bookmark_body(rng, url=rng.choice(NOT_URLS), title=titled)),
        ('with a number as "url"', bookmark_body(rng, url=rng.randint(1, 9999), title=titled)),
        ('with an empty "title"', bookmark_body(rng, title="")),
        ('with a "title" of 201 characters', bookmark_body(rng, title=(titled + " " + "x" * 201)[:201])),
        ('with "tags" that is a string', bookmark_body(rng, title=titled, tags=",".join(rng.sample(WORDS, 2)))),
        (
            'with "tags" holding numbers',
            bookmark_body(rng, title=titled, tags=[rng.randint(1, 99), rng.randint(1, 99)]),
        ),
        ("with a JSON array instead of an object", [bookmark_body(rng, title=titled)]),
    ]
    with checkpoint(f"rejected a body {cases[0][0]} and {cases[1][0]}", points=1):
        for what, body in cases[:2]:
            check_rejected(app.post(COLLECTION, json=body), f"POST /bookmarks {what}")
    for what, body in cases[2:]:
        check_rejected(app.post(COLLECTION, json=body), f"POST /bookmarks {what}")
    r = app.post(COLLECTION, content=b'{"url": "https://unfinished', headers={"Content-Type": "application/json"})
    check_rejected(r, "POST /bookmarks with a body that is not valid JSON")
    stored = [b.get("title") for b in list_bookmarks(app) if marker in str(b.get("title"))]
    check(not stored, "expected the rejected bodies to create no bookmark, but GET /bookmarks lists some", got=stored)


@title("GET /bookmarks/{id} and GET /bookmarks answer 200 with the bookmark")
@points(1)
@hint(
    "Look the bookmark up by the id in the path and answer 200 with the same JSON object that "
    "POST /bookmarks answered; GET /bookmarks answers 200 with an array of all of them."
)
def test_read_bookmark(app, rng):
    created = create_bookmark(app, bookmark_body(rng))
    path = item_path(created["id"])
    check_equal(json_body(app.get(path), 200, f"GET {path}"), created, f"the bookmark GET {path} answered")
    listed = [b for b in list_bookmarks(app, strict=True) if b.get("id") == created["id"]]
    check_equal(listed, [created], "the bookmark just created, as GET /bookmarks lists it")


@title("GET, PATCH and DELETE on an id no bookmark has answer 404")
@points(1)
@hint(
    "When no bookmark has the id in the path, answer 404 for GET, PATCH and DELETE alike. "
    "PATCH must not create a bookmark."
)
def test_missing_bookmark_404(app, rng):
    created = create_bookmark(app, bookmark_body(rng))
    path = item_path(missing_id(rng, created["id"]))
    check_equal(app.get(path).status_code, 404, f"the status code of GET {path}")
    check_equal(app.patch(path, json={"title": random_token(rng)}).status_code, 404, f"the status code of PATCH {path}")
    check_equal(app.delete(path).status_code, 404, f"the status code of DELETE {path}")
    check_equal(app.get(path).status_code, 404, f"the status code of GET {path} after the PATCH")


@title("PATCH /bookmarks/{id} changes only the fields sent")
@points(2)
@hint(
    "PATCH takes a partial body: change the fields it holds, keep the others (and id and "
    "created_at), and answer 200 with the whole bookmark. Validate the fields it holds as POST "
    "does: a bad url answers 400 or 422 and changes nothing."
)
def test_patch_bookmark(app, rng):
    created = create_bookmark(app, bookmark_body(rng))
    path = item_path(created["id"])
    new_title = f"{random_token(rng)} {rng.choice(WORDS)}"
    expected = {**created, "title": new_title}
    with checkpoint("PATCH changed the title alone", points=1):
        data = json_body(app.patch(path, json={"title": new_title}), 200, f'PATCH {path} with only "title"')
        check_equal(data, expected, f'the bookmark PATCH {path} answered (only "title" changed)')
    new_tags = rng.sample(WORDS, rng.randint(1, 3))
    expected = {**expected, "tags": new_tags}
    data = json_body(app.patch(path, json={"tags": new_tags}), 200, f'PATCH {path} with only "tags"')
    check_equal(data, expected, f'the bookmark PATCH {path} answered (only "tags" changed)')
    check_rejected(app.patch(path, json={"url": bad_url(rng)}), f'PATCH {path} with a bad "url"')
    check_equal(
        json_body(app.get(path), 200, f"GET {path}"),
        expected,
        f"the bookmark GET {path} answers after the two PATCHes and a rejected one",
    )


@title("DELETE /bookmarks/{id} answers 204 and the bookmark is gone")
@points(1)
@hint("Remove the bookmark and answer 204 with an empty body; afterwards GET on its id answers 404.")
def test_delete_bookmark(app, rng):
    created = create_bookmark(app, bookmark_body(rng))
    path = item_path(created["id"])
    r = app.delete(path)
    check_equal(r.status_code, 204, f"the status code of DELETE {path}")
    check_equal(r.content, b"", f"the body of DELETE {path}")
    check_equal(app.get(path).status_code, 404, f"the status code of GET {path} after the delete")


@title("GET /bookmarks?tag= lists only the bookmarks with that tag")
@points(2)
@hint("Keep a bookmark when the tag is one of its tags, exactly (same case). Without ?tag, list every bookmark.")
def test_tag_filter(app, rng):
    tag = random_token(rng)
    tagged = [
        create_bookmark(app, bookmark_body(rng, tags=rng.sample(WORDS, 2) + [tag])) for _ in range(rng.randint(2, 3))
    ]
    create_bookmark(app, bookmark_body(rng))
    create_bookmark(app, bookmark_body(rng, tags=[tag.upper()], title=f"Not {tag}"))  # another case: another tag
    found = sorted(map(str, (b.get("id") for b in list_bookmarks(app, {"tag": tag}))))
    check_equal(found, sorted(str(b["id"]) for b in tagged), f"the ids GET /bookmarks?tag={tag} answered")
