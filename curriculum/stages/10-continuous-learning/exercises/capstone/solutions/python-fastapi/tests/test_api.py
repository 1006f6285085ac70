"""Run with `python -m pytest tests` from the project folder: each test gets its own database."""

import pytest
from app import create_app
from fastapi.testclient import TestClient

EXPENSE = {"amount_cents": 1250, "category": "groceries", "description": "Lunch", "spent_on": "2024-05-01"}


@pytest.fixture
def client(tmp_path):
    return TestClient(create_app(tmp_path / "test.sqlite3"))


def sign_up(client, email="ada@example.com"):
    r = client.post("/auth/signup", json={"email": email, "password": "analytical-engine"})
    assert r.status_code == 201
    return {"Authorization": f"Bearer {r.json()['token']}"}


def test_signup_twice_is_a_conflict(client):
    sign_up(client)
    r = client.post("/auth/signup", json={"email": "ADA@example.com", "password": "another-password"})
    assert r.status_code == 409


def test_login_checks_the_password(client):
    sign_up(client)
    assert (
        client.post("/auth/login", json={"email": "ada@example.com", "password": "analytical-engine"}).status_code
        == 200
    )
    assert (
        client.post("/auth/login", json={"email": "ada@example.com", "password": "wrong-password"}).status_code == 401
    )


def test_expenses_need_a_token(client):
    assert client.get("/expenses").status_code == 401
    assert client.get("/expenses", headers={"Authorization": "Bearer made-up"}).status_code == 401


def test_expense_lifecycle(client):
    auth = sign_up(client)
    created = client.post("/expenses", json=EXPENSE, headers=auth).json()
    assert client.get(f"/expenses/{created['id']}", headers=auth).json() == created
    changed = {**EXPENSE, "amount_cents": 990}
    assert client.put(f"/expenses/{created['id']}", json=changed, headers=auth).json()["amount_cents"] == 990
    assert client.delete(f"/expenses/{created['id']}", headers=auth).status_code == 204
    assert client.get(f"/expenses/{created['id']}", headers=auth).status_code == 404


def test_users_only_see_their_own_expenses(client):
    ada = sign_up(client, "ada@example.com")
    alan = sign_up(client, "alan@example.com")
    created = client.post("/expenses", json=EXPENSE, headers=ada).json()
    assert client.get(f"/expenses/{created['id']}", headers=alan).status_code == 404
    assert client.get("/expenses", headers=alan).json() == {"expenses": [], "total_cents": 0}


def test_list_filters_and_totals(client):
    auth = sign_up(client)
    client.post("/expenses", json=EXPENSE, headers=auth)
    client.post("/expenses", json={**EXPENSE, "category": "health", "spent_on": "2024-06-01"}, headers=auth)
    r = client.get("/expenses", params={"start": "2024-05-15"}, headers=auth).json()
    assert [e["category"] for e in r["expenses"]] == ["health"]
    assert client.get("/expenses", params={"category": "groceries"}, headers=auth).json()["total_cents"] == 1250
    assert client.get("/expenses", params={"period": "week", "start": "2024-01-01"}, headers=auth).status_code == 400


def test_malformed_json_is_a_client_error(client):
    r = client.post("/auth/login", content=b'{"email": ', headers={"Content-Type": "application/json"})
    assert r.status_code == 422
