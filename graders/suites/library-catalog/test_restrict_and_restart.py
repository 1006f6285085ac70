"""The library-catalog suite, part 3: authors and their books (book_count, delete restricted by
the foreign key), then the data surviving a restart.
"""

from catalog import (
    NAMES,
    WORDS,
    check_list,
    create_author,
    create_book,
    create_books,
    error,
    get_author,
    list_books,
    missing_id,
)

from stagecraft_grader import check_equal, checkpoint, hint, points, title

# --- authors and their books ------------------------------------------------------------------


@title("GET /authors/{id} counts the author's books in book_count")
@points(1)
@hint(
    "book_count is SELECT COUNT(*) FROM books WHERE author_id = ?, computed when asked (or "
    "Count('books') in Django): each author counts only their own books."
)
def test_book_count(app, rng):
    authors = [create_author(app, rng) for _ in range(3)]
    counts = [rng.randint(1, 4) for _ in authors]
    counts[rng.randrange(3)] = 0
    for author_id, count in zip(authors, counts, strict=True):
        create_books(app, rng, author_id, count)
    got = [get_author(app, a).get("book_count") for a in authors]
    check_equal(got, counts, f'the "book_count" of the authors {authors}')
    lonely = authors[counts.index(0)]
    create_book(app, rng, lonely)
    check_equal(
        get_author(app, lonely).get("book_count"), 1, f'the "book_count" of author {lonely} after adding a book'
    )


@title("DELETE /authors/{id} of an author with books answers 409 and deletes nothing")
@points(2)
@hint(
    "The foreign key restricts: ON DELETE RESTRICT in SQL (with PRAGMA foreign_keys = ON in SQLite) "
    'or on_delete=PROTECT in Django. Answer 409 with {"error": "..."}; the author and the books stay.'
)
def test_delete_author_with_books_409(app, rng):
    name = f"{rng.choice(NAMES)} {rng.randint(1, 10**6)}"
    author_id = create_author(app, rng, name)
    books = create_books(app, rng, author_id, rng.randint(1, 3))
    error(app.delete(f"/authors/{author_id}"), 409, f"DELETE /authors/{author_id} (an author with books)")
    got = get_author(app, author_id, f"GET /authors/{author_id} after the refused DELETE")
    check_equal(
        (got.get("name"), got.get("book_count")),
        (name, len(books)),
        f'the "name" and "book_count" of author {author_id} after the refused DELETE',
    )
    check_list(app, {"author_id": author_id}, books, "the author's books, still there")


@title("DELETE /authors/{id} of an author without books answers 204; unknown authors answer 404")
@points(1)
@hint(
    "Delete the row and answer 204 with no body; afterwards GET and DELETE of that id answer 404 "
    'with {"error": "..."}, as does any id that is not a number.'
)
def test_delete_author_204(app, rng):
    keep, gone = create_author(app, rng), create_author(app, rng)
    r = app.delete(f"/authors/{gone}")
    check_equal(r.status_code, 204, f"the status code of DELETE /authors/{gone} (an author without books)")
    check_equal(r.content, b"", f"the body of DELETE /authors/{gone} (none for a 204)")
    error(app.get(f"/authors/{gone}"), 404, f"GET /authors/{gone} after deleting it")
    error(app.delete(f"/authors/{gone}"), 404, f"a second DELETE /authors/{gone}")
    word = rng.choice(WORDS).lower()
    error(app.get(f"/authors/{word}"), 404, f"GET /authors/{word}")
    error(app.get(f"/authors/{missing_id(rng)}"), 404, "GET /authors/<an id no author has>")
    get_author(app, keep, f"GET /authors/{keep} (another author, not deleted)")


# --- persistence ------------------------------------------------------------------------------


@title("Authors and books survive a restart")
@points(3)
@hint(
    "Keep your data in a database file (under $DATA_DIR, or next to your code) or in a database "
    "service, never only in memory: the app is restarted and must find everything again."
)
def test_data_survives_restart(app, app_control, rng):
    author_id = create_author(app, rng)
    create_books(app, rng, author_id, rng.randint(2, 4))
    author = get_author(app, author_id)
    books, _, what = list_books(app, {"author_id": author_id, "limit": 100})
    app_control.restart()
    # Compared with the app's own answers before the restart, so that only persistence is graded here.
    with checkpoint("the author and the books are back after the restart", points=2):
        after = get_author(app, author_id, f"GET /authors/{author_id} after the restart")
        check_equal(after.get("name"), author.get("name"), f'the "name" of author {author_id} after the restart')
        books_after, _, _ = list_books(app, {"author_id": author_id, "limit": 100})
        check_equal(books_after, books, f'the "items" of {what} after the restart')
    with checkpoint("the book count is as before the restart", points=1):
        check_equal(
            after.get("book_count"),
            author.get("book_count"),
            f'the "book_count" of author {author_id} after the restart',
        )
