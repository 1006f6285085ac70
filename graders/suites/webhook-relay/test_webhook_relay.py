"""Grader suite for the stage 8 exercise webhook-relay (see the exercise's README for the brief).

The `receiver` fixture (conftest.py) is the webhook endpoint the relay delivers to. Every test
subscribes its own random paths, so the tests never share a subscription; subscriptions made by
earlier tests still exist (there is no way to delete one), so every event also goes to them, and
the tests only look at their own subscriptions and events.
"""

import hashlib
import hmac
import json
import time

from stagecraft_grader import check, check_equal, checkpoint, fail, hint, not_graded, points, title
from stagecraft_grader.shapes import field, find_id, unwrap, unwrap_list

WORDS = ["amber", "falcon", "river", "copper", "meadow", "quartz", "lantern", "orbit", "willow", "cedar"]
EVENT_TYPES = ["order.placed", "order.shipped", "invoice.paid", "user.signed_up", "build.finished"]
BACKOFF = [1, 2, 4]  # seconds before attempts 2, 3 and 4
MAX_ATTEMPTS = len(BACKOFF) + 1
EARLY = 0.25  # a retry may come this much before its backoff has passed (clock and transit jitter)
LATE = 3.0  # ...and this much after (a loaded machine)
DELIVERY_WAIT = 4.0  # how long a first attempt may take to arrive
# The tests that check what the preconditions below only need to work: a precondition that cannot
# be met skips the test (worth nothing) and names the test to make pass first (no cascades).
CREATE_SUBSCRIPTION = '"POST /subscriptions answers 201 with a new id"'
EVENT_ACCEPTED = '"POST /events answers 202 with a new event id"'
DELIVERY_STATUS = '"A successful delivery is listed as delivered after 1 attempt"'
RETRY = '"A failed delivery is retried with backoff (1 s, 2 s) until it succeeds"'


def _path(rng, test):
    return f"/hooks/{test}-{rng.choice(WORDS)}-{rng.randint(1000, 99999)}"


def _event(rng):
    """A random event: a type and a nested data object (a non-ASCII character included)."""
    data = {
        "orderId": rng.randint(1, 10**6),
        "customer": {"name": f"{rng.choice(WORDS).title()} Müller", "tier": rng.choice(["gold", "silver"])},
        "items": [{"sku": f"{rng.choice(WORDS)}-{rng.randint(10, 99)}", "qty": rng.randint(1, 5)} for _ in range(2)],
        "gift": rng.choice([True, False]),
        "note": None,
    }
    return rng.choice(EVENT_TYPES), data


def _json_or_none(r):
    try:
        return json.loads(r.content)
    except ValueError:
        return None


def _created_id(r, status, what, test, strict):
    """The id a POST answered. `strict` checks it as the brief pins it (the status, {"id": ...}), for
    the test about that POST; as a precondition any 2xx with an id will do, or the test is skipped."""
    if strict:
        check_equal(r.status_code, status, f"the status code of {what}")
        body = r.json()
        check(isinstance(body, dict) and "id" in body, 'expected a JSON object with an "id"', got=body)
        check(
            isinstance(body["id"], (str, int)) and not isinstance(body["id"], bool) and str(body["id"]) != "",
            f"expected the id answered by {what} to be a non-empty string or a number",
            got=body["id"],
        )
        return body["id"]
    found = find_id(unwrap(_json_or_none(r))) if 200 <= r.status_code < 300 else None
    if found is None:
        not_graded(
            f"this test needs {what} to answer an id (it answered {r.status_code} {r.text[:100]!r}): "
            f"make the test {test} pass first"
        )
    return found


def _subscribe(app, url, *, strict=False):
    r = app.post("/subscriptions", json={"url": url})
    return _created_id(r, 201, f"POST /subscriptions for {url}", CREATE_SUBSCRIPTION, strict)


def _publish(app, event_type, data, *, strict=False):
    r = app.post("/events", json={"type": event_type, "data": data})
    return _created_id(r, 202, "POST /events", EVENT_ACCEPTED, strict)


def _deliveries(app, event_id, *, strict=False):
    """GET /events/{id}/deliveries: the list, keyed by str(subscription_id).

    `strict` checks the answer as the brief pins it (200, a JSON array of {"subscription_id",
    "status", "attempts"}), for the tests about that list; as a precondition of another test the
    list is read bare or wrapped, with the names in any case, or the test is skipped.
    """
    r = app.get(f"/events/{event_id}/deliveries")
    what = f"GET /events/{event_id}/deliveries"
    if strict:
        check_equal(r.status_code, 200, f"the status code of {what}")
        body = r.json()
        check(isinstance(body, list), f"expected {what} to answer a JSON array", got=body)
    else:
        body = unwrap_list(_json_or_none(r), prefer=("deliveries",)) if r.status_code == 200 else None
        if body is None:
            not_graded(
                f"this test needs {what} to list the event's deliveries (it answered {r.status_code} "
                f"{r.text[:100]!r}): make the test {DELIVERY_STATUS} pass first"
            )
    found = {}
    for entry in body:
        if strict:
            check(
                isinstance(entry, dict) and {"subscription_id", "status", "attempts"} <= entry.keys(),
                'expected every delivery to be an object with "subscription_id", "status" and "attempts"',
                got=entry,
            )
            found[str(entry["subscription_id"])] = entry
            continue
        names = ("subscription_id", "status", "attempts")
        values = [field(entry, name) if isinstance(entry, dict) else None for name in names]
        if any(value is None for value in values):
            not_graded(
                f'this test needs {what} to list each delivery with "subscription_id", "status" and "attempts" '
                f"(it listed {entry!r}): make the test {DELIVERY_STATUS} pass first"
            )
        found[str(values[0])] = {"subscription_id": values[0], "status": values[1], "attempts": values[2]}
    return found


def _delivery(app, event_id, sub_id, *, strict=False):
    found = _deliveries(app, event_id, strict=strict)
    if not strict and str(sub_id) not in found:
        not_graded(
            f"this test needs GET /events/{event_id}/deliveries to list subscription {sub_id}: make the test "
            f"{DELIVERY_STATUS} pass first"
        )
    check(
        str(sub_id) in found,
        f"expected GET /events/{event_id}/deliveries to list subscription {sub_id}, which existed when the "
        "event was accepted",
        got=sorted(found),
    )
    return found[str(sub_id)]


def _wait_for_status(app, event_id, sub_ids, timeout, *, strict=False):
    """Poll the deliveries until every one of `sub_ids` has left "pending"; return their entries."""
    deadline = time.monotonic() + timeout
    while True:
        entries = {str(s): _delivery(app, event_id, s, strict=strict) for s in sub_ids}
        if all(e["status"] != "pending" for e in entries.values()) or time.monotonic() >= deadline:
            return entries
        time.sleep(0.3)


def _check_entry(entry, sub_id, status, attempts, what):
    check_equal(
        {"status": entry["status"], "attempts": entry["attempts"]},
        {"status": status, "attempts": attempts},
        f"the status and attempts of the delivery to subscription {sub_id} ({what})",
    )


def _received(receiver, path, event_id, count, timeout, what):
    hits = receiver.wait_for(path, event_id, count, timeout)
    if not hits:
        others = receiver.hits(path)
        if others:
            fail(
                f"{what}: the receiver got {len(others)} request(s) at {path}, but none for event {event_id} "
                f'(neither an "X-Webhook-Id: {event_id}" header nor that "id" in the JSON body)'
            )
        fail(f"{what}: nothing reached {receiver.url(path)} within {timeout:g} s of the event being accepted")
    return hits


@title("POST /subscriptions answers 201 with a new id")
@points(1)
@hint('Store the URL (in Redis) under a new id and answer 201 with {"id": "<id>"}.')
def test_create_subscription(app, receiver, rng):
    first = _subscribe(app, receiver.url(_path(rng, "create")), strict=True)
    second = _subscribe(app, receiver.url(_path(rng, "create")), strict=True)
    check(str(first) != str(second), "expected two subscriptions to get different ids", got=[first, second])


@title("POST /events answers 202 with a new event id")
@points(1)
@hint('Queue the event and answer 202 Accepted with {"id": "<event id>"} at once: do not deliver it first.')
def test_event_accepted(app, rng):
    first = _publish(app, *_event(rng), strict=True)
    second = _publish(app, *_event(rng), strict=True)
    check(str(first) != str(second), "expected two events to get different ids", got=[first, second])


@title("Invalid subscriptions and events are refused with 400")
@points(1)
@hint(
    'POST /subscriptions needs a "url" string starting with http:// or https://; POST /events needs a '
    '"type" string and a "data" object. Answer 400 with {"error": "..."} otherwise.'
)
def test_rejects_invalid_input(app, rng):
    word = rng.choice(WORDS)
    cases = [
        ("/subscriptions", {}),
        ("/subscriptions", {"url": f"ftp://127.0.0.1/{word}"}),
        ("/subscriptions", {"url": rng.randint(1, 99)}),
        ("/events", {"data": {"word": word}}),
        ("/events", {"type": rng.choice(EVENT_TYPES)}),
        ("/events", {"type": rng.choice(EVENT_TYPES), "data": [word]}),
        ("/events", {"type": rng.randint(1, 99), "data": {}}),
    ]
    for path, body in cases:
        r = app.post(path, json=body)
        check_equal(r.status_code, 400, f"the status code of POST {path} with {body}")


@title("GET /events/{id}/deliveries answers 404 for an unknown event")
@points(1)
@hint("Answer 404 with a JSON error when no event has that id.")
def test_unknown_event_404(app, rng):
    path = f"/events/no-such-event-{rng.randint(10**6, 10**7)}/deliveries"
    check_equal(app.get(path).status_code, 404, f"the status code of GET {path}")


@title("An event is POSTed to the subscriber as JSON with an X-Webhook-Id header")
@points(2)
@hint(
    'POST the JSON object {"id": <event id>, "type": ..., "data": ...} to the subscription\'s URL with '
    '"Content-Type: application/json" and "X-Webhook-Id: <event id>". A background worker does this, '
    "not the POST /events handler."
)
def test_delivery_body(app, receiver, rng):
    path = _path(rng, "body")
    _subscribe(app, receiver.url(path))
    event_type, data = _event(rng)
    event_id = _publish(app, event_type, data)
    hit = _received(receiver, path, event_id, 1, DELIVERY_WAIT, "the delivery")[0]
    check_equal(hit.method, "POST", "the method of the delivery")
    check_equal(
        hit.headers.get("content-type", "").split(";")[0].strip().lower(),
        "application/json",
        "the Content-Type of the delivery",
    )
    check_equal(hit.headers.get("x-webhook-id", "").strip(), str(event_id), "the X-Webhook-Id header")
    check_equal(hit.json(), {"id": event_id, "type": event_type, "data": data}, "the JSON body of the delivery")


@title("Every delivery is signed: X-Webhook-Signature is the HMAC-SHA256 of the body")
@points(2)
@hint(
    "Serialise the payload to bytes once, compute hmac.new(WEBHOOK_SECRET, body, sha256).hexdigest() "
    '(crypto.createHmac("sha256", secret).update(body).digest("hex") in Node) over those exact bytes, and '
    'send the same bytes as the body with "X-Webhook-Signature: sha256=<hex>". Read the secret from the '
    "WEBHOOK_SECRET environment variable; it changes on every run."
)
def test_signature(app, receiver, app_env, rng):
    secret = app_env["WEBHOOK_SECRET"]
    path = _path(rng, "signed")
    _subscribe(app, receiver.url(path))
    event_id = _publish(app, *_event(rng))
    hit = _received(receiver, path, event_id, 1, DELIVERY_WAIT, "the delivery")[0]
    expected = "sha256=" + hmac.new(secret.encode(), hit.body, hashlib.sha256).hexdigest()
    got = hit.headers.get("x-webhook-signature")
    check(got is not None, "expected an X-Webhook-Signature header on the delivery", got="no such header")
    check(
        hmac.compare_digest(got.strip(), expected),
        f"expected X-Webhook-Signature to be {expected}, the HMAC-SHA256 (with WEBHOOK_SECRET) of the "
        f"{len(hit.body)} bytes of the body as received: {hit.body.decode('utf-8', 'replace')}",
        got=got,
    )


@title("A successful delivery is listed as delivered after 1 attempt")
@points(1)
@hint(
    'Record each delivery\'s state in Redis: "pending" when the event is accepted, "delivered" with the '
    "attempt count once the subscriber answered 2xx. GET /events/{id}/deliveries lists one object per "
    'subscription: {"subscription_id", "status", "attempts"}.'
)
def test_delivery_status(app, receiver, rng):
    path = _path(rng, "status")
    sub_id = _subscribe(app, receiver.url(path))
    event_id = _publish(app, *_event(rng))
    first = _delivery(app, event_id, sub_id, strict=True)
    check(
        first["status"] in ("pending", "delivered"),
        'expected the delivery\'s status right after POST /events to be "pending" (or already "delivered")',
        got=first["status"],
    )
    _received(receiver, path, event_id, 1, DELIVERY_WAIT, "the delivery")
    entry = _wait_for_status(app, event_id, [sub_id], 3, strict=True)[str(sub_id)]
    _check_entry(entry, sub_id, "delivered", 1, "its URL answered 200 at once")


@title("An event is delivered to every subscription")
@points(2)
@hint(
    "When the event is accepted, make one delivery for each subscription that exists, and deliver each "
    "independently: one subscriber's answer must not stop the others."
)
def test_fan_out(app, receiver, rng):
    paths = [_path(rng, f"fan{i}") for i in range(rng.randint(3, 4))]
    subs = {path: _subscribe(app, receiver.url(path)) for path in paths}
    event_type, data = _event(rng)
    event_id = _publish(app, event_type, data)
    for path in paths:
        hit = _received(receiver, path, event_id, 1, DELIVERY_WAIT, f"the delivery to {path}")[0]
        check_equal(hit.json(), {"id": event_id, "type": event_type, "data": data}, f"the body delivered to {path}")
    entries = _wait_for_status(app, event_id, subs.values(), 3)
    for sub_id in subs.values():
        _check_entry(entries[str(sub_id)], sub_id, "delivered", 1, "its URL answered 200 at once")


@title("An event is not delivered to subscriptions created after it")
@points(1)
@hint(
    "Decide who gets an event when POST /events accepts it: store one delivery per subscription that "
    "exists at that moment. A subscription created later only gets later events."
)
def test_not_for_later_subscriptions(app, receiver, rng):
    early_path, late_path = _path(rng, "early"), _path(rng, "late")
    early = _subscribe(app, receiver.url(early_path))
    event_id = _publish(app, *_event(rng))
    late = _subscribe(app, receiver.url(late_path))
    _received(receiver, early_path, event_id, 1, DELIVERY_WAIT, "the delivery to the earlier subscription")
    time.sleep(1)
    check_equal(
        len(receiver.hits(late_path, event_id)),
        0,
        f"the number of deliveries of event {event_id} to subscription {late}, created after the event",
    )
    listed = _deliveries(app, event_id)
    if str(early) not in listed:
        not_graded(
            f"this test needs GET /events/{event_id}/deliveries to list subscription {early}, which existed when "
            f"the event was accepted: make the test {DELIVERY_STATUS} pass first"
        )
    check(str(early) in listed, f"expected the deliveries of event {event_id} to list subscription {early}")
    check(
        str(late) not in listed,
        f"expected the deliveries of event {event_id} not to list subscription {late}, created after the event",
    )


@title("A failed delivery is retried with backoff (1 s, 2 s) until it succeeds")
@points(3)
@hint(
    "When the subscriber answers a non-2xx status (or cannot be reached), schedule the next attempt 1 s "
    "later, then 2 s, then 4 s: e.g. a Redis sorted set of deliveries scored by the time they are due, "
    "which the worker polls. Count every attempt."
)
def test_retry_until_success(app, receiver, rng):
    failures = rng.randint(1, 2)
    path = _path(rng, "retry")
    receiver.fail_first(path, failures)
    sub_id = _subscribe(app, receiver.url(path))
    event_id = _publish(app, *_event(rng))
    attempts = failures + 1
    wait = sum(BACKOFF[:failures]) + LATE * failures
    with checkpoint(f"retried until delivered ({failures} failure(s), then success)", points=2):
        _received(receiver, path, event_id, 1, DELIVERY_WAIT, "the first attempt")
        hits = receiver.wait_for(path, event_id, attempts, wait)
        check_equal(
            len(hits),
            attempts,
            f"the number of attempts that reached the receiver within {wait:g} s of the first (it answered 500 "
            f"to the first {failures}, then 200)",
        )
        entry = _wait_for_status(app, event_id, [sub_id], 3)[str(sub_id)]
        _check_entry(entry, sub_id, "delivered", attempts, f"the first {failures} attempt(s) got 500")
    for n in range(failures):
        gap = hits[n + 1].at - hits[n].at
        low, high = BACKOFF[n] - EARLY, BACKOFF[n] + LATE
        check(
            low <= gap <= high,
            f"expected attempt {n + 2} to come about {BACKOFF[n]} s after attempt {n + 1} failed "
            f"(between {low:g} and {high:g} s)",
            got=f"{gap:.2f} s",
        )


@title("After 4 failed attempts a delivery is dead-lettered")
@points(2)
@hint(
    'Stop after the 4th attempt (1 + 3 retries) and mark the delivery "dead" with attempts 4. A refused '
    "connection counts as a failed attempt just like a 500."
)
def test_dead_letter(app, receiver, closed_port, rng):
    path = _path(rng, "dead")
    receiver.fail_always(path)
    failing = _subscribe(app, receiver.url(path))
    refused = _subscribe(app, f"http://127.0.0.1:{closed_port}{_path(rng, 'nobody')}")
    event_id = _publish(app, *_event(rng))
    wait = sum(BACKOFF) + LATE
    try:
        _received(receiver, path, event_id, 1, DELIVERY_WAIT, "the first attempt")
        entries = _wait_for_status(app, event_id, [failing, refused], wait)
        _check_entry(
            entries[str(failing)],
            failing,
            "dead",
            MAX_ATTEMPTS,
            f"its URL answered 500 every time; {wait:g} s after the first attempt",
        )
        check_equal(
            len(receiver.hits(path, event_id)),
            MAX_ATTEMPTS,
            "the number of attempts that reached the receiver, which answered 500 every time",
        )
        _check_entry(
            entries[str(refused)], refused, "dead", MAX_ATTEMPTS, "nothing listens at its URL: connection refused"
        )
    finally:
        receiver.succeed(path)  # later events to this subscription are delivered at once


@title("A pending delivery survives a restart of the app")
@points(3)
@hint(
    "Keep the queue in Redis, not in the process: the due deliveries (a sorted set), their attempt counts "
    "and the event bodies. When the app starts, its worker must pick up the deliveries that are still due."
)
def test_survives_restart(app, receiver, app_control, rng):
    path = _path(rng, "restart")
    receiver.fail_always(path)
    sub_id = _subscribe(app, receiver.url(path))
    event_type, data = _event(rng)
    event_id = _publish(app, event_type, data)
    with checkpoint("the first attempt failed and the delivery is pending", points=1):
        _received(receiver, path, event_id, 1, DELIVERY_WAIT, "the first attempt")
        entry = _delivery(app, event_id, sub_id)
        if entry["status"] != "pending":
            not_graded(
                f"this test needs a failed delivery to stay pending for its retries (it was {entry['status']!r} "
                f"after one failed attempt): make the test {RETRY} pass first"
            )
    app_control.stop(timeout=5)
    receiver.succeed(path)
    app_control.start()
    wait = 10
    deadline = time.monotonic() + wait
    while not any(h.status == 200 for h in receiver.hits(path, event_id)) and time.monotonic() < deadline:
        time.sleep(0.1)
    delivered = [h for h in receiver.hits(path, event_id) if h.status == 200]
    check(
        delivered,
        f"expected the pending delivery of event {event_id} to be retried after the restart and reach the "
        f"receiver (which now answers 200) within {wait} s",
        got=f"{len(receiver.hits(path, event_id))} attempt(s) in all, every one answered 500 before the restart",
    )
    check_equal(delivered[0].json(), {"id": event_id, "type": event_type, "data": data}, "the body delivered")
    entry = _wait_for_status(app, event_id, [sub_id], 3)[str(sub_id)]
    check_equal(entry["status"], "delivered", "the delivery's status after the restart")
