"""Grader suite for the stage 6 exercise mutant-hunt (see the exercise's README for the brief).

The learner's app is a test runner: POST /run {"target": URL} runs their tests against the cart
pricing API at URL and answers {"passed": bool, "output": str}. The suite serves the correct
implementation and one mutant per planted bug (cart_service.py) on random loopback ports, and
asks for one run against each, all in one campaign, in a random order: a runner that answers by
call order or by port cannot tell which target is the correct one. The first test that needs the
results runs the campaign (its transcript shows every POST /run); the others read them.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass

from cart_service import MUTANTS, CartServer

from stagecraft_grader import ExchangeError, fail, hint, not_graded, points, title

CORRECT = "correct"
RUN_TIMEOUT = 15  # seconds the runner may take for one run (the brief asks for 10)
CAMPAIGN_BUDGET = 40  # seconds for all the runs together: the job's wall clock is 60 s
OUTPUT_SHOWN = 1200  # characters of the runner's output quoted in a message


@dataclass
class Run:
    target: str
    passed: bool | None = None  # None: the runner gave no usable answer
    problem: str = ""
    output: str = ""

    def tail(self) -> str:
        text = self.output.strip()
        if not text:
            return " Their output was empty."
        if len(text) > OUTPUT_SHOWN:
            text = "…" + text[-OUTPUT_SHOWN:]
        return f" The end of their output:\n{text}"


_campaign: dict[str, Run] | None = None


def _results(app, seed) -> dict[str, Run]:
    global _campaign
    if _campaign is None:
        _campaign = _run_campaign(app, random.Random(f"{seed}:campaign"))
    return _campaign


def _run_campaign(app, rng: random.Random) -> dict[str, Run]:
    variants = [CORRECT, *MUTANTS]
    rng.shuffle(variants)
    servers = {}
    try:
        for variant in variants:
            servers[variant] = _serve(variant, rng)
        results = {}
        started = time.monotonic()
        for variant in variants:
            left = CAMPAIGN_BUDGET - (time.monotonic() - started)
            run = Run(servers[variant].url)
            if left < 2:
                run.problem = (
                    f"there was no time left for this run: all the runs together must finish within "
                    f"{CAMPAIGN_BUDGET} s, so one run of your tests should take a few seconds at most"
                )
            else:
                _ask(app, run, min(RUN_TIMEOUT, left))
            results[variant] = run
        return results
    finally:
        for server in servers.values():
            server.close()


def _serve(variant: str, rng: random.Random) -> CartServer:
    mutant = None if variant == CORRECT else variant
    for _ in range(50):
        try:
            return CartServer(mutant, rng.randint(20000, 29999), random.Random(rng.random()))
        except OSError:  # that port is taken: try another
            continue
    return CartServer(mutant, 0, random.Random(rng.random()))


def _ask(app, run: Run, timeout: float) -> None:
    """POST /run for one target; fills in `run` (passed, or the problem with the answer)."""
    try:
        r = app.post("/run", json={"target": run.target}, timeout=timeout)
    except ExchangeError as exc:
        run.problem = f"POST /run failed: {exc}"
        return
    if r.status_code != 200:
        run.problem = f"POST /run answered status {r.status_code} instead of 200"
        return
    try:
        body = r.json()
    except AssertionError:  # the SDK's "expected a JSON body" check
        run.problem = f"POST /run did not answer JSON: {r.text[:200]!r}"
        return
    if not isinstance(body, dict) or not isinstance(body.get("passed"), bool):
        run.problem = f'POST /run must answer a JSON object with a boolean "passed", got {str(body)[:200]}'
        return
    run.passed = body["passed"]
    output = body.get("output")
    run.output = output if isinstance(output, str) else ""


def _check_correct_passes(results: dict[str, Run]) -> None:
    correct = results[CORRECT]
    if correct.passed is None:
        fail(f"the runner gave no usable answer for the correct implementation ({correct.target}): {correct.problem}")
    if not correct.passed:
        fail(
            f"your tests fail on the correct implementation ({correct.target}), so they cannot tell a bug from "
            f"a fix.{correct.tail()}"
        )


def _check_killed(app, seed, mutant: str) -> None:
    results = _results(app, seed)
    if results[CORRECT].passed is not True:
        # Not a second failure for the same cause: the one to fix is "tests pass on the correct implementation".
        not_graded(
            "not graded yet: your tests fail on the correct implementation, so they cannot tell a bug from a fix. "
            'Make "Your tests pass on the correct implementation" pass first.'
        )
    run = results[mutant]
    if run.passed is None:
        fail(f"the runner gave no usable answer for this implementation ({run.target}): {run.problem}")
    if run.passed:
        fail(
            f"your tests passed against an implementation with a bug ({run.target}): the mutant survived, so "
            f"no test checks the rule it breaks.{run.tail()}"
        )


@title("Your tests pass on the correct implementation")
@points(1)
@hint(
    "Run your tests locally against the reference implementation shipped in the starter. Assert only what the "
    "brief promises: the text of error messages and the format of cart ids change from run to run."
)
def test_correct_implementation_passes(app, seed):
    _check_correct_passes(_results(app, seed))


@title("Your tests catch a bug in where the discount starts")
@points(2)
@hint(
    "Re-read the discount rule: which subtotals earn it? A rule with a threshold has an edge, and off-by-one "
    "bugs live exactly on edges."
)
def test_kills_discount_boundary(app, seed):
    _check_killed(app, seed, "discount_boundary")


@title("Your tests catch a bug in how the discount is rounded")
@points(2)
@hint(
    "Re-read how discount_cents is rounded. A subtotal whose tenth is a whole number of cents cannot tell one "
    "way of rounding from another."
)
def test_kills_discount_rounded_up(app, seed):
    _check_killed(app, seed, "discount_rounded_up")


@title("Your tests catch a bug in total_cents")
@points(2)
@hint("Re-read how total_cents follows from the other fields, and check it on a cart where the difference matters.")
def test_kills_total_without_discount(app, seed):
    _check_killed(app, seed, "total_without_discount")


@title("Your tests catch a bug in the validation of qty")
@points(2)
@hint(
    "Re-read which quantities are valid. Test the values just outside the allowed range, not only values far from it."
)
def test_kills_zero_quantity(app, seed):
    _check_killed(app, seed, "zero_quantity")


@title("Your tests catch a bug in how the subtotal counts quantities")
@points(2)
@hint(
    "Re-read how subtotal_cents is computed from the items. Would your tests notice if one part of that "
    "formula were left out?"
)
def test_kills_quantity_ignored(app, seed):
    _check_killed(app, seed, "quantity_ignored")


@title("Your tests catch a bug in the prices after an item is removed")
@points(2)
@hint("Removing an item changes more than the list of items: re-read what GET /carts/{id} reports after a DELETE.")
def test_kills_stale_subtotal_after_delete(app, seed):
    _check_killed(app, seed, "stale_subtotal_after_delete")


@title("Your tests catch a bug in the answer for an unknown cart")
@points(2)
@hint(
    "Re-read what the routes answer for a cart id that was never created. Most bugs live on the error paths, "
    "not on the happy path."
)
def test_kills_unknown_cart_500(app, seed):
    _check_killed(app, seed, "unknown_cart_500")
