"""The expenses of the signed-in user: list with filters, create, read, replace, delete."""

import sqlite3
from datetime import date, timedelta
from enum import StrEnum
from typing import Annotated

from deps import Database, UserId
from fastapi import APIRouter, HTTPException, Query, Response
from models import Category, Expense, ExpenseIn, ExpenseList, Problem

UNAUTHORIZED = {401: {"model": Problem, "description": "No valid Bearer token"}}
NOT_FOUND = {404: {"model": Problem, "description": "The user has no expense with this id"}}
COLUMNS = "id, amount_cents, category, description, spent_on"


class Period(StrEnum):
    week = "week"
    month = "month"
    three_months = "3months"


PERIOD_DAYS = {Period.week: 7, Period.month: 30, Period.three_months: 90}

router = APIRouter(prefix="/expenses", tags=["expenses"], responses=UNAUTHORIZED)


def find(conn: sqlite3.Connection, user_id: int, expense_id: int) -> Expense:
    # Another user's expense is "not found" too: a 403 would confirm that the id exists.
    row = conn.execute(f"SELECT {COLUMNS} FROM expenses WHERE id = ? AND user_id = ?", (expense_id, user_id)).fetchone()
    if row is None:
        raise HTTPException(404, "expense not found")
    return Expense(**row)


@router.get("", responses={400: {"model": Problem, "description": "period combined with start or end"}})
def list_expenses(
    conn: Database,
    user_id: UserId,
    period: Annotated[Period | None, Query(description="Only the last 7, 30 or 90 days.")] = None,
    start: Annotated[date | None, Query(description="Only expenses on or after this day.")] = None,
    end: Annotated[date | None, Query(description="Only expenses on or before this day.")] = None,
    category: Category | None = None,
) -> ExpenseList:
    """The user's expenses, newest first, with their total."""
    if period and (start or end):
        raise HTTPException(400, "use either period or start/end, not both")
    if period:
        start = date.today() - timedelta(days=PERIOD_DAYS[period])
    sql = f"SELECT {COLUMNS} FROM expenses WHERE user_id = ?"
    params: list = [user_id]
    for clause, value in (("spent_on >= ?", start), ("spent_on <= ?", end), ("category = ?", category)):
        if value is not None:
            sql += f" AND {clause}"
            params.append(value.isoformat() if isinstance(value, date) else value)
    rows = conn.execute(sql + " ORDER BY spent_on DESC, id DESC", params).fetchall()
    expenses = [Expense(**row) for row in rows]
    return ExpenseList(expenses=expenses, total_cents=sum(e.amount_cents for e in expenses))


@router.post("", status_code=201)
def create_expense(body: ExpenseIn, conn: Database, user_id: UserId) -> Expense:
    with conn:
        cursor = conn.execute(
            "INSERT INTO expenses (user_id, amount_cents, category, description, spent_on) VALUES (?, ?, ?, ?, ?)",
            (user_id, body.amount_cents, body.category, body.description, body.spent_on.isoformat()),
        )
    return Expense(id=cursor.lastrowid, **body.model_dump())


@router.get("/{expense_id}", responses=NOT_FOUND)
def read_expense(expense_id: int, conn: Database, user_id: UserId) -> Expense:
    return find(conn, user_id, expense_id)


@router.put("/{expense_id}", responses=NOT_FOUND)
def replace_expense(expense_id: int, body: ExpenseIn, conn: Database, user_id: UserId) -> Expense:
    find(conn, user_id, expense_id)
    with conn:
        conn.execute(
            "UPDATE expenses SET amount_cents = ?, category = ?, description = ?, spent_on = ? WHERE id = ?",
            (body.amount_cents, body.category, body.description, body.spent_on.isoformat(), expense_id),
        )
    return Expense(id=expense_id, **body.model_dump())


@router.delete("/{expense_id}", status_code=204, responses=NOT_FOUND)
def delete_expense(expense_id: int, conn: Database, user_id: UserId) -> Response:
    find(conn, user_id, expense_id)
    with conn:
        conn.execute("DELETE FROM expenses WHERE id = ?", (expense_id,))
    return Response(status_code=204)
