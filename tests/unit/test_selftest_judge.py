"""What selftest accepts: a solution passes, a starter starts and fails, a variant fails exactly what it names."""

from __future__ import annotations

import pytest

from stagecraft.authoring.selftest import STARTER, Accepted, judge


@pytest.mark.parametrize(
    ("verdict", "failed", "must_fail", "ok", "note"),
    [
        ("passed", [], None, True, ""),
        ("failed", ["a"], None, False, "should pass; failed a"),
        ("failed", ["a", "b"], STARTER, True, ""),
        ("crashed", ["a"], STARTER, True, ""),
        (
            "did_not_start",
            [],
            STARTER,
            False,
            "a starter should start and fail its tests; the verdict was did_not_start",
        ),
        ("passed", [], STARTER, False, "the verdict was passed"),
        ("failed", ["a"], ["a"], True, ""),
        ("crashed", ["a", "b"], ["a", "b"], True, ""),  # the app died at the mistake: still exact
        ("crashed", ["a", "b"], ["a"], False, "failed a, b; broken.toml names a"),
        ("failed", ["a", "c"], ["a"], False, "failed a, c; broken.toml names a"),
        ("passed", [], ["a"], False, "should fail the named tests; the verdict was passed"),
        # Craft tests never fail a run: a variant may fail just them and pass; a solution must pass them too.
        ("passed", ["c"], ["c"], True, ""),
        ("passed", ["c"], ["a"], False, "failed c; broken.toml names a"),
        ("passed", ["c"], None, False, "should pass; failed c"),
        ("infra_error", [], ["a"], False, "the verdict was infra_error"),
        ("timeout", ["a"], ["a"], False, "the verdict was timeout"),
        # An accepted variant passes; it may miss exactly the craft tests its accepted.toml names.
        ("passed", [], Accepted([]), True, ""),
        ("passed", ["c"], Accepted(["c"]), True, ""),
        ("passed", ["c"], Accepted([]), False, "failed the craft tests c; accepted.toml names none"),
        ("passed", [], Accepted(["c"]), False, "failed the craft tests none; accepted.toml names c"),
        ("failed", ["a"], Accepted([]), False, "an accepted variant should pass; the verdict was failed, failed a"),
    ],
)
def test_judge(verdict, failed, must_fail, ok, note):
    got_ok, got_note = judge(verdict, failed, must_fail)
    assert got_ok is ok
    assert note in got_note and (note or got_note == "")
