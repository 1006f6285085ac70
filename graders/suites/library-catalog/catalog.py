"""Shared by the library-catalog suite: random authors and books, and the API calls and checks
the tests build on.
"""

import json
import string

from stagecraft_grader import check, check_equal, fail, not_graded
from stagecraft_grader.shapes import field as shape_field
from stagecraft_grader.shapes import find_id, unwrap, unwrap_list

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

# The tests that check what the preconditions below only need to work (a precondition that cannot
# be met skips the test, worth nothing, and names the test to make pass first: no cascades).
CREATE_AUTHOR = '"POST /authors creates an author, and GET /authors/{id} returns it"'
CREATE_BOOK = '"POST /books creates a book of an author and answers 201"'
LIST_BOOKS = '"GET /books?author_id= lists exactly that author\'s books"'


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


def _json_or_none(r):
    try:
        return json.loads(r.content)
    except ValueError:
        return None


def _created_id(r, what, test):
    """The id a create answered, in any shape (bare or wrapped, number or string); else not graded."""
    record = unwrap(_json_or_none(r)) if 200 <= r.status_code < 300 else None
    record_id = find_id(record)
    if record_id is None:
        not_graded(
            f"this test needs {what} to create a record and answer its id (it answered {r.status_code} "
            f"{r.text[:100]!r}): make the test {test} pass first"
        )
    return record_id


def create_author(app, rng, name=None):
    """POST /authors as a precondition of a test about something else: the new author's id.

    The answer's shape and status are the create test's to check: here any 2xx with an id will do.
    """
    name = name or f"{rng.choice(NAMES)} {rng.randint(1, 10**6)}"
    return _created_id(app.post("/authors", json={"name": name}), "POST /authors", CREATE_AUTHOR)


def check_book(data, body, what):
    check(isinstance(data, dict), f"expected {what} to be a JSON object", got=data)
    check(is_int(data.get("id")), f'expected {what} to have an integer "id"', got=data)
    for field in ("title", "isbn", "year", "author_id"):
        check_equal(data.get(field), body[field], f'the "{field}" of {what}')
    return {field: data[field] for field in BOOK_FIELDS}


def create_book(app, rng, author_id, title=None, year=None, isbn=None):
    """POST /books as a precondition: the created book's five fields (the id the app gave it, and
    the fields sent; whether the answer echoes them is the create test's to check)."""
    body = {
        "title": title or random_title(rng),
        "isbn": isbn or random_isbn(rng),
        "year": year if year is not None else rng.randint(1850, 2024),
        "author_id": author_id,
    }
    book_id = _created_id(app.post("/books", json=body), "POST /books", CREATE_BOOK)
    return {"id": book_id, **body}


def create_books(app, rng, author_id, count):
    return [create_book(app, rng, author_id) for _ in range(count)]


def list_books(app, params, *, strict=False):
    """GET /books with `params`: the page's books (five fields each) and the whole answer.

    `strict` checks the answer's shape as the brief pins it ({"items", "total", "limit", "offset"},
    JSON): for the tests about that shape. Otherwise the list is read in any shape, and a listing
    that holds no list of books (or no "total") skips the test: the listing test says why.
    """
    what = "GET /books?" + "&".join(f"{k}={v}" for k, v in params.items())
    r = app.get("/books", params=params)
    if strict:
        data = json_body(r, 200, what)
        check(
            isinstance(data, dict)
            and isinstance(data.get("items"), list)
            and all(isinstance(b, dict) for b in data["items"]),
            f'expected {what} to answer a JSON object whose "items" is an array of books',
            got=data,
        )
        for key in ("total", "limit", "offset"):
            check(is_int(data.get(key)), f'expected {what} to answer an integer "{key}"', got=data)
        books = data["items"]
    else:
        check_equal(r.status_code, 200, f"the status code of {what}")
        data = _json_or_none(r)
        books = unwrap_list(data, prefer=("items", "books"))
        total = shape_field(data, "total", "count", "total_count") if isinstance(data, dict) else None
        if books is None or not all(isinstance(b, dict) for b in books) or not is_int(total):
            not_graded(
                f'this test needs {what} to answer the books in "items" and their number in "total" '
                f"(it answered {r.text[:150]!r}): make the test {LIST_BOOKS} pass first"
            )
        data = {**data, "items": books, "total": total}
    items = [{field_name: b.get(field_name) for field_name in BOOK_FIELDS} for b in books]
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


def check_list(app, params, expected, what_matches, *, strict=False):
    """GET /books with `params` (all on one page) must answer exactly `expected`, in order."""
    items, data, what = list_books(app, {**params, "limit": 100}, strict=strict)
    check_equal(data["total"], len(expected), f'the "total" of {what} ({what_matches})')
    check_order(items, ordered(expected), f'the "items" of {what} ({what_matches})')
    return items


def get_author(app, author_id, what=None):
    """GET /authors/{id}: 200 and the author, bare or wrapped (its shape is the create test's to check)."""
    what = what or f"GET /authors/{author_id}"
    r = app.get(f"/authors/{author_id}")
    check_equal(r.status_code, 200, f"the status code of {what}")
    data = unwrap(_json_or_none(r), ("name", "book_count"))
    check(
        data is not None,
        f'expected {what} to answer the author, a JSON object with "name" and "book_count"',
        got=r.text[:200],
    )
    return data
