"""npm ranges for engines.node, checked against the runtime's Node.js version."""

from __future__ import annotations

import pytest

from stagecraft.dependencies.semver import parse_version, satisfies

NODE_20 = parse_version("20.19.2")


@pytest.mark.parametrize(
    ("range_text", "expected"),
    [
        (">=18", True),
        (">=22", False),
        ("^20.0.0", True),
        ("^18", False),
        ("~20.19", True),
        ("~20.18.1", False),
        ("20.x", True),
        ("18.x || 20.x", True),
        ("16 - 20", True),
        ("14 - 18", False),
        (">=16 <19", False),
        (">=18.0.0 <21", True),
        (">20", False),
        ("<=20", True),
        ("<20", False),
        ("20", True),
        ("*", True),
        ("", True),
        (">= 18", True),
        ("v20.19.2", True),
    ],
)
def test_ranges(range_text, expected):
    assert satisfies(NODE_20, range_text) is expected


def test_a_range_it_cannot_read_lets_the_project_through():
    assert satisfies(NODE_20, "lts/*") is None
    assert satisfies(NODE_20, "latest || >=22") is None
    assert satisfies(NODE_20, "latest || >=20") is True


def test_caret_fixes_the_first_non_zero_part():
    assert satisfies(parse_version("0.2.5"), "^0.2.3") is True
    assert satisfies(parse_version("0.3.0"), "^0.2.3") is False
    assert satisfies(parse_version("0.0.4"), "^0.0.3") is False
