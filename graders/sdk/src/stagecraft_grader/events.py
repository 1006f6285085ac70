"""The event stream: one JSON object per line on the grader's real stdout (contract v2)."""

from __future__ import annotations

import json
import os
from typing import Any

CONTRACT_VERSION = 2  # v2: tiers (test `tier` and `rule`, run_end counts per tier)


class EventStream:
    """Writes events to a file descriptor that nothing else writes to."""

    def __init__(self, fd: int) -> None:
        self._fd = fd

    def emit(self, event: str, **fields: Any) -> None:
        line = json.dumps({"event": event, **fields}, ensure_ascii=False, allow_nan=False)
        data = (line + "\n").encode("utf-8")
        while data:
            written = os.write(self._fd, data)
            data = data[written:]
