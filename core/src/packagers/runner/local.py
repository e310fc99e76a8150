"""One run in this process: unpack the inputs, call the function, pack, then log.

Every executor ends here (the process executor in its worker), so a run means the same thing
wherever it happens. Order matters for "nothing half-logged": every output is packed before
anything is written, and the temporary files are deleted when the manager's block ends, also
when the run failed.
"""

from __future__ import annotations

import contextlib
import time
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from packagers.manager import PackagersManager, iter_packages
from packagers.runner.inputs import input_url, load_inputs
from packagers.runner.rank import current_rank
from packagers.runner.record import COMPLETED, RunRecord, json_safe, new_run_id

if TYPE_CHECKING:
    from packagers.data_item import DataItem
    from packagers.plugins.collection import Collection
    from packagers.runner.runner import RunJob

__all__ = ["close_record", "execute", "open_record", "plugin_versions"]

_versions: tuple[Collection, dict[str, str]] | None = None


def execute(
    job: RunJob, executor: str = "local", *, announce: bool = False, save: bool = True
) -> RunRecord:
    """Run ``job`` here and return its record; the function's own failure is recorded, not raised.

    Only the logging worker (``config.logging_worker`` against the launcher's rank) saves the
    record and logs outputs; the other ranks run the function and report ``logged=False``.
    An interrupt (``KeyboardInterrupt``) is recorded as an error and then raised again.
    ``announce`` also saves the record as ``running`` first, for runs long or remote enough to be
    watched; an in-process run saves its record once, when it ends (a file write is most of the
    cost of a short run). ``save=False`` leaves the final record to the caller, who adds to it.
    """
    from packagers._config import config

    record = open_record(job, executor)
    enabled = config.enabled
    if enabled:
        record.plugins = plugin_versions()
    if record.logged and announce:
        job.store.save_run(record.to_dict())
    start = time.perf_counter()
    try:
        block: Any = PackagersManager() if enabled else contextlib.nullcontext()
        with block as manager:
            _run(job, record, manager)
        record.state = COMPLETED
    except BaseException as error:
        record.fail(error)
        if not isinstance(error, Exception):
            close_record(job, record, start, save=save)
            raise
    close_record(job, record, start, save=save)
    return record


def open_record(job: RunJob, executor: str) -> RunRecord:
    """The record of a run starting now (state ``running``), not saved yet."""
    from packagers._config import config

    now = datetime.now(timezone.utc)
    fn = job.fn
    rank = current_rank()
    record = RunRecord(
        id=job.run_id or new_run_id(now),
        name=job.info.name,
        project=job.project,
        function=job.reference or f"{fn.__module__}:{fn.__qualname__}",
        executor=executor,
        params={name: json_safe(value) for name, value in job.params.items()},
        inputs={name: {"uri": input_url(value)} for name, value in job.inputs.items()},
        logged=rank == config.logging_worker,
        rank=rank,
        started=now.isoformat(),
    )
    for name, value in job.record_fields.items():
        setattr(record, name, value)
    return record


def close_record(
    job: RunJob, record: RunRecord, start: float, *, announced: bool = False, save: bool = True
) -> None:
    """Stamp the end of the run (``start`` is its ``perf_counter``) and save the final record.

    ``announced``: another process may have saved the run as active (see ``Store.save_run``).
    """
    record.duration = time.perf_counter() - start
    record.ended = datetime.now(timezone.utc).isoformat()
    if record.logged and save:
        job.store.save_run(record.to_dict(), announced=announced)


def _run(job: RunJob, record: RunRecord, manager: PackagersManager | None) -> None:
    lap = _Laps(record.timings)
    opened: list[DataItem] = []
    try:
        arguments: dict[str, Any] = {}
        if job.inputs:
            arguments = load_inputs(job.inputs, job.info, job.store, manager, opened, record.inputs)
            lap("unpack")
        returned = job.fn(**job.params, **arguments)
        lap("run")
        if manager is None or not record.logged:
            return
        packages = manager.pack_outputs(
            returned, job.returns, digest=job.store.wants_digests, auto_key_prefix=record.name
        )
        lap("pack")
        if not packages:
            return
        refs = manager.log(
            job.store, packages, project=record.project, run_id=record.id, progress=job.progress
        )
        for package in iter_packages(packages):
            if package.is_result:
                record.results[package.key] = package.value
            elif package.key in refs:
                record.artifacts[package.key] = refs[package.key]
        lap("log")
    finally:
        for item in opened:  # inputs passed as DataItems never went through the manager
            item.clear()


class _Laps:
    """Splits a run's time into named phases (``lap("run")``: the time since the last lap)."""

    __slots__ = ("mark", "timings")

    def __init__(self, timings: dict[str, float]) -> None:
        self.timings = timings
        self.mark = time.perf_counter()

    def __call__(self, phase: str) -> None:
        now = time.perf_counter()
        self.timings[phase] = now - self.mark
        self.mark = now


def plugin_versions() -> dict[str, str]:
    """Distribution -> version of the active plugins, computed once per plugin collection."""
    global _versions
    from packagers.plugins.collection import collect

    collection = collect()
    if _versions is None or _versions[0] is not collection:
        versions = {
            record.distribution: record.version or ""
            for record in collection.active
            if record.distribution
        }
        _versions = (collection, versions)
    return dict(_versions[1])
