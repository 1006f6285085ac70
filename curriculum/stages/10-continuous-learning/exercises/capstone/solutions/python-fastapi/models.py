"""Request and response bodies. FastAPI turns them into the OpenAPI document's schemas."""

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, Field

Email = Annotated[str, Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", max_length=254, examples=["ada@example.com"])]


class Credentials(BaseModel):
    email: Email
    password: Annotated[str, Field(min_length=8, max_length=200)]


class Session(BaseModel):
    token: str
    expires_at: datetime


class Category(StrEnum):
    groceries = "groceries"
    leisure = "leisure"
    electronics = "electronics"
    utilities = "utilities"
    clothing = "clothing"
    health = "health"
    others = "others"


class ExpenseIn(BaseModel):
    amount_cents: Annotated[int, Field(gt=0, le=100_000_000, description="The amount in cents: 1250 is 12.50.")]
    category: Category
    description: Annotated[str, Field(min_length=1, max_length=200)]
    spent_on: date


class Expense(ExpenseIn):
    id: int


class ExpenseList(BaseModel):
    expenses: list[Expense]
    total_cents: int


class Problem(BaseModel):
    detail: str
