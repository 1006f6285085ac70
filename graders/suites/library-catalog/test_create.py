"""The library-catalog suite, part 1: creating authors and books, with their validation and
the unique ISBN (see the exercise's README).

The app keeps running for the whole suite, so every test creates its own authors and never
assumes the store is empty or that ids start anywhere in particular.
"""

import json

from catalog import (
    NAMES,
    WORDS,
    check_book,
    check_list,
    create_author,
    create_book,
    error,
    is_int,
    json_body,
    list_books,
    missing_id,
    random_isbn,
    random_title,
)

from stagecraft_grader import check, check_equal, checkpoint, hint, points, title

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
        data = json_body(app.post("/authors", json={"name": name}), 201, "POST /authors")
        check(
            isinstance(data, dict) and is_int(data.get("id")),
            'expected POST /authors to answer a JSON object with an integer "id"',
            got=data,
        )
        check_equal(data.get("name"), name, 'the "name" of the created author')
    other = create_author(app, rng)
    check(other != data["id"], "expected every author to get their own id", got=[data["id"], other])
    got = json_body(app.get(f"/authors/{data['id']}"), 200, f"GET /authors/{data['id']}")
    check(isinstance(got, dict), f"expected GET /authors/{data['id']} to answer a JSON object", got=got)
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
        error(
            app.post("/authors", content=json.dumps(body), headers={"Content-Type": "application/json"}),
            400,
            f"POST /authors with {what} ({json.dumps(body)[:60]})",
        )
    r = app.post("/authors", content=f'{{"name": "{word}', headers={"Content-Type": "application/json"})
    error(r, 400, "POST /authors with a body that is not valid JSON")
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
    author_id = create_author(app, rng)
    body = {
        "title": random_title(rng, 3),
        "isbn": random_isbn(rng),
        "year": rng.randint(1850, 2024),
        "author_id": author_id,
    }
    with checkpoint("POST /books answered 201 with the book", points=1):
        book = check_book(json_body(app.post("/books", json=body), 201, "POST /books"), body, "the created book")
    second = create_book(app, rng, author_id)
    check(second["id"] != book["id"], "expected every book to get its own id", got=[book["id"], second["id"]])
    check_list(app, {"author_id": author_id}, [book, second], "the author's two new books")


@title("POST /books with an invalid book answers 400 and stores nothing")
@points(2)
@hint(
    'Check every field before inserting: "title" a string of 1 to 200 characters (not only spaces), '
    '"isbn" a string of exactly 13 digits, "year" an integer from 1 to 9999 (not a string), '
    '"author_id" an integer. Answer 400 with {"error": "..."} otherwise.'
)
def test_create_book_invalid_400(app, rng):
    author_id = create_author(app, rng)

    def body(**changes):
        good = {
            "title": random_title(rng),
            "isbn": random_isbn(rng),
            "year": rng.randint(1850, 2024),
            "author_id": author_id,
        }
        return {k: v for k, v in {**good, **changes}.items() if v is not ...}

    isbn = random_isbn(rng)
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
        error(app.post("/books", json=data), 400, f"POST /books with {what} ({json.dumps(data)[:100]})")
    r = app.post("/books", content=b'{"title": "Unfinished', headers={"Content-Type": "application/json"})
    error(r, 400, "POST /books with a body that is not valid JSON")
    items, data, what = list_books(app, {"author_id": author_id})
    check_equal(data["total"], 0, f'the "total" of {what} after the refused books (none may be stored)')


@title("POST /books for an author that does not exist answers 422")
@points(1)
@hint(
    "A valid body whose author_id no author has breaks the foreign key: answer 422 with "
    '{"error": "..."} and store nothing (the ISBN stays free).'
)
def test_create_book_unknown_author_422(app, rng):
    missing = missing_id(rng)
    body = {"title": random_title(rng), "isbn": random_isbn(rng), "year": rng.randint(1850, 2024), "author_id": missing}
    error(app.post("/books", json=body), 422, f"POST /books with author_id {missing} (no such author)")
    items, data, what = list_books(app, {"author_id": missing})
    check_equal(data["total"], 0, f'the "total" of {what} (the refused book must not be stored)')
    author_id = create_author(app, rng)
    create_book(app, rng, author_id, title=body["title"], year=body["year"], isbn=body["isbn"])


@title("A second book with the same ISBN answers 409, and the first one stays as it was")
@points(2)
@hint(
    "Make isbn a UNIQUE column and turn the database's refusal into 409 with "
    '{"error": "..."}: no second book is stored and the first keeps its title, year and author.'
)
def test_duplicate_isbn_409(app, rng):
    first_author, second_author = create_author(app, rng), create_author(app, rng)
    book = create_book(app, rng, first_author, title=random_title(rng, 3))
    for author_id in (second_author, first_author):
        again = {
            "title": random_title(rng, 3),
            "isbn": book["isbn"],
            "year": rng.randint(1850, 2024),
            "author_id": author_id,
        }
        error(app.post("/books", json=again), 409, f"POST /books with the ISBN {book['isbn']} already taken")
    items, data, what = list_books(app, {"author_id": first_author})
    check_equal(items, [book], f'the "items" of {what} (only the first book, unchanged)')
    items, data, what = list_books(app, {"author_id": second_author})
    check_equal(data["total"], 0, f'the "total" of {what} (the duplicate must not be stored)')
    create_book(app, rng, second_author)  # another ISBN is still welcome
