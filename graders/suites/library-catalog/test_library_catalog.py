"""Grader suite for the stage 3 exercise library-catalog (see the exercise's README for the brief).

The app keeps running for the whole suite, so every test creates its own authors (and lists books
only with ?author_id= of an author it made, or with ?q= of a random word only its own titles hold)
and never assumes the store is empty or that ids start anywhere in particular.
"""

import json
import string

from stagecraft_grader import check, check_equal, checkpoint, fail, hint, points, title

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


def _title(rng, words=2):
    return " ".join(rng.choice(WORDS) for _ in range(words))


def _isbn(rng):
    return "978" + "".join(rng.choice(string.digits) for _ in range(10))


def _token(rng):
    """A word no other test's titles hold, in Title Case: "Kqzvmxt"."""
    return rng.choice(string.ascii_uppercase) + "".join(rng.choice(string.ascii_lowercase) for _ in range(7))


def _missing_id(rng):
    return rng.randint(10**8, 10**9)


# --- checks shared by the tests ---------------------------------------------------------------


def _json(r, status, what):
    check_equal(r.status_code, status, f"the status code of {what}")
    check_equal(r.content_type, "application/json", f"the Content-Type media type of {what}")
    return r.json()


def _error(r, status, what):
    data = _json(r, status, what)
    check(
        isinstance(data, dict) and isinstance(data.get("error"), str),
        f'expected {what} to answer a JSON object with a string "error"',
        got=data,
    )


def _is_int(value):
    return isinstance(value, int) and not isinstance(value, bool)


def _author(app, rng, name=None):
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
        isinstance(data, dict) and _is_int(data.get("id")),
        'expected POST /authors to answer an author with an integer "id"',
        got=data,
    )
    return data["id"]


def _check_book(data, body, what):
    check(isinstance(data, dict), f"expected {what} to be a JSON object", got=data)
    check(_is_int(data.get("id")), f'expected {what} to have an integer "id"', got=data)
    for field in ("title", "isbn", "year", "author_id"):
        check_equal(data.get(field), body[field], f'the "{field}" of {what}')
    return {field: data[field] for field in BOOK_FIELDS}


def _book(app, rng, author_id, title=None, year=None, isbn=None):
    """POST /books as a precondition: the created book, reduced to its five fields."""
    body = {
        "title": title or _title(rng),
        "isbn": isbn or _isbn(rng),
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
    return _check_book(r.json(), body, "the created book")


def _books(app, rng, author_id, count):
    return [_book(app, rng, author_id) for _ in range(count)]


def _list(app, params):
    """GET /books with `params`: the page's books (five fields each) and the whole answer."""
    what = "GET /books?" + "&".join(f"{k}={v}" for k, v in params.items())
    data = _json(app.get("/books", params=params), 200, what)
    check(
        isinstance(data, dict)
        and isinstance(data.get("items"), list)
        and all(isinstance(b, dict) for b in data["items"]),
        f'expected {what} to answer a JSON object whose "items" is an array of books',
        got=data,
    )
    for key in ("total", "limit", "offset"):
        check(_is_int(data.get(key)), f'expected {what} to answer an integer "{key}"', got=data)
    items = [{field: b.get(field) for field in BOOK_FIELDS} for b in data["items"]]
    return items, data, what


def _ordered(books):
    """The books as GET /books must list them: by title, then by id."""
    return sorted(books, key=lambda b: (b["title"], b["id"]))


def _titles_ids(books):
    return [(b["title"], b["id"]) for b in books]


def _check_order(got, expected, what):
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
    for i, (g, e) in enumerate(zip(_titles_ids(got), _titles_ids(expected), strict=True)):
        if g != e:
            fail(
                f"expected {what} to be in the order of title, then id, but at position {i} came "
                f"(title, id) {list(g)} instead of {list(e)}",
                expected=json.dumps(_titles_ids(expected))[:1000],
            )


def _check_list(app, params, expected, what_matches):
    """GET /books with `params` (all on one page) must answer exactly `expected`, in order."""
    items, data, what = _list(app, {**params, "limit": 100})
    check_equal(data["total"], len(expected), f'the "total" of {what} ({what_matches})')
    _check_order(items, _ordered(expected), f'the "items" of {what} ({what_matches})')
    return items


def _get_author(app, author_id, what=None):
    what = what or f"GET /authors/{author_id}"
    data = _json(app.get(f"/authors/{author_id}"), 200, what)
    check(isinstance(data, dict), f"expected {what} to answer a JSON object", got=data)
    return data


# --- authors ----------------------------------------------------------------------------------


@title("POST /authors creates an author, and GET /authors/{id} returns it")
@points(2)
@hint(
    'Insert a row into the authors table and answer 201 with {"id": <integer>, "name": "..."}; '
    'GET /authors/{id} answers 200 with {"id", "name", "book_count"} (0 for a new author).'
)
def test_create_author(app, rng):
    name = f"{rng.choice(NAMES)} {rng.randint(1, 10**6)}"
    with checkpoint("POST /authors answered 201 with the author", points=1):
        data = _json(app.post("/authors", json={"name": name}), 201, "POST /authors")
        check(
            isinstance(data, dict) and _is_int(data.get("id")),
            'expected POST /authors to answer a JSON object with an integer "id"',
            got=data,
        )
        check_equal(data.get("name"), name, 'the "name" of the created author')
    other = _author(app, rng)
    check(other != data["id"], "expected every author to get their own id", got=[data["id"], other])
    got = _get_author(app, data["id"])
    check_equal(
        {k: got.get(k) for k in ("id", "name", "book_count")},
        {"id": data["id"], "name": name, "book_count": 0},
        f"GET /authors/{data['id']}",
    )


@title("POST /authors with an invalid name answers 400")
@points(1)
@hint(
    '"name" must be a string of 1 to 100 characters, not only spaces; anything else (a missing or '
    'empty name, a number, a body that is not a JSON object) answers 400 with {"error": "..."}.'
)
def test_create_author_invalid_400(app, rng):
    word = rng.choice(WORDS)
    cases = [
        ('no "name"', {"title": word}),
        ('an empty "name"', {"name": ""}),
        ('a "name" of only spaces', {"name": " " * rng.randint(1, 5)}),
        ('a number as "name"', {"name": rng.randint(1, 10**6)}),
        ('a "name" of 101 characters', {"name": (word * 101)[:101]}),
        ("a JSON array instead of an object", [{"name": word}]),
        ("JSON null", None),
    ]
    for what, body in cases:
        _error(
            app.post("/authors", content=json.dumps(body), headers={"Content-Type": "application/json"}),
            400,
            f"POST /authors with {what} ({json.dumps(body)[:60]})",
        )
    r = app.post("/authors", content=f'{{"name": "{word}', headers={"Content-Type": "application/json"})
    _error(r, 400, "POST /authors with a body that is not valid JSON")
    longest = (word * 100)[:100]
    check_equal(
        app.post("/authors", json={"name": longest}).status_code,
        201,
        "the status code of POST /authors with a name of exactly 100 characters (allowed)",
    )


# --- books ------------------------------------------------------------------------------------


@title("POST /books creates a book of an author and answers 201")
@points(2)
@hint(
    "Insert the book with its author_id (a foreign key to authors) and answer 201 with "
    '{"id", "title", "isbn", "year", "author_id"}; GET /books?author_id=<id> then lists it.'
)
def test_create_book(app, rng):
    author_id = _author(app, rng)
    body = {"title": _title(rng, 3), "isbn": _isbn(rng), "year": rng.randint(1850, 2024), "author_id": author_id}
    with checkpoint("POST /books answered 201 with the book", points=1):
        book = _check_book(_json(app.post("/books", json=body), 201, "POST /books"), body, "the created book")
    second = _book(app, rng, author_id)
    check(second["id"] != book["id"], "expected every book to get its own id", got=[book["id"], second["id"]])
    _check_list(app, {"author_id": author_id}, [book, second], "the author's two new books")


@title("POST /books with an invalid book answers 400 and stores nothing")
@points(2)
@hint(
    'Check every field before inserting: "title" a string of 1 to 200 characters (not only spaces), '
    '"isbn" a string of exactly 13 digits, "year" an integer from 1 to 9999 (not a string), '
    '"author_id" an integer. Answer 400 with {"error": "..."} otherwise.'
)
def test_create_book_invalid_400(app, rng):
    author_id = _author(app, rng)

    def body(**changes):
        good = {"title": _title(rng), "isbn": _isbn(rng), "year": rng.randint(1850, 2024), "author_id": author_id}
        return {k: v for k, v in {**good, **changes}.items() if v is not ...}

    isbn = _isbn(rng)
    cases = [
        ('no "title"', body(title=...)),
        ('an empty "title"', body(title="")),
        ('a number as "title"', body(title=rng.randint(1, 999))),
        ('a "title" of 201 characters', body(title=("Long " * 50)[:201])),
        ('no "isbn"', body(isbn=...)),
        ('an "isbn" of 12 digits', body(isbn=isbn[:12])),
        ('an "isbn" with hyphens', body(isbn=f"{isbn[:3]}-{isbn[3:]}")),
        ('an "isbn" with a letter', body(isbn=isbn[:12] + "X")),
        ('a number as "isbn"', body(isbn=int(isbn))),
        ('no "year"', body(year=...)),
        ('a string as "year"', body(year=str(rng.randint(1850, 2024)))),
        ('a fraction as "year"', body(year=rng.randint(1850, 2024) + 0.5)),
        ('true as "year"', body(year=True)),
        ('a "year" of 10000', body(year=10000)),
        ('a "year" of 10^20', body(year=10**20)),
        ('no "author_id"', body(author_id=...)),
        ('a string as "author_id"', body(author_id=str(author_id))),
        ("a JSON array instead of an object", [body()]),
    ]
    for what, data in cases:
        _error(app.post("/books", json=data), 400, f"POST /books with {what} ({json.dumps(data)[:100]})")
    r = app.post("/books", content=b'{"title": "Unfinished', headers={"Content-Type": "application/json"})
    _error(r, 400, "POST /books with a body that is not valid JSON")
    items, data, what = _list(app, {"author_id": author_id})
    check_equal(data["total"], 0, f'the "total" of {what} after the refused books (none may be stored)')


@title("POST /books for an author that does not exist answers 422")
@points(1)
@hint(
    "A valid body whose author_id no author has breaks the foreign key: answer 422 with "
    '{"error": "..."} and store nothing (the ISBN stays free).'
)
def test_create_book_unknown_author_422(app, rng):
    missing = _missing_id(rng)
    body = {"title": _title(rng), "isbn": _isbn(rng), "year": rng.randint(1850, 2024), "author_id": missing}
    _error(app.post("/books", json=body), 422, f"POST /books with author_id {missing} (no such author)")
    items, data, what = _list(app, {"author_id": missing})
    check_equal(data["total"], 0, f'the "total" of {what} (the refused book must not be stored)')
    author_id = _author(app, rng)
    _book(app, rng, author_id, title=body["title"], year=body["year"], isbn=body["isbn"])


@title("A second book with the same ISBN answers 409, and the first one stays as it was")
@points(2)
@hint(
    "Make isbn a UNIQUE column and turn the database's refusal into 409 with "
    '{"error": "..."}: no second book is stored and the first keeps its title, year and author.'
)
def test_duplicate_isbn_409(app, rng):
    first_author, second_author = _author(app, rng), _author(app, rng)
    book = _book(app, rng, first_author, title=_title(rng, 3))
    for author_id in (second_author, first_author):
        again = {"title": _title(rng, 3), "isbn": book["isbn"], "year": rng.randint(1850, 2024), "author_id": author_id}
        _error(app.post("/books", json=again), 409, f"POST /books with the ISBN {book['isbn']} already taken")
    items, data, what = _list(app, {"author_id": first_author})
    check_equal(items, [book], f'the "items" of {what} (only the first book, unchanged)')
    items, data, what = _list(app, {"author_id": second_author})
    check_equal(data["total"], 0, f'the "total" of {what} (the duplicate must not be stored)')
    _book(app, rng, second_author)  # another ISBN is still welcome


# --- listing ----------------------------------------------------------------------------------


@title("GET /books?author_id= lists exactly that author's books")
@points(1)
@hint(
    "Filter with WHERE author_id = ? (a parameter, never string formatting) and count the same "
    'matches for "total"; an author without books gets "items": [] and "total": 0.'
)
def test_filter_by_author(app, rng):
    authors = [_author(app, rng) for _ in range(3)]
    books = {a: _books(app, rng, a, rng.randint(2, 4)) for a in authors[:2]}
    for author_id, theirs in books.items():
        _check_list(app, {"author_id": author_id}, theirs, f"the {len(theirs)} books of author {author_id}")
    _check_list(app, {"author_id": authors[2]}, [], "an author without books")


@title("GET /books?year_from=&year_to= keeps the books of those years, both ends included")
@points(2)
@hint(
    "year_from=A keeps year >= A, year_to=B keeps year <= B, and both together keep A <= year <= B "
    "(a book of exactly year A or B is in). Combine them with author_id using AND."
)
def test_filter_by_years(app, rng):
    author_id = _author(app, rng)
    base = rng.randint(1900, 1990)
    years = sorted(rng.sample(range(base, base + 30), 6))
    books = [_book(app, rng, author_id, year=y) for y in years + [rng.choice(years)]]
    low, high = years[rng.randint(1, 2)], years[rng.randint(3, 4)]
    cases = [
        ({"year_from": low}, lambda y: y >= low),
        ({"year_to": high}, lambda y: y <= high),
        ({"year_from": low, "year_to": high}, lambda y: low <= y <= high),
        ({"year_from": high, "year_to": high}, lambda y: y == high),
        ({"year_from": high, "year_to": low}, lambda y: False),
    ]
    for params, keep in cases:
        expected = [b for b in books if keep(b["year"])]
        _check_list(
            app,
            {"author_id": author_id, **params},
            expected,
            f"years {sorted(b['year'] for b in expected)} of {sorted(b['year'] for b in books)}",
        )


@title("GET /books?q= finds a word anywhere in the title, in any case")
@points(1)
@hint(
    "q is a case-insensitive substring of the title: in SQLite, WHERE title LIKE '%' || ? || '%' ESCAPE '\\' "
    "with any %, _ and \\ in q escaped by a backslash first (LIKE ignores the case of ASCII letters), "
    "or title__icontains in Django, which escapes for you."
)
def test_search_title(app, rng):
    token = _token(rng)
    first, second = _author(app, rng), _author(app, rng)
    matching = [
        _book(app, rng, first, title=f"{token} {_title(rng)}"),
        _book(app, rng, first, title=f"{_title(rng)} {token}"),
        _book(app, rng, second, title=f"{rng.choice(WORDS)} {token}{rng.choice(WORDS).lower()} {rng.choice(WORDS)}"),
    ]
    _books(app, rng, first, 2)  # titles without the word
    for q in (token.lower(), token.upper(), token[1:7].upper()):
        _check_list(app, {"q": q}, matching, f'the 3 titles holding "{token}"')
    _check_list(
        app,
        {"q": token[1:].upper(), "author_id": first},
        matching[:2],
        f'the 2 titles of author {first} holding "{token}"',
    )
    # % and _ in q are characters to find, not LIKE wildcards.
    third = _author(app, rng)
    literal = _book(app, rng, third, title=f"{_title(rng)} 100%_{rng.choice(WORDS)}")
    _books(app, rng, third, 2)
    for q in ("%", "_", "0%_"):
        _check_list(app, {"q": q, "author_id": third}, [literal], f'the one title of author {third} holding "{q}"')


@title("Filters combine: author, years and title search together")
@points(2)
@hint(
    "Build one WHERE clause from the filters that are present, joined with AND, with one "
    'parameter each; "total" counts the rows that match all of them.'
)
def test_filters_combined(app, rng):
    token = _token(rng)
    first, second = _author(app, rng), _author(app, rng)
    base = rng.randint(1900, 1990)
    books = []
    for author_id in (first, first, first, second):
        for year in rng.sample(range(base, base + 20), 3):
            name = f"{_title(rng, 1)} {token} {_title(rng, 1)}" if rng.random() < 0.6 else _title(rng)
            books.append(_book(app, rng, author_id, title=name, year=year))
    low = base + rng.randint(3, 8)
    high = low + rng.randint(4, 8)
    cases = [
        {"author_id": first, "q": token.lower()},
        {"author_id": first, "q": token.upper(), "year_from": low},
        {"author_id": first, "q": token, "year_from": low, "year_to": high},
        {"q": token.lower(), "year_to": high},
    ]
    for params in cases:
        expected = [
            b
            for b in books
            if token in b["title"]
            and b["author_id"] == params.get("author_id", b["author_id"])
            and params.get("year_from", b["year"]) <= b["year"] <= params.get("year_to", b["year"])
        ]
        _check_list(app, params, expected, f"{len(expected)} of the {len(books)} books this test made")


@title("GET /books lists books by title, then by id")
@points(1)
@hint(
    "ORDER BY title, id: two books with the same title come smallest id first. Order in the query, "
    "before LIMIT and OFFSET, not in your code afterwards."
)
def test_list_order(app, rng):
    author_id = _author(app, rng)
    titles = [_title(rng) for _ in range(rng.randint(4, 6))]
    titles += rng.sample(titles, 2)  # at least two titles twice
    rng.shuffle(titles)
    books = [_book(app, rng, author_id, title=t) for t in titles]
    _check_list(app, {"author_id": author_id}, books, f"the {len(books)} books of author {author_id}")


@title("Pagination: limit and offset walk through every match exactly once, with the right total")
@points(3)
@hint(
    '"items" holds at most `limit` matches starting at position `offset` (ORDER BY title, id LIMIT ? '
    'OFFSET ?); "total" counts every match, not just this page, with a separate COUNT(*); the default '
    "limit is 20 and the default offset 0."
)
def test_pagination(app, rng):
    author_id = _author(app, rng)
    books = _ordered(_books(app, rng, author_id, rng.randint(21, 26)))
    count = len(books)
    with checkpoint("the first page without limit or offset", points=1):
        items, data, what = _list(app, {"author_id": author_id})
        check_equal((data["limit"], data["offset"]), (20, 0), f'the "limit" and "offset" of {what} (the defaults)')
        check_equal(data["total"], count, f'the "total" of {what} ({count} books match, on every page)')
        _check_order(items, books[:20], f'the "items" of {what} (the first 20 of {count} matches)')
    size = rng.randint(3, 7)
    seen = []
    for offset in range(0, count, size):
        items, data, what = _list(app, {"author_id": author_id, "limit": size, "offset": offset})
        check_equal((data["limit"], data["offset"]), (size, offset), f'the "limit" and "offset" of {what}')
        check_equal(data["total"], count, f'the "total" of {what} ({count} books match, on every page)')
        check(len(items) <= size, f"expected at most {size} items from {what}", got=len(items))
        overlap = [b["id"] for b in items if b["id"] in {s["id"] for s in seen}]
        if overlap:
            fail(
                f"expected every page to hold new books, but {what} repeats the ids {overlap} from an earlier page",
                expected="pages that do not overlap",
            )
        seen += items
    missing = [b["id"] for b in books if b["id"] not in {s["id"] for s in seen}]
    check(not missing, f"expected the pages of {size} to cover all {count} books; these ids never came", got=missing)
    _check_order(seen, books, f"the books of all the pages of {size}, one page after the other")
    past = count + rng.randint(0, 5)
    items, data, what = _list(app, {"author_id": author_id, "limit": size, "offset": past})
    check_equal((items, data["total"]), ([], count), f'the "items" and "total" of {what} (past the last match)')


@title("limit must be from 1 to 100: 0 or 101 answer 400")
@points(1)
@hint(
    'Answer 400 with {"error": "..."} for limit=0 or limit=101; accept every limit from 1 to 100 '
    "and echo it in the answer."
)
def test_limit_bounds(app, rng):
    author_id = _author(app, rng)
    _books(app, rng, author_id, 3)
    for limit in (0, 101, rng.randint(102, 1000)):
        _error(
            app.get("/books", params={"author_id": author_id, "limit": limit}),
            400,
            f"GET /books?author_id={author_id}&limit={limit}",
        )
    for limit, length in ((1, 1), (100, 3), (rng.randint(2, 99), None)):
        items, data, what = _list(app, {"author_id": author_id, "limit": limit})
        check_equal(data["limit"], limit, f'the "limit" of {what}')
        check_equal(len(items), length or min(limit, 3), f'the number of "items" of {what}')
    items, data, what = _list(app, {"author_id": author_id, "limit": 2, "offset": 2})
    check_equal((len(items), data["offset"]), (1, 2), f'the number of "items" and the "offset" of {what}')


@title("Query parameters that are not whole numbers answer 400")
@points(1)
@hint(
    "author_id, year_from, year_to, limit and offset are whole numbers written in digits: parse "
    'them yourself and answer 400 with {"error": "..."} for abc, 1.5 or -1, instead of letting a '
    "conversion error become a 500."
)
def test_bad_query_400(app, rng):
    word = rng.choice(WORDS).lower()
    cases = [
        {"author_id": word},
        {"year_from": word},
        {"year_to": f"{rng.randint(1900, 2000)}.5"},
        {"limit": word},
        {"limit": f"{rng.randint(1, 9)}.5"},
        {"offset": -rng.randint(1, 9)},
        {"offset": word},
    ]
    for params in cases:
        query = "&".join(f"{k}={v}" for k, v in params.items())
        _error(app.get("/books", params=params), 400, f"GET /books?{query}")


# --- authors and their books ------------------------------------------------------------------


@title("GET /authors/{id} counts the author's books in book_count")
@points(1)
@hint(
    "book_count is SELECT COUNT(*) FROM books WHERE author_id = ?, computed when asked (or "
    "Count('books') in Django): each author counts only their own books."
)
def test_book_count(app, rng):
    authors = [_author(app, rng) for _ in range(3)]
    counts = [rng.randint(1, 4) for _ in authors]
    counts[rng.randrange(3)] = 0
    for author_id, count in zip(authors, counts, strict=True):
        _books(app, rng, author_id, count)
    got = [_get_author(app, a).get("book_count") for a in authors]
    check_equal(got, counts, f'the "book_count" of the authors {authors}')
    lonely = authors[counts.index(0)]
    _book(app, rng, lonely)
    check_equal(
        _get_author(app, lonely).get("book_count"), 1, f'the "book_count" of author {lonely} after adding a book'
    )


@title("DELETE /authors/{id} of an author with books answers 409 and deletes nothing")
@points(2)
@hint(
    "The foreign key restricts: ON DELETE RESTRICT in SQL (with PRAGMA foreign_keys = ON in SQLite) "
    'or on_delete=PROTECT in Django. Answer 409 with {"error": "..."}; the author and the books stay.'
)
def test_delete_author_with_books_409(app, rng):
    name = f"{rng.choice(NAMES)} {rng.randint(1, 10**6)}"
    author_id = _author(app, rng, name)
    books = _books(app, rng, author_id, rng.randint(1, 3))
    _error(app.delete(f"/authors/{author_id}"), 409, f"DELETE /authors/{author_id} (an author with books)")
    got = _get_author(app, author_id, f"GET /authors/{author_id} after the refused DELETE")
    check_equal(
        (got.get("name"), got.get("book_count")),
        (name, len(books)),
        f'the "name" and "book_count" of author {author_id} after the refused DELETE',
    )
    _check_list(app, {"author_id": author_id}, books, "the author's books, still there")


@title("DELETE /authors/{id} of an author without books answers 204; unknown authors answer 404")
@points(1)
@hint(
    "Delete the row and answer 204 with no body; afterwards GET and DELETE of that id answer 404 "
    'with {"error": "..."}, as does any id that is not a number.'
)
def test_delete_author_204(app, rng):
    keep, gone = _author(app, rng), _author(app, rng)
    r = app.delete(f"/authors/{gone}")
    check_equal(r.status_code, 204, f"the status code of DELETE /authors/{gone} (an author without books)")
    check_equal(r.content, b"", f"the body of DELETE /authors/{gone} (none for a 204)")
    _error(app.get(f"/authors/{gone}"), 404, f"GET /authors/{gone} after deleting it")
    _error(app.delete(f"/authors/{gone}"), 404, f"a second DELETE /authors/{gone}")
    word = rng.choice(WORDS).lower()
    _error(app.get(f"/authors/{word}"), 404, f"GET /authors/{word}")
    _error(app.get(f"/authors/{_missing_id(rng)}"), 404, "GET /authors/<an id no author has>")
    _get_author(app, keep, f"GET /authors/{keep} (another author, not deleted)")


# --- persistence ------------------------------------------------------------------------------


@title("Authors and books survive a restart, stored in a database under DATA_DIR")
@points(3)
@hint(
    "Keep the database in a file under $DATA_DIR (e.g. os.path.join(os.environ['DATA_DIR'], "
    "'library.sqlite3')), never in memory: the app is restarted and must find everything again."
)
def test_data_survives_restart(app, app_control, app_data, rng):
    name = f"{rng.choice(NAMES)} {rng.randint(1, 10**6)}"
    author_id = _author(app, rng, name)
    books = _books(app, rng, author_id, rng.randint(2, 4))
    with checkpoint("the books are stored in a file under DATA_DIR", points=1):
        files = app_data.files()
        check(files, "expected your app to store its data in a file under $DATA_DIR (/data)", got="no file in /data")
        for book in books:
            check(
                app_data.contains_plaintext(book["title"]),
                f"expected a file under $DATA_DIR to hold the title {book['title']!r}",
                got=files,
            )
    app_control.restart()
    with checkpoint("the author and the books are back after the restart", points=1):
        got = _get_author(app, author_id, f"GET /authors/{author_id} after the restart")
        check_equal(
            (got.get("name"), got.get("book_count")),
            (name, len(books)),
            f'the "name" and "book_count" of author {author_id} after the restart',
        )
        items, data, what = _list(app, {"author_id": author_id, "limit": 100})
        check_equal(items, _ordered(books), f'the "items" of {what} after the restart')
