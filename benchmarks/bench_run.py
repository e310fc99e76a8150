"""Run cases: what ``run`` costs around a function that does nothing, against calling it.

The run's own work (checking arguments, the record, packing) is tens of microseconds; the rest
is the store's file writes: one new file for the result's manifest and one for the final run
record (a test counts them: ``core/tests/store/test_store_local_backend.py``). The same case on
a tmpfs (``/dev/shm``) separates the disk's share from ours. The disk's share depends on what ran
before: on ext4 without a journal, creating a file steps over every inode of its block group
deleted in the last minute (five, until written back), so after a cleanup of thousands of files
(another case's store, a test suite) a new file costs up to a millisecond instead of ten
microseconds.

So the case on disk shows the disk's share beside ours: its raw side writes the same two files
by hand, each to a temporary name and renamed into place (what any writer that must not show a
half-written file does), in a fresh directory beside the store. It has no target. Even timed in
turn in one process, the two sides do not see the same disk: ext4 allocates a new file's inode
in its directory's block group, and each group has its own recently deleted inodes to step
over. Writing the two files by hand took 130 µs beside our 170 in one run, and 137 µs beside
our 609 in the next. The case on tmpfs holds the whole run to 0.5 ms, and a test counts the
files a run creates (``core/tests/store/test_store_local_backend.py``).
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable
from typing import Any

from benchmarks.harness import Case, disk_dir, has_tmpfs, scratch_dir


def noop() -> int:
    return 1


#: What a run with one int result writes, about as large: its manifest and its final record.
_FILES = (("artifacts", 800), ("runs", 1500))


def _setup_in(tmpfs: bool) -> Callable[[], Any]:
    def setup() -> dict[str, Any]:
        """A fresh local store chosen by settings, as users do."""
        from packagers import config
        from packagers.runner import run

        directory = None if tmpfs else disk_dir()  # TMPDIR is on tmpfs
        config.store.url = scratch_dir("packagers-bench-run-", directory)
        by_hand = scratch_dir("packagers-bench-files-", directory)
        return {"run": run, "directory": by_hand, "written": itertools.count()}

    return setup


def _one_result(data: dict[str, Any]) -> None:
    record = data["run"](noop, returns=["n : result"])
    assert record.results == {"n": 1}, record.error


def _no_output(data: dict[str, Any]) -> None:
    record = data["run"](noop, returns=[])
    assert record.state == "completed", record.error


def _raw(data: dict[str, Any]) -> None:
    noop()


def _raw_files(data: dict[str, Any]) -> None:
    """The files of a run with one result, each whole before it gets its name."""
    number = next(data["written"])
    for folder, size in _FILES:
        target = os.path.join(data["directory"], folder, f"{number}.json")
        temp = f"{target}.part"
        try:
            descriptor = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except FileNotFoundError:
            os.makedirs(os.path.dirname(temp))
            descriptor = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        try:
            os.write(descriptor, b"x" * size)
        finally:
            os.close(descriptor)
        os.replace(temp, target)


def cases(quick: bool) -> list[Case]:
    inner = 100 if quick else 1_000
    found = [
        Case(
            name="run: no-op, one int result vs its 2 files",
            setup=_setup_in(tmpfs=False),
            ours=_one_result,
            raw=_raw_files,
            inner=inner,
        ),
        Case(
            name="run: no-op, no output: records only",
            setup=_setup_in(tmpfs=False),
            ours=_no_output,
            raw=_raw,
            inner=inner,
        ),
    ]
    if has_tmpfs():
        found.append(
            Case(
                name="run: no-op, one int result, store on tmpfs",
                setup=_setup_in(tmpfs=True),
                ours=_one_result,
                raw=_raw,
                inner=inner,
                max_seconds=0.5e-3,
            )
        )
    return found
