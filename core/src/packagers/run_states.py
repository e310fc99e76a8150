"""Run states, in one place: the runner writes them, the store and the UI read them.

A neutral module so the store never imports the runner to know which records may still change.
"""

from __future__ import annotations

__all__ = [
    "ACTIVE_STATES",
    "CANCELLED",
    "COMPLETED",
    "ERROR",
    "FINAL_STATES",
    "PENDING",
    "RUNNING",
    "TIMEOUT",
]

PENDING, RUNNING = "pending", "running"
COMPLETED, ERROR, CANCELLED, TIMEOUT = "completed", "error", "cancelled", "timeout"
#: A record in one of these states never changes again.
FINAL_STATES = frozenset({COMPLETED, ERROR, CANCELLED, TIMEOUT})
#: A record in one of these states is still written to by its run.
ACTIVE_STATES = frozenset({PENDING, RUNNING})
