"""Todo List API with FastAPI (roadmap.sh/projects/todo-list-api)."""

import sqlite3
from datetime import UTC, datetime, timedelta
from typing import Annotated

import bcrypt
import jwt
from fastapi import Depends, FastAPI, Header, HTTPException, Query, Response
from pydantic import BaseModel, Field, StringConstraints

SECRET_KEY = "change-me-in-production-please"
DB_FILE = "todo.db"

NonBlank = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]

app = FastAPI(title="Todo List API")


def get_db():
    conn = sqlite3.connect(DB_FILE, check_same_thread=False)
    conn.row_factory = sqlite3.Row
    try:
        yield conn
    finally:
        conn.close()


def create_tables():
    conn = sqlite3.connect(DB_FILE)
    conn.execute(
        "CREATE TABLE IF NOT EXISTS users (id INTEGER PRIMARY KEY, name TEXT, email TEXT UNIQUE, password TEXT)"
    )
    conn.execute(
        "CREATE TABLE IF NOT EXISTS todos (id INTEGER PRIMARY KEY, user_id INTEGER, title TEXT, description TEXT)"
    )
    conn.commit()
    conn.close()


create_tables()
Db = Annotated[sqlite3.Connection, Depends(get_db)]


class RegisterIn(BaseModel):
    name: NonBlank
    email: str = Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    password: str = Field(min_length=8)


class LoginIn(BaseModel):
    email: str
    password: str


class TodoIn(BaseModel):
    title: NonBlank
    description: str = ""


def make_token(user_id: int) -> str:
    payload = {"sub": str(user_id), "exp": datetime.now(UTC) + timedelta(hours=1)}
    return jwt.encode(payload, SECRET_KEY, algorithm="HS256")


def current_user(db: Db, authorization: Annotated[str | None, Header()] = None) -> int:
    if not authorization or not authorization.startswith("Bearer "):
        raise HTTPException(status_code=401, detail="Unauthorized")
    try:
        user_id = int(jwt.decode(authorization[7:], SECRET_KEY, algorithms=["HS256"])["sub"])
    except (jwt.PyJWTError, KeyError, ValueError):
        raise HTTPException(status_code=401, detail="Unauthorized") from None
    if db.execute("SELECT id FROM users WHERE id = ?", (user_id,)).fetchone() is None:
        raise HTTPException(status_code=401, detail="Unauthorized")
    return user_id


UserId = Annotated[int, Depends(current_user)]


def own_todo(todo_id: int, user_id: int, db) -> None:
    row = db.execute("SELECT user_id FROM todos WHERE id = ?", (todo_id,)).fetchone()
    if row is None:
        raise HTTPException(status_code=404, detail="Todo not found")
    if row["user_id"] != user_id:
        raise HTTPException(status_code=403, detail="Forbidden")


@app.post("/register", status_code=201)
def register(user: RegisterIn, db: Db):
    if db.execute("SELECT id FROM users WHERE email = ?", (user.email,)).fetchone():
        raise HTTPException(status_code=400, detail="Email already registered")
    hashed = bcrypt.hashpw(user.password.encode(), bcrypt.gensalt()).decode()
    cur = db.execute("INSERT INTO users (name, email, password) VALUES (?, ?, ?)", (user.name, user.email, hashed))
    db.commit()
    return {"token": make_token(cur.lastrowid)}


@app.post("/login")
def login(credentials: LoginIn, db: Db):
    row = db.execute("SELECT id, password FROM users WHERE email = ?", (credentials.email,)).fetchone()
    if row is None or not bcrypt.checkpw(credentials.password.encode(), row["password"].encode()):
        raise HTTPException(status_code=401, detail="Invalid email or password")
    return {"token": make_token(row["id"])}


@app.post("/todos", status_code=201)
def create_todo(todo: TodoIn, user_id: UserId, db: Db):
    cur = db.execute(
        "INSERT INTO todos (user_id, title, description) VALUES (?, ?, ?)", (user_id, todo.title, todo.description)
    )
    db.commit()
    return {"id": cur.lastrowid, "title": todo.title, "description": todo.description}


@app.get("/todos")
def list_todos(
    user_id: UserId,
    db: Db,
    page: Annotated[int, Query(ge=1)] = 1,
    limit: Annotated[int, Query(ge=1, le=100)] = 10,
):
    rows = db.execute(
        "SELECT id, title, description FROM todos WHERE user_id = ? ORDER BY id LIMIT ? OFFSET ?",
        (user_id, limit, (page - 1) * limit),
    ).fetchall()
    total = db.execute("SELECT COUNT(*) FROM todos WHERE user_id = ?", (user_id,)).fetchone()[0]
    return {"data": [dict(row) for row in rows], "page": page, "limit": limit, "total": total}


@app.put("/todos/{todo_id}")
def update_todo(todo_id: int, todo: TodoIn, user_id: UserId, db: Db):
    own_todo(todo_id, user_id, db)
    db.execute("UPDATE todos SET title = ?, description = ? WHERE id = ?", (todo.title, todo.description, todo_id))
    db.commit()
    return {"id": todo_id, "title": todo.title, "description": todo.description}


@app.delete("/todos/{todo_id}", status_code=204)
def delete_todo(todo_id: int, user_id: UserId, db: Db):
    own_todo(todo_id, user_id, db)
    db.execute("DELETE FROM todos WHERE id = ?", (todo_id,))
    db.commit()
    return Response(status_code=204)
