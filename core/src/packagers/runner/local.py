"""One run in this process: unpack the inputs, call the function, pack, then log.

Every executor ends here (the process executor in its worker), so a run means the same thing
wherever it happens. Order matters for "nothing half-logged": every output is packed before
anything is written, and the temporary files are deleted when the manager's block ends, also
when the run failed.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from packagers._json import json_safe
from packagers.manager import PackagersManager, iter_packages
from packagers.run_states import RunState
from packagers.runner.handle import RunHandle, RunTimeoutError
from packagers.runner.inputs import input_url, load_inputs
from packagers.runner.rank import current_rank
from packagers.runner.record import RunRecord, error_info, new_run_id, qualified_names

if TYPE_CHECKING:
    from packagers.data_item import DataItem
    from packagers.plugins.records import Collection
    from packagers.runner.job import RunJob

__all__ = [
    "InProcessRun",
    "RunStopped",
    "attempt_entry",
    "close_record",
    "open_record",
    "plugin_versions",
    "retry_lost",
    "retryable",
    "run_in_process",
]

_versions: tuple[Collection, dict[str, str]] | None = None


def run_in_process(
    job: RunJob, executor: str = "local", *, announce: bool = False, save: bool = True
) -> RunRecord:
    """Run ``job`` here and return its record; the function's own failure is recorded, not raised.

    Only the logging worker (``config.logging_worker`` against the launcher's rank) saves the
    record and logs outputs; the other ranks run the function and report ``logged=False``.
    An interrupt (``KeyboardInterrupt``) is recorded as an error and then raised again.
    ``announce`` also saves the record as ``running`` first, for runs long or remote enough to be
    watched; an in-process run saves its record once, when it ends (a file write is most of the
    cost of a short run). ``save=False`` leaves the final record to the caller, who adds to it.

    A failure is tried again, up to ``job.retries`` times, when it is retryable (see
    :func:`retryable`); each failed try is kept in ``record.attempts``. Between phases the run
    checks ``job.should_stop`` and ``job.timeout``, and stops (state ``cancelled`` or
    ``timeout``) before it logs anything.
    """
    from packagers._config import config

    record = open_record(job, executor)
    enabled = config.enabled
    if enabled:
        record.plugins = plugin_versions()
    if record.logged and announce:
        job.store.save_run(record.to_dict())
    start = time.perf_counter()
    began = record.started
    while True:
        laps = _Laps(record.timings, job, start)
        try:
            block: Any = PackagersManager() if enabled else contextlib.nullcontext()
            with block as manager:
                _run(job, record, manager, laps)
            record.state = RunState.COMPLETED
        except RunStopped as stop:
            record.state = stop.state
        except BaseException as error:
            record.fail(error)
            if not isinstance(error, Exception):
                close_record(job, record, save=save)
                raise
            if retryable(error, laps.phase, job.retry_on) and len(record.attempts) < job.retries:
                record.attempts.append(attempt_entry(record, began))
                began = record.attempts[-1]["ended"]
                record.state, record.error = RunState.RUNNING, None
                record.results, record.artifacts, record.timings = {}, {}, {}
                continue
        break
    close_record(job, record, save=save)
    return record


def retryable(error: BaseException, phase: str, retry_on: tuple[str, ...]) -> bool:
    """Whether another try may succeed: a store I/O error outside the function, or a named type.

    An exception the function raised is its own answer (trying again gives the same one) unless
    the caller named its type in ``retry_on`` (qualified names, as records keep them).
    """
    if phase != "run" and isinstance(error, OSError):
        return True
    return bool(retry_on) and any(
        name in retry_on for kind in type(error).__mro__ for name in qualified_names(kind)
    )


def saved_final(job: RunJob, run_id: str) -> RunRecord | None:
    """The final record a worker saved for ``run_id``, if it did: then the run must not be tried
    again, nor its record overwritten, whatever became of the worker's answer."""
    saved = job.store.final_run(run_id, project=job.project)
    return None if saved is None else RunRecord.from_dict(saved)


def retry_lost(job: RunJob, record: RunRecord, error: BaseException) -> bool:
    """A try failed outside the run (its worker was lost): keep it, and say whether to retry.

    The tries so far live in ``job.record_fields["attempts"]``, which the next envelope carries,
    so the worker that tries again starts its record with them.
    """
    attempts = job.record_fields.setdefault("attempts", [])
    if len(attempts) >= job.retries:
        return False
    attempts.append(attempt_entry(record, record.started, error_info(error)))
    record.attempts = list(attempts)
    return True


def attempt_entry(
    record: RunRecord, started: str, error: dict[str, str] | None = None
) -> dict[str, Any]:
    """What ``record.attempts`` keeps of a failed try (the record's error, or ``error``)."""
    return {
        "attempt": len(record.attempts) + 1,
        "worker": record.worker,
        "started": started,
        "ended": datetime.now(timezone.utc).isoformat(),
        "state": RunState.ERROR,
        "error": error or record.error,
    }


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
    job: RunJob, record: RunRecord, *, announced: bool = False, save: bool = True
) -> None:
    """Stamp the end of the run and save the final record.

    ``announced``: another process may have saved the run as active (see ``Store.save_run``).
    """
    record.finish()
    if record.logged and save:
        job.store.save_run(record.to_dict(), announced=announced)


def _run(job: RunJob, record: RunRecord, manager: PackagersManager | None, lap: _Laps) -> None:
    opened: list[DataItem] = []
    try:
        arguments: dict[str, Any] = {}
        if job.inputs:
            lap.begin("unpack")
            arguments = load_inputs(job.inputs, job.info, job.store, manager, opened, record.inputs)
            lap("unpack")
        lap.begin("run")
        returned = job.fn(**job.params, **arguments)
        lap("run")
        if manager is None or not record.logged:
            return
        lap.begin("pack")
        packages = manager.pack_outputs(returned, job.returns, auto_key_prefix=job.info.name)
        lap("pack")
        if not packages:
            return
        lap.begin("log")
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


class RunStopped(Exception):
    """The run was asked to stop (cancelled, or past its timeout) and ends in ``state``."""

    def __init__(self, state: str) -> None:
        super().__init__(f"the run was stopped ({state})")
        self.state = state


class _Laps:
    """Splits a run's time into named phases (``lap("run")``: the time since the last lap).

    ``begin(phase)`` names the phase now starting (what a failure happened in) and is where a
    run checks whether it must stop: between phases, so a stopped run never logs.
    """

    __slots__ = ("deadline", "job", "mark", "phase", "timings")

    def __init__(self, timings: dict[str, float], job: RunJob, start: float) -> None:
        self.timings = timings
        self.mark = time.perf_counter()
        self.phase = "unpack"
        self.job = job  # its should_stop may be set while it runs (a cancel)
        self.deadline = None if job.timeout is None else start + job.timeout

    def begin(self, phase: str) -> None:
        self.phase = phase
        should_stop = self.job.should_stop
        if should_stop is not None:
            state = should_stop()
            if state is not None:
                raise RunStopped(state)
        if self.deadline is not None and time.perf_counter() > self.deadline:
            raise RunStopped(RunState.TIMEOUT)

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


class InProcessRun(RunHandle):
    """A run in this process, started by the first ``wait()`` (so ``run`` costs no thread).

    ``wait(timeout=...)`` runs it in a background thread instead, to give up in time; ``cancel()``
    before it starts ends it ``cancelled`` without running, and during the run stops it at its
    next phase. ``execute`` is the executor's (a registered executor's own ``execute``).
    """

    def __init__(self, job: RunJob, executor: str, execute: Callable[[RunJob], RunRecord]) -> None:
        if job.run_id is None:
            job.run_id = new_run_id(datetime.now(timezone.utc))
        self._job = job
        self._executor = executor
        self._execute = execute
        self._stop: str | None = None
        self._final: RunRecord | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._started = False

    @property
    def id(self) -> str:
        return self._job.run_id  # type: ignore[return-value]

    @property
    def record(self) -> RunRecord:
        if self._final is not None:
            return self._final
        record = open_record(self._job, self._executor)
        record.state = RunState.RUNNING if self._started else RunState.PENDING
        return record

    def wait(self, timeout: float | None = None) -> RunRecord:
        if self._final is not None:
            return self._final
        if timeout is None and self._claim():
            self._work()
        else:
            if self._claim():
                self._thread = threading.Thread(target=self._work, daemon=True)
                self._thread.start()
            deadline = None if timeout is None else time.monotonic() + timeout
            while self._final is None:
                if self._thread is not None:
                    self._thread.join(None if deadline is None else deadline - time.monotonic())
                else:  # another thread is running it synchronously
                    time.sleep(0.005)
                if deadline is not None and time.monotonic() >= deadline and self._final is None:
                    raise RunTimeoutError(f"run {self.id} did not end within {timeout} s")
        return self._final  # type: ignore[return-value]

    def cancel(self) -> bool:
        if self._final is not None:
            return False
        self._stop = RunState.CANCELLED
        self._job.should_stop = self._should_stop  # checked by the run between its phases
        if self._claim():  # never started: it ends here, without running
            record = open_record(self._job, self._executor)
            record.state = RunState.CANCELLED
            close_record(self._job, record)
            self._final = record
        return True

    def _claim(self) -> bool:
        with self._lock:
            if self._started:
                return False
            self._started = True
            return True

    def _work(self) -> None:
        self._final = self._execute(self._job)

    def _should_stop(self) -> str | None:
        return self._stop
