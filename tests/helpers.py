"""Small helpers shared by test modules."""

from __future__ import annotations

import time


def eventually(condition, seconds: float = 10.0) -> bool:
    """Whether `condition()` becomes true within `seconds` (the watcher thread reads files in the background)."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True
