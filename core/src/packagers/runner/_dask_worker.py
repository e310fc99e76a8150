"""What the ``dask`` executor runs on its workers: the job's envelope, and the stop requests.

Sent to workers by reference (this module is installed there with packagers), never by value.
Stop requests live in a per-worker table the running job checks between its phases, so a cancel
costs the worker nothing until it is asked; a job that never reaches a check is stopped by
restarting its worker (the client's side of it).
"""

from __future__ import annotations

import json
import sys
from typing import Any

__all__ = ["check_function", "is_running", "request_stop", "restart_worker", "run_task"]

#: run id -> the state to stop in (``cancelled``, ``timeout``), set by ``request_stop``.
_stops: dict[str, str] = {}
#: Run ids running on this worker now.
_running: set[str] = set()


def run_task(text: str) -> dict[str, Any]:
    """Run one envelope (its JSON text) here: ``{"record": ...}``, ``{"error": ...}`` or
    ``{"stopped": state}``."""
    from distributed import get_worker

    from packagers.runner._worker import run_envelope

    envelope = json.loads(text)
    run_id = envelope["run_id"]
    stopped = _stops.pop(run_id, None)
    if stopped is not None:  # stopped before it started: nothing ran, nothing to record here
        return {"stopped": stopped}
    _running.add(run_id)
    try:
        return run_envelope(
            envelope, worker=get_worker().address, should_stop=lambda: _stops.get(run_id)
        )
    finally:
        _running.discard(run_id)
        _stops.pop(run_id, None)


def request_stop(run_id: str, state: str) -> bool:
    """Ask the run to stop in ``state`` (now if it has not started); whether it runs here."""
    _stops[run_id] = state
    return run_id in _running


async def restart_worker() -> None:
    """End this worker process: a run that does not stop by itself stops with it.

    The worker's nanny starts a fresh one; ``Client.restart_workers`` would wait for it, and a
    cancel must not (a coroutine, so that ``client.run(..., wait=False)`` returns at once).
    """
    import os

    os._exit(1)


def is_running(run_id: str) -> bool:
    return run_id in _running


def check_function(reference: str, paths: list[str]) -> str | None:
    """Why ``reference`` does not load on this worker (with ``paths`` importable), or None."""
    from packagers.runner.functions import load_function

    sys.path[:0] = [entry for entry in paths if entry not in sys.path]
    try:
        load_function(reference)
    except Exception as error:
        return f"{type(error).__name__}: {error}"
    return None
