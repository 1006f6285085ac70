"""Stagecraft grader SDK: write a suite as pytest functions, run it with `stagecraft-grader`."""

from .appdata import AppData
from .checkpoints import checkpoint
from .checks import CheckFailed, ExchangeError, GraderError, check, check_equal, fail, not_graded
from .client import AppClient, Response
from .concurrency import ConcurrentResult, run_concurrently
from .control import AppControl, ControlAnswer
from .metadata import craft, deadline, hint, points, spec, title
from .sse import ServerSentEvent, SseStream
from .tcp import TcpConnection
from .websocket import WebSocket, WebSocketClosed
from .words import WORDS

__all__ = [
    "WORDS",
    "AppClient",
    "AppControl",
    "AppData",
    "CheckFailed",
    "ConcurrentResult",
    "ControlAnswer",
    "ExchangeError",
    "GraderError",
    "Response",
    "ServerSentEvent",
    "SseStream",
    "TcpConnection",
    "WebSocket",
    "WebSocketClosed",
    "check",
    "check_equal",
    "checkpoint",
    "craft",
    "deadline",
    "fail",
    "not_graded",
    "hint",
    "points",
    "run_concurrently",
    "spec",
    "title",
]
