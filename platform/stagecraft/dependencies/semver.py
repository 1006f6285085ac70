"""Does a version satisfy an npm range? Enough of node-semver for `engines.node`.

Handles `||` alternatives, space-separated comparators (`>=18 <21`), `^`, `~`, `x`/`*`
wildcards, partial versions (`18`, `18.2`) and hyphen ranges (`16 - 20`). A range it cannot
read gives None: the caller then lets the project through rather than refuse it on a guess.
"""

from __future__ import annotations

import re

Version = tuple[int, int, int]

_PART = r"(?:x|X|\*|\d+)"
_COMPARATOR = re.compile(rf"^(<=|>=|<|>|=|\^|~>?|)v?({_PART})(?:\.({_PART}))?(?:\.({_PART}))?(?:[-+][0-9A-Za-z.-]*)?$")


def parse_version(text: str) -> Version:
    major, minor, patch = (
        re.sub(r"[^0-9].*", "", part) or "0" for part in ([*text.lstrip("v").split("."), "0", "0"][:3])
    )
    return int(major), int(minor), int(patch)


def satisfies(version: Version, range_text: str) -> bool | None:
    """Whether ``version`` is in the npm range; None when the range is not one this module reads."""
    alternatives = [part.strip() for part in range_text.split("||")]
    results = [_satisfies_all(version, part) for part in alternatives]
    if any(result is True for result in results):
        return True
    return None if any(result is None for result in results) else False


def _satisfies_all(version: Version, text: str) -> bool | None:
    hyphen = re.fullmatch(r"(\S+)\s+-\s+(\S+)", text)
    if hyphen:
        text = f">={hyphen.group(1)} <={hyphen.group(2)}"
    text = re.sub(r"(<=|>=|<|>|=|\^|~)\s+", r"\1", text)
    comparators = text.split() or ["*"]
    checks = [_check(version, comparator) for comparator in comparators]
    if any(check is None for check in checks):
        return None
    return all(checks)


def _check(version: Version, comparator: str) -> bool | None:
    match = _COMPARATOR.match(comparator)
    if match is None:
        return None
    operator, *parts = match.groups()
    wild = [part is None or part in ("x", "X", "*") for part in parts]
    numbers = [0 if w else int(p) for p, w in zip(parts, wild, strict=True)]
    low: Version = (numbers[0], numbers[1], numbers[2])
    if wild[0]:
        return operator in ("", "=", ">=", "^", "~", "<=") or None
    if operator in ("", "=") and any(wild):
        return _in(version, low, _bump(numbers, wild.index(True) - 1))
    if operator in ("", "="):
        return version == low
    if operator == "^":
        # ^1.2.3: <2.0.0; ^0.2.3: <0.3.0; ^0.0.3: <0.0.4 (the first non-zero part is fixed)
        fixed = next((i for i, n in enumerate(numbers) if n != 0), 2)
        fixed = min(fixed, wild.index(True) - 1 if any(wild) else 2)
        return _in(version, low, _bump(numbers, fixed))
    if operator.startswith("~"):
        return _in(version, low, _bump(numbers, 1 if not wild[1] else 0))
    if operator == ">=":
        return version >= low
    if operator == ">":
        return version >= _bump(numbers, wild.index(True) - 1) if any(wild) else version > low
    if operator == "<":
        return version < low
    if operator == "<=":
        return version < _bump(numbers, wild.index(True) - 1) if any(wild) else version <= low
    return None


def _in(version: Version, low: Version, high: Version) -> bool:
    return low <= version < high


def _bump(numbers: list[int], index: int) -> Version:
    bumped = [*numbers[:index], numbers[index] + 1, 0, 0][:3]
    return bumped[0], bumped[1], bumped[2]
