"""Stagecraft grader SDK: write a suite as pytest functions, run it with `stagecraft-grader`."""

from .checks import CheckFailed, check, check_equal, fail
from .client import AppClient, ExchangeError, Response
from .metadata import hint, points, title

__all__ = [
    "AppClient",
    "CheckFailed",
    "ExchangeError",
    "Response",
    "check",
    "check_equal",
    "fail",
    "hint",
    "points",
    "title",
]
