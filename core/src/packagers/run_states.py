"""Run states, in one place: the runner and projects write them; the store and the CLI read them.

A neutral module so the store never imports the runner to know which records may still change.
A record read back from JSON holds the plain string, which equals its member.
"""

from __future__ import annotations

from packagers._str_enum import StrEnum

__all__ = ["ACTIVE_STATES", "FINAL_STATES", "RunState"]


class RunState(StrEnum):
    PENDING = "pending"
    RUNNING = "running"
    COMPLETED = "completed"
    ERROR = "error"
    CANCELLED = "cancelled"
    TIMEOUT = "timeout"


#: A record in one of these states never changes again.
FINAL_STATES = frozenset({RunState.COMPLETED, RunState.ERROR, RunState.CANCELLED, RunState.TIMEOUT})
#: A record in one of these states is still written to by its run.
ACTIVE_STATES = frozenset({RunState.PENDING, RunState.RUNNING})
