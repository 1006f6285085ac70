"""Expense tracker API: the entry point. Builds the app, adds the platform routes, runs uvicorn."""

import os
from pathlib import Path

import auth
import db
import expenses
import uvicorn
from fastapi import FastAPI

DESCRIPTION = """Track personal expenses: sign up, then record, filter, correct and delete what you
spend. Amounts are integers in cents. Every /expenses route needs `Authorization: Bearer <token>`."""

# How the Stagecraft grader creates one resource and reads it back (see the README).
MANIFEST = {
    "auth": {
        "register": {
            "method": "POST",
            "path": "/auth/signup",
            "body": {"email": "grader-{random}@example.com", "password": "grader-password-{random}"},
        },
        "login": {
            "method": "POST",
            "path": "/auth/login",
            "body": {"email": "grader-{random}@example.com", "password": "grader-password-{random}"},
            "token_field": "token",
        },
    },
    "create": {
        "method": "POST",
        "path": "/expenses",
        "body": {
            "amount_cents": 1250,
            "category": "groceries",
            "description": "Lunch {random}",
            "spent_on": "2024-05-01",
        },
    },
    "read": {"path_template": "/expenses/{id}", "id_field": "id"},
}


def create_app(database: Path) -> FastAPI:
    db.migrate(database)
    app = FastAPI(title="Expense Tracker API", version="1.0.0", description=DESCRIPTION)
    app.state.database = database
    app.include_router(auth.router)
    app.include_router(expenses.router)

    @app.get("/health", tags=["platform"])
    def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/capstone.json", include_in_schema=False)
    def manifest() -> dict:
        return MANIFEST

    return app


if __name__ == "__main__":
    data_dir = Path(os.environ.get("DATA_DIR", "data"))
    uvicorn.run(
        create_app(data_dir / "expenses.sqlite3"),
        host=os.environ.get("HOST", "0.0.0.0"),
        port=int(os.environ.get("PORT", "8000")),
    )
