import pytest
import requests


def test_create_cart_answers_201_with_a_string_id(base_url):
    r = requests.post(f"{base_url}/carts", timeout=5)
    assert r.status_code == 201
    assert isinstance(r.json()["id"], str) and r.json()["id"]


def test_new_cart_is_empty(cart):
    r = requests.get(cart, timeout=5)
    assert r.status_code == 200
    assert r.json() == {"items": [], "subtotal_cents": 0, "discount_cents": 0, "total_cents": 0}


def test_add_item_answers_201_with_the_cart(add):
    r = add("pen", 2, 150)
    assert r.status_code == 201
    assert r.json()["items"] == [{"sku": "pen", "qty": 2, "unit_price_cents": 150}]


def test_subtotal_multiplies_quantity_by_unit_price(add, totals):
    add("pen", 3, 250)
    add("pad", 2, 100)
    assert totals() == (950, 0, 950)


def test_adding_a_sku_again_replaces_its_line(cart, add, totals):
    add("pen", 3, 250)
    add("pen", 1, 200)
    r = requests.get(cart, timeout=5)
    assert r.json()["items"] == [{"sku": "pen", "qty": 1, "unit_price_cents": 200}]
    assert totals() == (200, 0, 200)


@pytest.mark.parametrize("qty, unit_price", [(1, 0), (99, 1)])
def test_edge_values_are_accepted(add, qty, unit_price):
    assert add("pen", qty, unit_price).status_code == 201


def test_no_discount_just_below_the_threshold(add, totals):
    add("lamp", 1, 9999)
    assert totals() == (9999, 0, 9999)


# BROKEN: the discount is tested well above the threshold only, never at exactly 10000 cents.
def test_discount_above_the_threshold(add, totals):
    add("lamp", 2, 6000)
    assert totals() == (12000, 1200, 10800)


def test_discount_is_rounded_down(add, totals):
    add("lamp", 1, 10009)
    assert totals() == (10009, 1000, 9009)


def test_deleting_an_item_updates_the_totals(cart, add, totals):
    add("lamp", 1, 8000)
    add("desk", 1, 4000)
    assert totals() == (12000, 1200, 10800)
    assert requests.delete(f"{cart}/items/desk", timeout=5).status_code == 204
    assert requests.get(cart, timeout=5).json()["items"] == [{"sku": "lamp", "qty": 1, "unit_price_cents": 8000}]
    assert totals() == (8000, 0, 8000)


def test_deleting_a_missing_item_answers_404(cart):
    assert requests.delete(f"{cart}/items/nothing-here", timeout=5).status_code == 404


@pytest.mark.parametrize(
    "body",
    [
        {"sku": "pen", "qty": 0, "unit_price_cents": 100},
        {"sku": "pen", "qty": 100, "unit_price_cents": 100},
        {"sku": "pen", "qty": 2.5, "unit_price_cents": 100},
        {"sku": "pen", "qty": "2", "unit_price_cents": 100},
        {"sku": "pen", "qty": True, "unit_price_cents": 100},
        {"sku": "pen", "qty": 1, "unit_price_cents": -1},
        {"sku": "", "qty": 1, "unit_price_cents": 100},
        {"qty": 1, "unit_price_cents": 100},
        ["pen", 1, 100],
    ],
)
def test_invalid_items_answer_400(cart, totals, body):
    r = requests.post(f"{cart}/items", json=body, timeout=5)
    assert r.status_code == 400
    assert isinstance(r.json()["error"], str)
    assert totals() == (0, 0, 0)


@pytest.mark.parametrize("method, suffix", [("GET", ""), ("POST", "/items"), ("DELETE", "/items/pen")])
def test_unknown_cart_answers_404(base_url, method, suffix):
    body = {"sku": "pen", "qty": 1, "unit_price_cents": 100} if method == "POST" else None
    r = requests.request(method, f"{base_url}/carts/no-such-cart{suffix}", json=body, timeout=5)
    assert r.status_code == 404
    assert isinstance(r.json()["error"], str)
