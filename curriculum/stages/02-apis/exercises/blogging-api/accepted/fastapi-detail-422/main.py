"""Blogging Platform API from roadmap.sh, with FastAPI.

Validation is Pydantic's, so a bad body gets FastAPI's usual 422 with {"detail": [...]}.
Posts are kept in a dict for now (no database yet).
"""

from datetime import UTC, datetime
from itertools import count

from fastapi import FastAPI, HTTPException, Response
from pydantic import BaseModel, field_validator

app = FastAPI(title="Blogging Platform API")


class PostIn(BaseModel):
    title: str
    content: str
    category: str
    tags: list[str]

    @field_validator("title", "content", "category")
    @classmethod
    def not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be blank")
        return value


class Post(PostIn):
    id: int
    created_at: datetime
    updated_at: datetime


posts: dict[int, Post] = {}
ids = count(1)


def get_or_404(post_id: int) -> Post:
    if post_id not in posts:
        raise HTTPException(status_code=404, detail="Post not found")
    return posts[post_id]


@app.post("/posts", status_code=201)
def create_post(data: PostIn) -> Post:
    now = datetime.now(UTC)
    post = Post(id=next(ids), **data.model_dump(), created_at=now, updated_at=now)
    posts[post.id] = post
    return post


@app.get("/posts")
def list_posts(term: str | None = None) -> list[Post]:
    if not term:
        return list(posts.values())
    term = term.lower()
    return [
        p for p in posts.values() if term in p.title.lower() or term in p.content.lower() or term in p.category.lower()
    ]


@app.get("/posts/{post_id}")
def get_post(post_id: int) -> Post:
    return get_or_404(post_id)


@app.put("/posts/{post_id}")
def update_post(post_id: int, data: PostIn) -> Post:
    old = get_or_404(post_id)
    post = Post(id=post_id, **data.model_dump(), created_at=old.created_at, updated_at=datetime.now(UTC))
    posts[post_id] = post
    return post


@app.delete("/posts/{post_id}", status_code=204)
def delete_post(post_id: int) -> Response:
    get_or_404(post_id)
    del posts[post_id]
    return Response(status_code=204)
