"""The library-catalog suite, part 2: listing books with filters, search, order and pagination.

Every listing is scoped to data the test made: ?author_id= of its own authors, or ?q= of a random
word only its own titles hold.
"""

from catalog import (
    WORDS,
    check_list,
    check_order,
    create_author,
    create_book,
    create_books,
    error,
    list_books,
    ordered,
    random_title,
    random_token,
)

from stagecraft_grader import check, check_equal, checkpoint, fail, hint, points, title

# --- listing ----------------------------------------------------------------------------------


@title("GET /books?author_id= lists exactly that author's books")
@points(1)
@hint(
    "Filter with WHERE author_id = ? (a parameter, never string formatting) and count the same "
    'matches for "total"; an author without books gets "items": [] and "total": 0.'
)
def test_filter_by_author(app, rng):
    authors = [create_author(app, rng) for _ in range(3)]
    books = {a: create_books(app, rng, a, rng.randint(2, 4)) for a in authors[:2]}
    for author_id, theirs in books.items():
        check_list(app, {"author_id": author_id}, theirs, f"the {len(theirs)} books of author {author_id}", strict=True)
    check_list(app, {"author_id": authors[2]}, [], "an author without books", strict=True)


@title("GET /books?year_from=&year_to= keeps the books of those years, both ends included")
@points(2)
@hint(
    "year_from=A keeps year >= A, year_to=B keeps year <= B, and both together keep A <= year <= B "
    "(a book of exactly year A or B is in). Combine them with author_id using AND."
)
def test_filter_by_years(app, rng):
    author_id = create_author(app, rng)
    base = rng.randint(1900, 1990)
    years = sorted(rng.sample(range(base, base + 30), 6))
    books = [create_book(app, rng, author_id, year=y) for y in years + [rng.choice(years)]]
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
        check_list(
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
    token = random_token(rng)
    first, second = create_author(app, rng), create_author(app, rng)
    matching = [
        create_book(app, rng, first, title=f"{token} {random_title(rng)}"),
        create_book(app, rng, first, title=f"{random_title(rng)} {token}"),
        create_book(
            app, rng, second, title=f"{rng.choice(WORDS)} {token}{rng.choice(WORDS).lower()} {rng.choice(WORDS)}"
        ),
    ]
    create_books(app, rng, first, 2)  # titles without the word
    for q in (token.lower(), token.upper(), token[1:7].upper()):
        check_list(app, {"q": q}, matching, f'the 3 titles holding "{token}"')
    check_list(
        app,
        {"q": token[1:].upper(), "author_id": first},
        matching[:2],
        f'the 2 titles of author {first} holding "{token}"',
    )
    # % and _ in q are characters to find, not LIKE wildcards.
    third = create_author(app, rng)
    literal = create_book(app, rng, third, title=f"{random_title(rng)} 100%_{rng.choice(WORDS)}")
    create_books(app, rng, third, 2)
    for q in ("%", "_", "0%_"):
        check_list(app, {"q": q, "author_id": third}, [literal], f'the one title of author {third} holding "{q}"')


@title("Filters combine: author, years and title search together")
@points(2)
@hint(
    "Build one WHERE clause from the filters that are present, joined with AND, with one "
    'parameter each; "total" counts the rows that match all of them.'
)
def test_filters_combined(app, rng):
    token = random_token(rng)
    first, second = create_author(app, rng), create_author(app, rng)
    base = rng.randint(1900, 1990)
    books = []
    for author_id in (first, first, first, second):
        for year in rng.sample(range(base, base + 20), 3):
            name = f"{random_title(rng, 1)} {token} {random_title(rng, 1)}" if rng.random() < 0.6 else random_title(rng)
            books.append(create_book(app, rng, author_id, title=name, year=year))
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
        check_list(app, params, expected, f"{len(expected)} of the {len(books)} books this test made")


@title("GET /books lists books by title, then by id")
@points(1)
@hint(
    "ORDER BY title, id: two books with the same title come smallest id first. Order in the query, "
    "before LIMIT and OFFSET, not in your code afterwards."
)
def test_list_order(app, rng):
    author_id = create_author(app, rng)
    titles = [random_title(rng) for _ in range(rng.randint(4, 6))]
    titles += rng.sample(titles, 2)  # at least two titles twice
    rng.shuffle(titles)
    books = [create_book(app, rng, author_id, title=t) for t in titles]
    check_list(app, {"author_id": author_id}, books, f"the {len(books)} books of author {author_id}")


@title("Pagination: limit and offset walk through every match exactly once, with the right total")
@points(3)
@hint(
    '"items" holds at most `limit` matches starting at position `offset` (ORDER BY title, id LIMIT ? '
    'OFFSET ?); "total" counts every match, not just this page, with a separate COUNT(*); the default '
    "limit is 20 and the default offset 0."
)
def test_pagination(app, rng):
    author_id = create_author(app, rng)
    books = ordered(create_books(app, rng, author_id, rng.randint(21, 26)))
    count = len(books)
    with checkpoint("the first page without limit or offset", points=1):
        items, data, what = list_books(app, {"author_id": author_id}, strict=True)
        check_equal((data["limit"], data["offset"]), (20, 0), f'the "limit" and "offset" of {what} (the defaults)')
        check_equal(data["total"], count, f'the "total" of {what} ({count} books match, on every page)')
        check_order(items, books[:20], f'the "items" of {what} (the first 20 of {count} matches)')
    size = rng.randint(3, 7)
    seen = []
    for offset in range(0, count, size):
        items, data, what = list_books(app, {"author_id": author_id, "limit": size, "offset": offset}, strict=True)
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
    check_order(seen, books, f"the books of all the pages of {size}, one page after the other")
    past = count + rng.randint(0, 5)
    items, data, what = list_books(app, {"author_id": author_id, "limit": size, "offset": past}, strict=True)
    check_equal((items, data["total"]), ([], count), f'the "items" and "total" of {what} (past the last match)')


@title("limit must be from 1 to 100: 0 or 101 answer 400")
@points(1)
@hint(
    'Answer 400 with {"error": "..."} for limit=0 or limit=101; accept every limit from 1 to 100 '
    "and echo it in the answer."
)
def test_limit_bounds(app, rng):
    author_id = create_author(app, rng)
    create_books(app, rng, author_id, 3)
    for limit in (0, 101, rng.randint(102, 1000)):
        error(
            app.get("/books", params={"author_id": author_id, "limit": limit}),
            400,
            f"GET /books?author_id={author_id}&limit={limit}",
        )
    for limit, length in ((1, 1), (100, 3), (rng.randint(2, 99), None)):
        items, data, what = list_books(app, {"author_id": author_id, "limit": limit}, strict=True)
        check_equal(data["limit"], limit, f'the "limit" of {what}')
        check_equal(len(items), length or min(limit, 3), f'the number of "items" of {what}')
    items, data, what = list_books(app, {"author_id": author_id, "limit": 2, "offset": 2}, strict=True)
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
        error(app.get("/books", params=params), 400, f"GET /books?{query}")
