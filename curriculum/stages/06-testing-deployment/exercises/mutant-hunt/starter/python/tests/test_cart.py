import requests


def test_create_cart_answers_201_with_a_string_id(base_url):
    r = requests.post(f"{base_url}/carts", timeout=5)
    assert r.status_code == 201
    assert isinstance(r.json()["id"], str)


# TODO: one test per rule of the brief. Each test should fail if that rule were broken: the
# discount and where it starts, how it is rounded, the total, the subtotal with quantities,
# removing items, which items are invalid (400), and what an unknown cart answers (404).
