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


def find_id(component, wanted):
    """The component with id `wanted` in a Dash tree (None when it has none)."""
    if getattr(component, "id", None) == wanted:
        return component
    children = getattr(component, "children", None) if not isinstance(component, list | tuple) else component
    for child in children if isinstance(children, list | tuple) else [children] if children is not None else []:
        found = find_id(child, wanted)
        if found is not None:
            return found
    return None
