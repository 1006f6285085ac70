"""The JSON API: authors, books, and a filtered, paginated list of books."""

import functools
import json
import re

from django.db import IntegrityError
from django.db.models import ProtectedError
from django.http import HttpResponse, JsonResponse
from django.views.decorators.http import require_http_methods

from catalog.models import Author, Book

ISBN = re.compile(r"[0-9]{13}")
DIGITS = re.compile(r"[0-9]+")
MAX_ID = 2**63 - 1  # SQLite's largest integer: no row has a bigger id


class Invalid(Exception):
    """Something the client got wrong: answered 400 with the message."""


def error(status, message):
    return JsonResponse({"error": message}, status=status)


def not_found(request, exception=None):
    return error(404, "not found")


def api(view):
    """Answer Invalid with a 400 and a JSON error."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except Invalid as e:
            return error(400, str(e))

    return wrapper


def json_object(request):
    try:
        data = json.loads(request.body)
    except ValueError:  # not JSON, or not UTF-8
        raise Invalid("the body must be JSON") from None
    if not isinstance(data, dict):
        raise Invalid("the body must be a JSON object")
    return data


def text(data, field, max_length):
    value = data.get(field)
    if not isinstance(value, str) or not value.strip() or len(value) > max_length:
        raise Invalid(f'"{field}" must be a string of 1 to {max_length} characters')
    return value


def is_integer(value, low=-MAX_ID, high=MAX_ID):
    """A JSON integer (true and false are bools in Python, and bool is a subclass of int)."""
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


def query_int(params, name, default=None, low=0, high=MAX_ID):
    value = params.get(name)
    if value is None:
        return default
    if not DIGITS.fullmatch(value) or not low <= int(value) <= high:
        raise Invalid(f"{name} must be a whole number from {low} to {high}")
    return int(value)


def find_author(author_id):
    return Author.objects.filter(pk=author_id).first() if 0 < author_id <= MAX_ID else None


@require_http_methods(["POST"])
@api
def authors(request):
    author = Author.objects.create(name=text(json_object(request), "name", 100))
    return JsonResponse({"id": author.id, "name": author.name}, status=201)


@require_http_methods(["GET", "DELETE"])
def author(request, author_id):
    found = find_author(author_id)
    if found is None:
        return error(404, "author not found")
    if request.method == "DELETE":
        try:
            found.delete()
        except ProtectedError:  # the foreign key's on_delete=PROTECT
            return error(409, "the author still has books: delete them first")
        return HttpResponse(status=204)
    return JsonResponse({"id": found.id, "name": found.name, "book_count": found.books.count()})


@require_http_methods(["GET", "POST"])
@api
def books(request):
    return list_books(request.GET) if request.method == "GET" else create_book(json_object(request))


def create_book(data):
    title = text(data, "title", 200)
    isbn = data.get("isbn")
    if not isinstance(isbn, str) or not ISBN.fullmatch(isbn):
        raise Invalid('"isbn" must be a string of exactly 13 digits')
    year = data.get("year")
    if not is_integer(year, 1, 9999):
        raise Invalid('"year" must be an integer from 1 to 9999')
    author_id = data.get("author_id")
    if not is_integer(author_id):
        raise Invalid('"author_id" must be an integer')
    found = find_author(author_id)
    if found is None:
        return error(422, f"there is no author with id {author_id}")
    try:
        book = Book.objects.create(title=title, isbn=isbn, year=year, author=found)
    except IntegrityError:  # the UNIQUE constraint on isbn
        return error(409, f"a book with ISBN {isbn} already exists")
    return JsonResponse(book.as_json(), status=201)


def list_books(params):
    limit = query_int(params, "limit", default=20, low=1, high=100)
    offset = query_int(params, "offset", default=0)
    matches = Book.objects.order_by("title", "id")
    author_id = query_int(params, "author_id")
    if author_id is not None:
        matches = matches.filter(author_id=author_id)
    year_from = query_int(params, "year_from")
    if year_from is not None:
        matches = matches.filter(year__gte=year_from)
    year_to = query_int(params, "year_to")
    if year_to is not None:
        matches = matches.filter(year__lte=year_to)
    if params.get("q"):
        matches = matches.filter(title__icontains=params["q"])  # LIKE: case-insensitive for ASCII
    return JsonResponse(
        {
            "items": [book.as_json() for book in matches[offset : offset + limit]],
            "total": matches.count(),
            "limit": limit,
            "offset": offset,
        }
    )
