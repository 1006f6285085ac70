"""documented-api reference solution: a FastAPI app whose generated OpenAPI document matches it.

FastAPI writes /openapi.json from the code: the models become schemas, `status_code=` and
`responses=` become each operation's responses, and the function parameters become its
parameters. The one thing it cannot guess is a status code raised with HTTPException, so every
404 is declared in `responses=`.
"""

import os
from datetime import UTC, datetime
from itertools import count
from typing import Annotated

import uvicorn
from fastapi import FastAPI, HTTPException, Query, Response
from pydantic import BaseModel, Field, HttpUrl

app = FastAPI(title="Bookmarks API", version="1.0.0")

Title = Annotated[str, Field(min_length=1, max_length=200)]


class BookmarkIn(BaseModel):
    url: HttpUrl
    title: Title
    tags: list[str] = []


class BookmarkPatch(BaseModel):
    url: HttpUrl | None = None
    title: Title | None = None
    tags: list[str] | None = None


class Bookmark(BaseModel):
    id: int
    url: str
    title: str
    tags: list[str]
    created_at: datetime


class Message(BaseModel):
    detail: str


NOT_FOUND = {404: {"model": Message, "description": "No bookmark has this id"}}

bookmarks: dict[int, Bookmark] = {}
next_id = count(1)


def find(bookmark_id: int) -> Bookmark:
    if bookmark_id not in bookmarks:
        raise HTTPException(status_code=404, detail="bookmark not found")
    return bookmarks[bookmark_id]


# BROKEN: without status_code=201 here, FastAPI documents 200; setting the code on the response
# object inside the function changes what the API returns, but not the document.
@app.post("/bookmarks", response_model=Bookmark)
def create_bookmark(body: BookmarkIn, response: Response) -> Bookmark:
    response.status_code = 201
    bookmark = Bookmark(
        id=next(next_id),
        url=str(body.url),
        title=body.title,
        tags=body.tags,
        created_at=datetime.now(UTC),
    )
    bookmarks[bookmark.id] = bookmark
    return bookmark


@app.get("/bookmarks", response_model=list[Bookmark])
def list_bookmarks(tag: Annotated[str | None, Query(description="only bookmarks with this tag")] = None):
    return [b for b in bookmarks.values() if tag is None or tag in b.tags]


@app.get("/bookmarks/{bookmark_id}", response_model=Bookmark, responses=NOT_FOUND)
def read_bookmark(bookmark_id: int) -> Bookmark:
    return find(bookmark_id)


@app.patch("/bookmarks/{bookmark_id}", response_model=Bookmark, responses=NOT_FOUND)
def update_bookmark(bookmark_id: int, body: BookmarkPatch) -> Bookmark:
    bookmark = find(bookmark_id)
    changes = body.model_dump(mode="json", exclude_unset=True, exclude_none=True)
    updated = bookmark.model_copy(update=changes)
    bookmarks[bookmark_id] = updated
    return updated


@app.delete("/bookmarks/{bookmark_id}", status_code=204, responses=NOT_FOUND)
def delete_bookmark(bookmark_id: int) -> Response:
    find(bookmark_id)
    del bookmarks[bookmark_id]
    return Response(status_code=204)


if __name__ == "__main__":
    uvicorn.run(app, host=os.environ.get("HOST", "0.0.0.0"), port=int(os.environ.get("PORT", "8000")))
