"""Run cases: what ``run`` costs around a function that does nothing, against calling it.

The run's own work (checking arguments, the record, packing) is tens of microseconds; the rest
is the store's file writes: one new file for the result's manifest and one for the final run
record (a test counts them: ``core/tests/store/test_store_local_backend.py``). The same case on
a tmpfs (``/dev/shm``) separates the disk's share from ours. The disk's share depends on what ran
before: on ext4 without a journal, creating a file steps over every inode of its block group
deleted in the last minute (five, until written back), so after a cleanup of thousands of files
(another case's store, a test suite) a new file costs up to a millisecond instead of ten
microseconds.
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
