import os

import pytest
import requests


@pytest.fixture
def base_url():
    """The cart pricing API under test: TARGET_URL, set by the runner (or by you, locally)."""
    return os.environ.get("TARGET_URL", "http://127.0.0.1:9000").rstrip("/")


@pytest.fixture
def cart(base_url):
    """The URL of a new, empty cart."""
    r = requests.post(f"{base_url}/carts", timeout=5)
    assert r.status_code == 201
    return f"{base_url}/carts/{r.json()['id']}"


@pytest.fixture
def add(cart):
    """add(sku, qty, unit_price_cents) posts one item to the cart and returns the response."""

    def add(sku, qty, unit_price_cents):
        body = {"sku": sku, "qty": qty, "unit_price_cents": unit_price_cents}
        return requests.post(f"{cart}/items", json=body, timeout=5)

    return add


@pytest.fixture
def totals(cart):
    """totals() gets the cart and returns (subtotal_cents, discount_cents, total_cents)."""

    def totals():
        r = requests.get(cart, timeout=5)
        assert r.status_code == 200
        body = r.json()
        return body["subtotal_cents"], body["discount_cents"], body["total_cents"]

    return totals
