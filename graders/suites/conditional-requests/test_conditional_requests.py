"""Grader suite for the stage 10 exercise conditional-requests (see the exercise's README for the brief).

The app keeps running for the whole suite, so every test creates its own documents, under a random
name that holds the test's name, with random text. ETags are only ever compared with the ones the
app handed out: the suite never assumes how an ETag is made, only that it is a quoted strong
entity-tag that follows the document's content.
"""

import re

from stagecraft_grader import WORDS, check, check_equal, checkpoint, hint, not_graded, points, title

EXTRAS = ["café", "naïve", "über", "smörgåsbord", "déjà vu", "jalapeño"]
# RFC 9110 section 8.8.3: a strong entity-tag is an opaque-tag, DQUOTE *etagc DQUOTE.
STRONG_ETAG = re.compile(r'"[\x21\x23-\x7e\x80-\xff]*"')
# The tests that check what the preconditions below only need to work: a precondition that cannot
# be met skips the test (worth nothing) and names the test to make pass first (no cascades).
PUT_AND_GET = '"PUT /docs/{name} creates (201) and replaces (200); GET answers the text"'
ETAG_PRESENT = '"GET sends a strong, quoted ETag"'
LOST_UPDATE = '"If-Match stops a lost update: a stale ETag answers 412 Precondition Failed"'
ETAG_STABLE = '"The ETag stays the same while the content does, even across an identical PUT"'


# --- random data ------------------------------------------------------------------------------


def _name(rng, tag):
    """A document name no other test uses: it holds the test's tag and a large random number."""
    return f"{tag}-{rng.choice(WORDS)}-{rng.randint(10**6, 10**9)}"


def _text(rng):
    """A few lines of text, sometimes with non-ASCII letters: the app must keep the bytes as sent."""
    lines = []
    for _ in range(rng.randint(1, 4)):
        words = [rng.choice(WORDS) for _ in range(rng.randint(2, 7))]
        if rng.random() < 0.4:
            words.insert(rng.randint(0, len(words)), rng.choice(EXTRAS))
        lines.append(" ".join(words) + f" {rng.randint(1, 9999)}.")
    return "\n".join(lines) + rng.choice(["", "\n"])


def _other_tag(rng):
    """A quoted entity-tag the app never hands out."""
    return f'"{rng.choice(WORDS)}-{rng.randint(10**6, 10**9)}"'


def _path(name):
    return f"/docs/{name}"


# --- steps shared by the tests ----------------------------------------------------------------


def _create(app, rng, tag):
    """PUT a new document as a precondition of a test about something else: (name, text).

    Its status is the first test's to check: any 2xx will do here, or the test is skipped.
    """
    name, text = _name(rng, tag), _text(rng)
    r = app.put(_path(name), content=text.encode())
    if not 200 <= r.status_code < 300:
        not_graded(
            f"this test needs PUT {_path(name)} to create a new document (it answered {r.status_code}): "
            f"make the test {PUT_AND_GET} pass first"
        )
    return name, text


def _etag(app, name, *, strict=False):
    """GET the document: its ETag.

    `strict` (for the tests about the ETag itself) fails when there is none; as a precondition of
    another test, a GET without an ETag, or with an ETag that a second GET of the unchanged
    document does not repeat (no tag sent back could ever match), skips the test.
    """
    r = app.get(_path(name))
    if r.status_code != 200:
        not_graded(
            f"this test needs GET {_path(name)} to answer the document (it answered {r.status_code}): "
            f"make the test {PUT_AND_GET} pass first"
        )
    etag = r.headers.get("etag")
    if strict:
        check(etag is not None, f"expected GET {_path(name)} to send an ETag header", got="no ETag header")
    elif etag is None:
        not_graded(f"this test needs an ETag header on GET {_path(name)}: make the test {ETAG_PRESENT} pass first")
    elif app.get(_path(name)).headers.get("etag") != etag:
        not_graded(
            f"this test needs the ETag of GET {_path(name)} to stay the same while the document does: "
            f"make the test {ETAG_STABLE} pass first"
        )
    return etag


def _replace(app, name, text, etag):
    """PUT new text with If-Match: the current ETag, as a precondition: replacing is the lost-update
    test's to check, so a refusal skips the test."""
    r = app.put(_path(name), content=text.encode(), headers={"If-Match": etag})
    if not 200 <= r.status_code < 300:
        not_graded(
            f"this test needs PUT {_path(name)} with If-Match: {etag} (the current ETag) to replace the "
            f"document (it answered {r.status_code}): make the test {LOST_UPDATE} pass first"
        )


def _check_body(app, name, text, when):
    """GET the document: it must still (or now) hold `text`."""
    r = app.get(_path(name))
    check_equal(r.status_code, 200, f"the status code of GET {_path(name)} {when}")
    check_equal(r.text, text, f"the document {when}")


def _check_not_modified(r, what, etag, *, with_etag=False):
    """A 304 answer; `with_etag` also checks it carries the ETag (the test of If-None-Match with the
    current ETag checks that rule; the others only how the header is matched)."""
    check_equal(r.status_code, 304, f"the status code of {what}")
    if with_etag:
        check_equal(
            r.headers.get("etag"),
            etag,
            f"the ETag header of the 304 answer to {what}",
            hint="RFC 9110 section 15.4.5: a 304 must carry the ETag a 200 would have carried.",
        )


def _tag_list(rng, tags):
    """An If-None-Match / If-Match list of `tags`, with the list syntax's optional spaces varied."""
    return ",".join(rng.choice(["", " ", "  "]) + tag for tag in tags).strip()


# --- tests ------------------------------------------------------------------------------------


@title("PUT /docs/{name} creates (201) and replaces (200); GET answers the text")
@points(2)
@hint(
    "Keep the request body's bytes as the document. PUT answers 201 when the name was new and 200 "
    "when it replaced a document; GET answers 200 with the bytes and Content-Type: text/plain; "
    "charset=utf-8. (Replacing needs If-Match: the test sends If-Match: *.)"
)
def test_put_and_get(app, rng):
    name, text = _name(rng, "basic"), _text(rng)
    path = _path(name)
    with checkpoint("created the document", points=1):
        check_equal(app.put(path, content=text.encode()).status_code, 201, f"the status code of PUT {path}")
        r = app.get(path)
        check_equal(r.status_code, 200, f"the status code of GET {path}")
        check_equal(r.content_type, "text/plain", f"the media type of GET {path}")
        check_equal(r.text, text, f"the body of GET {path}")
    new = _text(rng)
    r = app.put(path, content=new.encode(), headers={"If-Match": "*"})
    check_equal(r.status_code, 200, f"the status code of PUT {path} replacing it (with If-Match: *)")
    _check_body(app, name, new, "after it was replaced")


@title("GET sends a strong, quoted ETag")
@points(2)
@hint(
    'Send "ETag: \\"...\\"" on every 200 of GET: an opaque value in double quotes and without W/ '
    "(RFC 9110 section 8.8.3). A hash of the content, such as the first 32 hex digits of its "
    "SHA-256, is the natural choice."
)
def test_etag_present(app, rng):
    name, _ = _create(app, rng, "present")
    etag = _etag(app, name, strict=True)
    check(not etag.startswith("W/"), "expected a strong ETag, without the W/ prefix of a weak one", got=etag)
    check(
        STRONG_ETAG.fullmatch(etag) is not None,
        'expected the ETag to be an entity-tag: characters in double quotes, such as "3f2a9c"',
        got=etag,
    )


@title("The ETag stays the same while the content does, even across an identical PUT")
@points(2)
@hint(
    "Derive the ETag from the content (a hash of the bytes), not from the time or a counter of "
    "requests: two GETs, and a PUT of exactly the same text, must leave the ETag as it was."
)
def test_etag_stable(app, rng):
    name, text = _create(app, rng, "stable")
    first = _etag(app, name, strict=True)
    check_equal(_etag(app, name, strict=True), first, "the ETag of a second GET of the unchanged document")
    _replace(app, name, text, first)
    check_equal(_etag(app, name, strict=True), first, "the ETag after a PUT of exactly the same text")


@title("The ETag changes when the content changes")
@points(2)
@hint(
    "Compute the ETag from the stored bytes: new text, new ETag. Otherwise a client (or a cache) "
    "would keep using an old copy and think it is current."
)
def test_etag_changes(app, rng):
    name, text = _create(app, rng, "changes")
    before = _etag(app, name)
    new = text + f" {rng.choice(WORDS)} {rng.randint(1, 9999)}"
    _replace(app, name, new, before)
    after = _etag(app, name)
    check(after != before, "expected a new ETag after the content changed", got=after)


@title("HEAD answers like GET, with the same ETag and no body")
@points(1)
@hint(
    "HEAD is GET without the body (RFC 9110 section 9.3.2): same status and headers, ETag included, "
    "and conditional requests work the same way."
)
def test_head_request(app, rng):
    name, _ = _create(app, rng, "head")
    etag = _etag(app, name)
    r = app.head(_path(name))
    check_equal(r.status_code, 200, f"the status code of HEAD {_path(name)}")
    check_equal(r.headers.get("etag"), etag, f"the ETag of HEAD {_path(name)} (the one GET sent)")
    check_equal(r.content, b"", f"the body of HEAD {_path(name)}")
    _check_not_modified(
        app.head(_path(name), headers={"If-None-Match": etag}), f"HEAD {_path(name)} with If-None-Match: {etag}", etag
    )


@title("If-None-Match with the current ETag answers 304 Not Modified")
@points(2)
@hint(
    "On GET and HEAD, when If-None-Match holds the document's current ETag, answer 304 with the "
    "ETag header and no body (RFC 9110 sections 13.1.2 and 15.4.5)."
)
def test_if_none_match_exact(app, rng):
    name, _ = _create(app, rng, "exact")
    etag = _etag(app, name)
    r = app.get(_path(name), headers={"If-None-Match": etag})
    _check_not_modified(r, f"GET {_path(name)} with If-None-Match: {etag}", etag, with_etag=True)
    check_equal(r.content, b"", "the body of the 304 answer")


@title("If-None-Match with a list of ETags answers 304 when any of them matches")
@points(2)
@hint(
    'If-None-Match is a comma-separated list: "a", "b", "c" (spaces optional). Parse every '
    "entity-tag in it, not only the first, and answer 304 when any one matches."
)
def test_if_none_match_list(app, rng):
    name, _ = _create(app, rng, "list")
    etag = _etag(app, name)
    tags = [_other_tag(rng) for _ in range(rng.randint(2, 4))]
    tags.insert(rng.randint(1, len(tags)), etag)  # never first: every entry must be read
    value = _tag_list(rng, tags)
    _check_not_modified(
        app.get(_path(name), headers={"If-None-Match": value}), f"GET {_path(name)} with If-None-Match: {value}", etag
    )


@title('If-None-Match uses the weak comparison: W/"x" matches "x"')
@points(2)
@hint(
    "RFC 9110 section 13.1.2: If-None-Match uses the weak comparison (section 8.8.3.2), which "
    'ignores the W/ prefix. So W/"abc" matches the ETag "abc" and GET answers 304.'
)
def test_if_none_match_weak(app, rng):
    name, _ = _create(app, rng, "weak")
    etag = _etag(app, name)
    value = f"W/{etag}"
    _check_not_modified(
        app.get(_path(name), headers={"If-None-Match": value}), f"GET {_path(name)} with If-None-Match: {value}", etag
    )


@title("If-None-Match: * answers 304 for an existing document")
@points(1)
@hint(
    "* matches any current representation (RFC 9110 section 13.1.2): on GET of a document that "
    "exists, If-None-Match: * is false, so answer 304."
)
def test_if_none_match_star(app, rng):
    name, _ = _create(app, rng, "star")
    etag = _etag(app, name)
    _check_not_modified(
        app.get(_path(name), headers={"If-None-Match": "*"}), f"GET {_path(name)} with If-None-Match: *", etag
    )


@title("If-None-Match answers 200 with the document when no tag matches")
@points(1)
@hint(
    "When none of the listed entity-tags matches the current ETag, the condition is true: answer "
    "the normal 200 with the body and the ETag."
)
def test_if_none_match_no_match(app, rng):
    name, text = _create(app, rng, "nomatch")
    etag = _etag(app, name)
    for value in (_other_tag(rng), _tag_list(rng, [_other_tag(rng), _other_tag(rng)]), f"W/{_other_tag(rng)}"):
        r = app.get(_path(name), headers={"If-None-Match": value})
        check_equal(r.status_code, 200, f"the status code of GET {_path(name)} with If-None-Match: {value}")
        check_equal(r.text, text, f"the body of GET {_path(name)} with If-None-Match: {value}")
        check_equal(r.headers.get("etag"), etag, f"the ETag of GET {_path(name)} with If-None-Match: {value}")


@title("A 304 answer has no body at all")
@points(1)
@hint(
    "A 304 ends with its headers (RFC 9110 section 15.4.5): write no body bytes after them, not "
    "even the document. A client reading the next response on the same connection would read "
    "your stray bytes as its status line."
)
def test_not_modified_no_body(app, rng):
    name, _ = _create(app, rng, "nobody")
    etag = _etag(app, name)
    request = (
        f"GET {_path(name)} HTTP/1.1\r\nHost: {app.host}:{app.port}\r\n"
        f"If-None-Match: {etag}\r\nConnection: close\r\n\r\n"
    )
    with app.tcp_connect() as conn:
        conn.send(request)
        head = conn.read_until(b"\r\n\r\n")
        status = head.split(b"\r\n", 1)[0].decode("latin-1")
        check(
            re.fullmatch(r"HTTP/1\.[01] 304( .*)?", status) is not None,
            f"expected GET {_path(name)} with If-None-Match: {etag} to answer 304",
            got=status,
        )
        rest = conn.read(timeout=2)
    check_equal(rest.decode("utf-8", "replace"), "", "the bytes after the 304 answer's headers")


@title("If-Match stops a lost update: a stale ETag answers 412 Precondition Failed")
@points(3)
@hint(
    "PUT with If-Match: when the listed ETag is not the document's current one (strong "
    "comparison), answer 412 and change nothing (RFC 9110 sections 13.1.1 and 15.5.13). Check "
    "and write in one step, so that two writers cannot both pass the check."
)
def test_lost_update(app, rng):
    name, text = _create(app, rng, "lost")
    path = _path(name)
    alice = _etag(app, name)  # two clients read the same version
    bob = _etag(app, name)
    alice_text = text + f"\n{rng.choice(WORDS)} by alice {rng.randint(1, 9999)}"
    bob_text = text + f"\n{rng.choice(WORDS)} by bob {rng.randint(1, 9999)}"
    with checkpoint("the first writer's PUT with the current ETag succeeded", points=1):
        r = app.put(path, content=alice_text.encode(), headers={"If-Match": alice})
        check_equal(r.status_code, 200, f"the status code of the first PUT {path} with If-Match: {alice}")
    with checkpoint("the second writer's stale PUT answered 412", points=1):
        r = app.put(path, content=bob_text.encode(), headers={"If-Match": bob})
        check_equal(r.status_code, 412, f"the status code of the second PUT {path} with the stale If-Match: {bob}")
    _check_body(app, name, alice_text, "after the stale PUT (it must hold the first write)")


@title("Replacing or deleting without If-Match answers 428 Precondition Required")
@points(2)
@hint(
    "RFC 6585 section 3: when a PUT or DELETE targets a document that exists and has no If-Match "
    "header, answer 428 and change nothing. Creating a new document needs no precondition."
)
def test_precondition_required(app, rng):
    name, text = _create(app, rng, "required")
    path = _path(name)
    r = app.put(path, content=_text(rng).encode())
    check_equal(r.status_code, 428, f"the status code of PUT {path} replacing it without If-Match")
    r = app.delete(path)
    check_equal(r.status_code, 428, f"the status code of DELETE {path} without If-Match")
    _check_body(app, name, text, "after the PUT and DELETE without If-Match")


@title("If-Match: * matches any current document, and fails (412) for a missing one")
@points(1)
@hint(
    "If-Match: * is true when the document exists (RFC 9110 section 13.1.1) and false when it does "
    "not: a PUT with If-Match on a missing document answers 412 and creates nothing."
)
def test_if_match_star(app, rng):
    name, _ = _create(app, rng, "matchstar")
    new = _text(rng)
    r = app.put(_path(name), content=new.encode(), headers={"If-Match": "*"})
    check_equal(r.status_code, 200, f"the status code of PUT {_path(name)} with If-Match: *")
    _check_body(app, name, new, "after the PUT with If-Match: *")
    missing = _name(rng, "matchstar-missing")
    for value in ("*", _other_tag(rng)):
        r = app.put(_path(missing), content=_text(rng).encode(), headers={"If-Match": value})
        check_equal(
            r.status_code, 412, f"the status code of PUT {_path(missing)} (no such document) with If-Match: {value}"
        )
    r = app.get(_path(missing))
    check_equal(r.status_code, 404, f"the status code of GET {_path(missing)} after the failed PUTs")


@title("If-Match uses the strong comparison and reads the whole list")
@points(1)
@hint(
    'RFC 9110 section 13.1.1: If-Match uses the strong comparison, so a weak tag such as W/"abc" '
    'never matches, not even the ETag "abc". A list matches when any strong tag in it is current.'
)
def test_if_match_strong(app, rng):
    name, text = _create(app, rng, "strong")
    path = _path(name)
    etag = _etag(app, name)
    r = app.put(path, content=_text(rng).encode(), headers={"If-Match": f"W/{etag}"})
    check_equal(r.status_code, 412, f"the status code of PUT {path} with If-Match: W/{etag}")
    _check_body(app, name, text, "after the PUT with a weak If-Match")
    value = _tag_list(rng, [_other_tag(rng), etag])
    new = _text(rng)
    r = app.put(path, content=new.encode(), headers={"If-Match": value})
    check_equal(r.status_code, 200, f"the status code of PUT {path} with If-Match: {value}")
    _check_body(app, name, new, f"after the PUT with If-Match: {value}")


@title("PUT with If-None-Match: * only creates: 412 when the document exists")
@points(2)
@hint(
    'If-None-Match: * on PUT means "only if there is no document yet": create it (201) when the '
    "name is free, answer 412 and change nothing when it exists."
)
def test_create_only(app, rng):
    name, text = _name(rng, "createonly"), _text(rng)
    r = app.put(_path(name), content=text.encode(), headers={"If-None-Match": "*"})
    check(
        200 <= r.status_code < 300,
        f"expected PUT {_path(name)} with If-None-Match: * to create the document (no document has the name yet)",
        got=r.status_code,
    )
    r = app.put(_path(name), content=_text(rng).encode(), headers={"If-None-Match": "*"})
    check_equal(r.status_code, 412, f"the status code of a second PUT {_path(name)} with If-None-Match: *")
    _check_body(app, name, text, "after the second create-only PUT")


@title("DELETE with the current ETag answers 204; a stale one answers 412")
@points(2)
@hint(
    "DELETE evaluates If-Match like PUT: a stale ETag answers 412 and keeps the document; the "
    "current one deletes it and answers 204 with no body; GET then answers 404."
)
def test_delete_document(app, rng):
    name, text = _create(app, rng, "delete")
    path = _path(name)
    etag = _etag(app, name)
    stale = _other_tag(rng)
    with checkpoint("a DELETE with a stale ETag answered 412", points=1):
        check_equal(
            app.delete(path, headers={"If-Match": stale}).status_code,
            412,
            f"the status code of DELETE {path} with If-Match: {stale}",
        )
        _check_body(app, name, text, "after the DELETE with a stale ETag")
    r = app.delete(path, headers={"If-Match": etag})
    check_equal(r.status_code, 204, f"the status code of DELETE {path} with If-Match: {etag}")
    check_equal(app.get(path).status_code, 404, f"the status code of GET {path} after it was deleted")


@title("A missing document answers 404")
@points(1)
@hint(
    "GET, HEAD and DELETE of a name no document has answer 404, whatever the preconditions: RFC "
    "9110 section 13.2.1 says a server ignores them when the answer without them would not be 2xx."
)
def test_missing_404(app, rng):
    path = _path(_name(rng, "missing"))
    cases = [
        ("GET", {}),
        ("HEAD", {}),
        ("DELETE", {}),
        ("GET", {"If-None-Match": "*"}),
        ("DELETE", {"If-Match": rng.choice(["*", _other_tag(rng)])}),
    ]
    for method, headers in cases:
        r = app.request(method, path, headers=headers)
        shown = "".join(f" with {key}: {value}" for key, value in headers.items())
        check_equal(r.status_code, 404, f"the status code of {method} {path}{shown}")


@title("Malformed If-Match and If-None-Match values do not crash the app")
@points(1)
@hint(
    "Parse the headers defensively: skip what is not an entity-tag, so a malformed value matches "
    "nothing. GET then answers 200 (or 400), and PUT with a malformed If-Match answers 412 (or 400) "
    "and changes nothing. Never 500."
)
def test_malformed_headers(app, rng):
    name, text = _create(app, rng, "malformed")
    path = _path(name)
    word = rng.choice(WORDS)
    values = ['"unterminated', "W/", word, f"W/{word}", ",,,", f'"{word}" {word}', "W/'x'", '"a"b"']
    for value in rng.sample(values, 5):
        r = app.get(path, headers={"If-None-Match": value})
        check(
            r.status_code in (200, 400),
            f"expected GET {path} with If-None-Match: {value} to answer 200 (or 400)",
            got=r.status_code,
        )
    for value in rng.sample(values, 3):
        r = app.put(path, content=_text(rng).encode(), headers={"If-Match": value})
        check(
            r.status_code in (400, 412),
            f"expected PUT {path} with If-Match: {value} to answer 412 (or 400)",
            got=r.status_code,
        )
    _check_body(app, name, text, "after the PUTs with malformed If-Match values")
