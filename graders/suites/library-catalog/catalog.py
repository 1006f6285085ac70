"""Shared by the library-catalog suite: random authors and books, and the API calls and checks
the tests build on.
"""

import json
import string

from stagecraft_grader import check, check_equal, fail

# Titles are words in Title Case, so "sorted by title" is the same with or without case folding.
WORDS = (
    "Amber Falcon River Copper Meadow Quartz Lantern Orbit Willow Harbor "
    "Cinder Maple Thistle Pebble Juniper Sparrow Garden Winter Silent Iron"
).split()
NAMES = (
    "Ursula Le Guin, Italo Calvino, Toni Morrison, Jorge Luis Borges, Chinua Achebe, "
    "Virginia Woolf, Haruki Murakami, Octavia Butler, Gabriel Garcia Marquez, Wislawa Szymborska"
).split(", ")
BOOK_FIELDS = ("id", "title", "isbn", "year", "author_id")


# --- random data ------------------------------------------------------------------------------


def random_title(rng, words=2):
    return " ".join(rng.choice(WORDS) for _ in range(words))


def random_isbn(rng):
    return "978" + "".join(rng.choice(string.digits) for _ in range(10))


def random_token(rng):
    """A word no other test's titles hold, in Title Case: "Kqzvmxt"."""
    return rng.choice(string.ascii_uppercase) + "".join(rng.choice(string.ascii_lowercase) for _ in range(7))


def missing_id(rng):
    return rng.randint(10**8, 10**9)


# --- checks shared by the tests ---------------------------------------------------------------


def json_body(r, status, what):
    check_equal(r.status_code, status, f"the status code of {what}")
    check_equal(r.content_type, "application/json", f"the Content-Type media type of {what}")
    return r.json()


def error(r, status, what):
    data = json_body(r, status, what)
    check(
        isinstance(data, dict) and isinstance(data.get("error"), str),
        f'expected {what} to answer a JSON object with a string "error"',
        got=data,
    )


def is_int(value):
    return isinstance(value, int) and not isinstance(value, bool)


def create_author(app, rng, name=None):
    """POST /authors as a precondition of a test about something else: the new author's id."""
    name = name or f"{rng.choice(NAMES)} {rng.randint(1, 10**6)}"
    r = app.post("/authors", json={"name": name})
    check_equal(
        r.status_code,
        201,
        "the status code of POST /authors (creating an author)",
        hint="This test needs POST /authors to work first: make the create-author test pass.",
    )
    data = r.json()
    check(
        isinstance(data, dict) and is_int(data.get("id")),
        'expected POST /authors to answer an author with an integer "id"',
        got=data,
    )
    return data["id"]


def check_book(data, body, what):
    check(isinstance(data, dict), f"expected {what} to be a JSON object", got=data)
    check(is_int(data.get("id")), f'expected {what} to have an integer "id"', got=data)
    for field in ("title", "isbn", "year", "author_id"):
        check_equal(data.get(field), body[field], f'the "{field}" of {what}')
    return {field: data[field] for field in BOOK_FIELDS}


def create_book(app, rng, author_id, title=None, year=None, isbn=None):
    """POST /books as a precondition: the created book, reduced to its five fields."""
    body = {
        "title": title or random_title(rng),
        "isbn": isbn or random_isbn(rng),
        "year": year if year is not None else rng.randint(1850, 2024),
        "author_id": author_id,
    }
    r = app.post("/books", json=body)
    check_equal(
        r.status_code,
        201,
        "the status code of POST /books (creating a book)",
        hint="This test needs POST /books to work first: make the create-book test pass.",
    )
    return check_book(r.json(), body, "the created book")


def create_books(app, rng, author_id, count):
    return [create_book(app, rng, author_id) for _ in range(count)]


def list_books(app, params):
    """GET /books with `params`: the page's books (five fields each) and the whole answer."""
    what = "GET /books?" + "&".join(f"{k}={v}" for k, v in params.items())
    data = json_body(app.get("/books", params=params), 200, what)
    check(
        isinstance(data, dict)
        and isinstance(data.get("items"), list)
        and all(isinstance(b, dict) for b in data["items"]),
        f'expected {what} to answer a JSON object whose "items" is an array of books',
        got=data,
    )
    for key in ("total", "limit", "offset"):
        check(is_int(data.get(key)), f'expected {what} to answer an integer "{key}"', got=data)
    items = [{field: b.get(field) for field in BOOK_FIELDS} for b in data["items"]]
    return items, data, what


def ordered(books):
    """The books as GET /books must list them: by title, then by id."""
    return sorted(books, key=lambda b: (b["title"], b["id"]))


def titles_ids(books):
    return [(b["title"], b["id"]) for b in books]


def check_order(got, expected, what):
    """The books `got` must be the books `expected`, in that order; say what differs first."""
    got_ids, expected_ids = [b["id"] for b in got], [b["id"] for b in expected]
    missing = [i for i in expected_ids if i not in got_ids]
    unexpected = [i for i in got_ids if i not in expected_ids]
    check(
        not missing and not unexpected,
        f"expected {what} to be the books with the ids {sorted(expected_ids)}",
        got=f"missing ids {missing}, unexpected ids {unexpected}",
    )
    check_equal(len(got_ids), len(expected_ids), f"the number of {what}")
    for i, (g, e) in enumerate(zip(titles_ids(got), titles_ids(expected), strict=True)):
        if g != e:
            fail(
                f"expected {what} to be in the order of title, then id, but at position {i} came "
                f"(title, id) {list(g)} instead of {list(e)}",
                expected=json.dumps(titles_ids(expected))[:1000],
            )


def check_list(app, params, expected, what_matches):
    """GET /books with `params` (all on one page) must answer exactly `expected`, in order."""
    items, data, what = list_books(app, {**params, "limit": 100})
    check_equal(data["total"], len(expected), f'the "total" of {what} ({what_matches})')
    check_order(items, ordered(expected), f'the "items" of {what} ({what_matches})')
    return items


def get_author(app, author_id, what=None):
    what = what or f"GET /authors/{author_id}"
    data = json_body(app.get(f"/authors/{author_id}"), 200, what)
    check(isinstance(data, dict), f"expected {what} to answer a JSON object", got=data)
    return data
