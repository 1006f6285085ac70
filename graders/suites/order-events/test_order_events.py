"""Grader suite for the stage 8 exercise order-events (see the exercise's README for the brief)."""

import json
import os
import socket
import time

import httpx
import pytest

from stagecraft_grader import GraderError, check, check_equal, checkpoint, fail, hint, not_graded, points, title
from stagecraft_grader.shapes import field as shape_field
from stagecraft_grader.shapes import find_id, unwrap, unwrap_list

ORDER_EVENTS = "orders.events"
SHIPPING_EVENTS = "shipping.events"
GROUP = "shipping"
SHIPPING_PORT = 8001
# The Redis sidecar shares the app's loopback; REDIS_URL only for running the suite by hand.
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379")
WAIT = 15.0  # seconds an event may take to travel: generous, the machine may be busy
# The tests that check what the preconditions below only need to work: a precondition that cannot
# be met skips the test (worth nothing) and names the test to make pass first (no cascades).
CREATE_ORDER = '"POST /orders creates a pending order and GET /orders/{id} returns it"'
SHIPMENT_CREATED = '"The shipping service schedules one shipment for a new order"'

ADJECTIVES = ["walnut", "copper", "linen", "amber", "slate", "velvet", "cedar", "cobalt", "ivory", "maple"]
THINGS = ["desk lamp", "teapot", "bookshelf", "rain jacket", "chess set", "backpack", "kettle", "armchair"]


def _item(rng):
    return f"{rng.choice(ADJECTIVES)} {rng.choice(THINGS)} #{rng.randint(100, 9999)}"


def _token(rng, prefix):
    return f"{prefix}-{rng.getrandbits(48):012x}"


@pytest.fixture
def store():
    """A client of the Redis sidecar, to read the streams and to publish events as another service would."""
    import redis  # the grader image has the client; imported here so the suite loads without it

    client = redis.Redis.from_url(REDIS_URL, decode_responses=True, socket_timeout=5)
    try:
        client.ping()
    except redis.RedisError as exc:
        raise GraderError(f"could not reach the Redis sidecar: {exc}") from exc
    with client:
        yield client


def _json(r, status, what):
    check_equal(r.status_code, status, f"the status code of {what}")
    check_equal(r.content_type, "application/json", f"the Content-Type media type of {what}")
    return r.json()


def _json_or_none(r):
    try:
        return json.loads(r.content)
    except ValueError:
        return None


def _create_order(app, item, qty, *, strict=False):
    """POST /orders: the created order.

    `strict` checks the answer as the brief pins it (201, JSON, {"id", "item", "qty", "status":
    "pending"}), for the create test; as a precondition of another test any 2xx answering an order
    with an id will do, or the test is skipped.
    """
    body = {"item": item, "qty": qty}
    what = f"POST /orders with {json.dumps(body)}"
    r = app.post("/orders", json=body)
    if not strict:
        data = unwrap(_json_or_none(r)) if 200 <= r.status_code < 300 else None
        if find_id(data) is None:
            not_graded(
                f"this test needs {what} to create an order and answer its id (it answered {r.status_code} "
                f"{r.text[:100]!r}): make the test {CREATE_ORDER} pass first"
            )
        return {**data, "id": find_id(data)}
    data = _json(r, 201, what)
    check(isinstance(data, dict), f"expected a JSON object from {what}", got=data)
    missing = [f for f in ("id", "item", "qty", "status") if f not in data]
    check(not missing, f"expected the order to have the fields id, item, qty, status; missing {missing}", got=data)
    order_id = data["id"]
    check(
        isinstance(order_id, (str, int)) and not isinstance(order_id, bool) and str(order_id) != "",
        'expected "id" to be a non-empty string or an integer',
        got=order_id,
    )
    check_equal(data["item"], item, f'the "item" of the order created by {what}')
    check_equal(data["qty"], qty, f'the "qty" of the order created by {what}')
    check_equal(data["status"], "pending", f'the "status" of the order created by {what}')
    return data


def _shipping_url(base_url, *, strict=False):
    """The shipping service's base URL, once it accepts connections (the platform only waits for $PORT).

    For the test about shipments (`strict`), a service that never listens fails; as a precondition
    of another test, it skips that test.
    """
    url = httpx.URL(base_url).copy_with(port=SHIPPING_PORT)
    deadline = time.monotonic() + WAIT
    while True:
        try:
            with socket.create_connection((url.host, SHIPPING_PORT), timeout=1):
                return str(url).rstrip("/")
        except OSError:
            if time.monotonic() > deadline:
                message = (
                    f"the shipping service did not accept connections on port {SHIPPING_PORT} within {WAIT:g} s: "
                    "your start command must run both services, orders on $PORT and shipping on port 8001"
                )
                if strict:
                    fail(message)
                not_graded(f"{message}; make the test {SHIPMENT_CREATED} pass first")
            time.sleep(0.2)


def _shipments(app, shipping, order_id, *, strict=False):
    """GET /shipments?order_id= on the shipping service: the order's shipments.

    `strict` checks the answer as the brief pins it (200, JSON, an array), for the test about
    shipments; as a precondition of another test the list is read bare or wrapped, or the test is
    skipped.
    """
    what = f"GET /shipments?order_id={order_id} on the shipping service"
    r = app.get(f"{shipping}/shipments", params={"order_id": str(order_id)})
    if strict:
        data = _json(r, 200, what)
        check(isinstance(data, list), f"expected a JSON array from {what}", got=data)
        return data
    data = unwrap_list(_json_or_none(r), prefer=("shipments",)) if r.status_code == 200 else None
    if data is None:
        not_graded(
            f"this test needs {what} to list the order's shipments (it answered {r.status_code} "
            f"{r.text[:100]!r}): make the test {SHIPMENT_CREATED} pass first"
        )
    return data


def _poll(probe, timeout=WAIT):
    """Call probe() with growing pauses until it returns something truthy or `timeout` passes."""
    deadline = time.monotonic() + timeout
    pause = 0.1
    while True:
        value = probe()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(pause)
        pause = min(pause * 1.5, 1.0)


def _wait_shipments(app, shipping, order_id, *, strict=False, precondition=False):
    """Wait for the order's shipments (`strict`: see _shipments). A `precondition` (a shipment for an
    order made just so that the test can go on) skips the test when none comes, instead of failing it."""
    shipments = _poll(lambda: _shipments(app, shipping, order_id, strict=strict))
    if precondition and not shipments:
        not_graded(
            f"this test needs the shipping service to schedule a shipment for order {order_id} (none came "
            f"within {WAIT:g} s): make the test {SHIPMENT_CREATED} pass first"
        )
    check(
        shipments,
        f"expected the shipping service to schedule a shipment for order {order_id} within {WAIT:g} s "
        f"(GET /shipments?order_id={order_id} stayed an empty list)",
        got=shipments,
    )
    return shipments


def _check_shipment(shipment, order_id, item, qty):
    check(isinstance(shipment, dict), "expected each shipment to be a JSON object", got=shipment)
    missing = [f for f in ("id", "order_id", "item", "qty", "status") if f not in shipment]
    check(
        not missing,
        f"expected the shipment to have the fields id, order_id, item, qty, status; missing {missing}",
        got=shipment,
    )
    check_equal(str(shipment["order_id"]), str(order_id), 'the "order_id" of the shipment')
    check_equal(shipment["item"], item, 'the "item" of the shipment')
    check_equal(shipment["qty"], qty, 'the "qty" of the shipment (an integer)')
    check_equal(shipment["status"], "scheduled", 'the "status" of the shipment')


def _find_event(store, stream, order_id, event_type):
    """The newest entry (id, fields) of `stream` with this order_id and type, or None."""
    for entry_id, fields in store.xrevrange(stream, count=1000):
        if fields.get("order_id") == str(order_id) and fields.get("type") == event_type:
            return entry_id, fields
    return None


def _order_created(store, order_id):
    found = _poll(lambda: _find_event(store, ORDER_EVENTS, order_id, "order_created"), timeout=5)
    check(
        found is not None,
        f"expected an entry with type=order_created and order_id={order_id} on the stream {ORDER_EVENTS}",
        got=f"none among the last {min(store.xlen(ORDER_EVENTS), 1000)} entries",
    )
    return found


def _order_event(rng, order_id=None):
    return {
        "type": "order_created",
        "event_id": _token(rng, "evt"),
        "order_id": order_id or _token(rng, "ord"),
        "item": _item(rng),
        "qty": str(rng.randint(1, 100)),
    }


@title("POST /orders creates a pending order and GET /orders/{id} returns it")
@points(2)
@hint(
    'Validate the body, store the order in Redis and answer 201 with {"id", "item", "qty", "status": "pending"}; '
    "GET /orders/{id} answers 200 with the same order (its status may already be shipped)."
)
def test_create_order(app, rng):
    item, qty = _item(rng), rng.randint(1, 100)
    order = _create_order(app, item, qty, strict=True)
    order_id = order["id"]
    got = _json(app.get(f"/orders/{order_id}"), 200, f"GET /orders/{order_id}")
    check(isinstance(got, dict), f"expected a JSON object from GET /orders/{order_id}", got=got)
    for field, value in (("id", order_id), ("item", item), ("qty", qty)):
        check_equal(got.get(field), value, f'the "{field}" of GET /orders/{order_id}')
    check(
        got.get("status") in ("pending", "shipped"),
        f'expected the "status" of GET /orders/{order_id} to be "pending" or "shipped"',
        got=got.get("status"),
    )


@title("An invalid order answers 400 and publishes no event")
@points(1)
@hint(
    'Accept only a JSON object with a non-empty string "item" (at most 100 characters) and an integer "qty" '
    'from 1 to 100. Answer anything else with 400 and {"error": "..."}, before publishing anything.'
)
def test_invalid_order_400(app, store, rng):
    item = _item(rng)
    cases = [
        ("no item", {"qty": 2}),
        ("an empty item", {"item": "", "qty": 2}),
        ("an item that is not a string", {"item": rng.randint(1, 999), "qty": 2}),
        ("no qty", {"item": item}),
        ("qty 0", {"item": item, "qty": 0}),
        ("qty 101", {"item": item, "qty": 101}),
        ("a qty that is a string", {"item": item, "qty": str(rng.randint(1, 9))}),
        ("a qty that is not whole", {"item": item, "qty": rng.randint(1, 9) + 0.5}),
        ("a JSON array", [item, 2]),
    ]
    before = store.xlen(ORDER_EVENTS)
    for what, body in rng.sample(cases, len(cases)):
        r = app.post("/orders", json=body)
        data = _json(r, 400, f"POST /orders with {what} ({json.dumps(body)})")
        check(isinstance(data, dict) and isinstance(data.get("error"), str), 'expected {"error": "..."}', got=data)
    r = app.post("/orders", content=f"item={item}", headers={"Content-Type": "application/json"})
    _json(r, 400, "POST /orders with a body that is not JSON")
    check_equal(store.xlen(ORDER_EVENTS), before, f"the length of {ORDER_EVENTS} after invalid orders (no new event)")


@title("GET /orders/{id} answers 404 for an unknown order")
@points(1)
@hint('Answer 404 with {"error": "..."} when no order has that id.')
def test_unknown_order_404(app, rng):
    known = _create_order(app, _item(rng), rng.randint(1, 100))["id"]
    unknown = _token(rng, "no-such-order")
    data = _json(app.get(f"/orders/{unknown}"), 404, f"GET /orders/{unknown}")
    check(isinstance(data, dict) and isinstance(data.get("error"), str), 'expected {"error": "..."}', got=data)
    check_equal(app.get(f"/orders/{known}").status_code, 200, f"the status code of GET /orders/{known} (it exists)")


@title("Each new order appends an order_created event to orders.events")
@points(2)
@hint(
    "XADD orders.events * type order_created event_id <a new unique id> order_id <the order's id> "
    "item <item> qty <qty>, before answering the POST."
)
def test_order_created_event(app, store, rng):
    event_ids = []
    for _ in range(2):
        item, qty = _item(rng), rng.randint(1, 100)
        order_id = _create_order(app, item, qty)["id"]
        _, fields = _order_created(store, order_id)
        check(fields.get("event_id"), 'expected the event to have a non-empty field "event_id"', got=fields)
        check_equal(fields.get("item"), item, f'the "item" field of the order_created event of order {order_id}')
        check_equal(fields.get("qty"), str(qty), f'the "qty" field of the order_created event of order {order_id}')
        event_ids.append(fields["event_id"])
    check(event_ids[0] != event_ids[1], "expected each event to have its own event_id", got=event_ids)


@title("The shipping service schedules one shipment for a new order")
@points(2)
@hint(
    "The shipping service reads orders.events (XREADGROUP with the group shipping), creates a shipment "
    '{"id", "order_id", "item", "qty", "status": "scheduled"} per order_created event, and '
    "GET /shipments?order_id=<id> on port 8001 lists that order's shipments."
)
def test_shipment_created(app, base_url, rng):
    shipping = _shipping_url(base_url, strict=True)
    item, qty = _item(rng), rng.randint(1, 100)
    order_id = _create_order(app, item, qty)["id"]
    shipments = _wait_shipments(app, shipping, order_id, strict=True)
    check_equal(len(shipments), 1, f"the number of shipments for order {order_id}")
    _check_shipment(shipments[0], order_id, item, qty)
    check_equal(
        _shipments(app, shipping, _token(rng, "no-such-order"), strict=True), [], "the shipments of an unknown order"
    )


@title("Each shipment appends a shipment_scheduled event to shipping.events")
@points(2)
@hint(
    "After storing a shipment, XADD shipping.events * type shipment_scheduled event_id <a new unique id> "
    "order_id <the order's id> shipment_id <the shipment's id>."
)
def test_shipment_event(app, base_url, store, rng):
    shipping = _shipping_url(base_url)
    order_id = _create_order(app, _item(rng), rng.randint(1, 100))["id"]
    shipment = _wait_shipments(app, shipping, order_id, precondition=True)[0]
    found = _poll(lambda: _find_event(store, SHIPPING_EVENTS, order_id, "shipment_scheduled"), timeout=5)
    check(
        found is not None,
        f"expected an entry with type=shipment_scheduled and order_id={order_id} on the stream {SHIPPING_EVENTS}",
        got="none",
    )
    _, fields = found
    check(fields.get("event_id"), 'expected the event to have a non-empty field "event_id"', got=fields)
    check_equal(
        fields.get("shipment_id"),
        str(find_id(shipment)),
        'the "shipment_id" field (the id GET /shipments shows)',
    )


@title("The order's status becomes shipped once its shipment is scheduled")
@points(3)
@hint(
    "The orders service must consume shipping.events too (XREADGROUP with its own group, e.g. orders) and "
    'set the order\'s status to "shipped" when a shipment_scheduled event names it.'
)
def test_order_shipped(app, rng):
    order_id = _create_order(app, _item(rng), rng.randint(1, 100))["id"]

    def shipped():
        r = app.get(f"/orders/{order_id}")
        if r.status_code != 200:
            not_graded(
                f"this test needs GET /orders/{order_id} to answer the order (it answered {r.status_code}): "
                f"make the test {CREATE_ORDER} pass first"
            )
        data = unwrap(_json_or_none(r), ("status",))
        return data is not None and shape_field(data, "status") == "shipped"

    check(
        _poll(shipped),
        f'expected the status of order {order_id} to become "shipped" within {WAIT:g} s',
        got="still not shipped",
    )


@title("The shipping service reads through the consumer group shipping and acknowledges each event")
@points(2)
@hint(
    "Create the group once (XGROUP CREATE orders.events shipping 0 MKSTREAM; ignore BUSYGROUP), read with "
    "XREADGROUP GROUP shipping <consumer> ... and XACK each entry once it is handled: a plain XREAD "
    "remembers nothing across a restart."
)
def test_consumer_group_acks(app, base_url, store, rng):
    import redis

    shipping = _shipping_url(base_url)
    order_id = _create_order(app, _item(rng), rng.randint(1, 100))["id"]
    entry_id, _ = _order_created(store, order_id)
    _wait_shipments(app, shipping, order_id, precondition=True)
    try:
        groups = [g["name"] for g in store.xinfo_groups(ORDER_EVENTS)]
    except redis.ResponseError:
        groups = []
    check(GROUP in groups, f"expected a consumer group named {GROUP} on {ORDER_EVENTS}", got=groups)

    def acknowledged():
        pending = store.xpending_range(ORDER_EVENTS, GROUP, min=entry_id, max=entry_id, count=1)
        return not pending

    check(
        _poll(acknowledged, timeout=5),
        f"expected the entry {entry_id} (order {order_id}) to be acknowledged with XACK once its shipment exists",
        got="still pending in the group shipping",
    )


@title("A duplicate order_created event does not create a second shipment")
@points(3)
@hint(
    "Delivery is at least once: the same event can arrive twice. Before creating a shipment, check in Redis "
    "whether this order (or this event_id) was already handled, and only acknowledge a duplicate."
)
def test_duplicate_event_ignored(app, base_url, store, rng):
    shipping = _shipping_url(base_url)
    item, qty = _item(rng), rng.randint(1, 100)
    order_id = _create_order(app, item, qty)["id"]
    _, fields = _order_created(store, order_id)
    _wait_shipments(app, shipping, order_id, precondition=True)
    store.xadd(ORDER_EVENTS, fields)  # the very same event, event_id included, delivered again
    # An order placed after the duplicate: once its shipment exists, the duplicate has been handled.
    later = _create_order(app, _item(rng), rng.randint(1, 100))["id"]
    _wait_shipments(app, shipping, later, precondition=True)
    time.sleep(0.5)
    shipments = _shipments(app, shipping, order_id)
    check_equal(len(shipments), 1, f"the number of shipments for order {order_id} after its event was delivered twice")


@title("Events published while the services were down are handled after a restart")
@points(4)
@hint(
    "Keep everything in Redis: the consumer group remembers which entries were delivered, so after a restart "
    "XREADGROUP with > returns exactly what was published meanwhile (a plain XREAD from $ skips it). "
    "Your record of handled orders must live in Redis too, not in memory."
)
def test_restart_resumes(app, base_url, app_control, store, rng):
    shipping = _shipping_url(base_url)
    before = _create_order(app, _item(rng), rng.randint(1, 100))["id"]
    _, before_event = _order_created(store, before)
    _wait_shipments(app, shipping, before, precondition=True)
    app_control.stop()
    store.xadd(ORDER_EVENTS, before_event)  # a copy of an event handled before the stop
    published = [_order_event(rng) for _ in range(rng.randint(2, 3))]
    for event in published:
        store.xadd(ORDER_EVENTS, event)
    app_control.start()
    shipping = _shipping_url(base_url, strict=True)
    with checkpoint("the events published while the app was down got their shipments", points=2):
        for event in published:
            shipments = _wait_shipments(app, shipping, event["order_id"])
            check_equal(len(shipments), 1, f"the number of shipments for order {event['order_id']}")
    with checkpoint("a copy of an event handled before the restart is still ignored", points=1):
        time.sleep(0.5)
        check_equal(
            len(_shipments(app, shipping, before)),
            1,
            f"the number of shipments for order {before} after a copy of its event came in during the restart",
        )


@title("Malformed events are skipped without stopping the consumer")
@points(2)
@hint(
    "Validate every event before using it: a missing or invalid field must not raise out of your consumer "
    "loop. Acknowledge the entry (after copying it to a dead-letter stream if you like) and go on."
)
def test_malformed_event_skipped(app, base_url, store, rng):
    shipping = _shipping_url(base_url)
    first = _create_order(app, _item(rng), rng.randint(1, 100))["id"]
    _wait_shipments(app, shipping, first, precondition=True)  # the consumer works before the malformed events
    no_item = _order_event(rng)
    del no_item["item"]
    bad_qty = _order_event(rng)
    bad_qty["qty"] = rng.choice(["lots", "", "three"])
    no_order = _order_event(rng)
    del no_order["order_id"]
    malformed = [no_item, bad_qty, no_order, {"type": "order_created"}, {"note": _token(rng, "junk")}]
    for event in rng.sample(malformed, len(malformed)):
        store.xadd(ORDER_EVENTS, event)
    item, qty = _item(rng), rng.randint(1, 100)
    order_id = _create_order(app, item, qty)["id"]
    _wait_shipments(app, shipping, order_id)
    for event in (no_item, bad_qty):
        check_equal(
            _shipments(app, shipping, event["order_id"]),
            [],
            f"the shipments for the malformed event {json.dumps(event)}",
        )
