"""Run cases: what ``run`` costs around a function that does nothing, against calling it.

The run's own work (checking arguments, the record, packing) is tens of microseconds; the rest
is the store's file writes: the result's manifest and tag, and the run record at start and end.
The same case on a tmpfs (``/dev/shm``) separates the disk's share from ours.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from benchmarks.harness import Case, scratch_dir


def noop() -> int:
    return 1


def _setup_in(directory: str | None) -> Callable[[], Any]:
    def setup() -> Any:
        """A fresh local store chosen by settings, as users do."""
        from packagers import config
        from packagers.runner import run

        config.store.url = scratch_dir("packagers-bench-run-", directory)
        return run

    return setup


def _one_result(run: Any) -> None:
    record = run(noop, returns=["n : result"])
    assert record.results == {"n": 1}, record.error


def _no_output(run: Any) -> None:
    record = run(noop, returns=[])
    assert record.state == "completed", record.error


def _raw(run: Any) -> None:
    noop()


def cases(quick: bool) -> list[Case]:
    inner = 100 if quick else 1_000
    found = [
        Case(
            name="run: no-op, one int result (per run)",
            setup=_setup_in(None),
            ours=_one_result,
            raw=_raw,
            inner=inner,
            max_seconds=0.5e-3,
        ),
        Case(
            name="run: no-op, no output: records only",
            setup=_setup_in(None),
            ours=_no_output,
            raw=_raw,
            inner=inner,
        ),
    ]
    if os.path.isdir("/dev/shm"):
        found.append(
            Case(
                name="run: no-op, one int result, store on tmpfs",
                setup=_setup_in("/dev/shm"),
                ours=_one_result,
                raw=_raw,
                inner=inner,
                max_seconds=0.5e-3,
            )
        )
    return found
