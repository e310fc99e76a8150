"""Where a run happens: a registry of executors, with ``local``, ``process`` and ``dask`` built in.

An executor receives a checked :class:`~packagers.runner.job.RunJob` and returns its handle. The
``process`` executor is the model for remote ones: only the job's envelope (JSON, see
:mod:`packagers.runner.envelope`) crosses the boundary, and the other side ends in the same
in-process run as ``local``. ``dask`` (an optional extra) loads on first use.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import time
from abc import ABC, abstractmethod
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from packagers.run_states import FINAL_STATES, RunState
from packagers.runner.envelope import job_envelope
from packagers.runner.errors import ExecutorError
from packagers.runner.handle import RunHandle, RunTimeoutError
from packagers.runner.local import (
    InProcessRun,
    close_record,
    open_record,
    retry_lost,
    run_in_process,
)
from packagers.runner.record import RunRecord, new_run_id

if TYPE_CHECKING:
    from packagers.runner.job import RunJob

__all__ = [
    "Executor",
    "LocalExecutor",
    "ProcessExecutor",
    "ProcessRun",
    "RunWindow",
    "executor_names",
    "get_executor",
    "register_executor",
]


class Executor(ABC):
    """Runs a checked job somewhere and returns its record (it raises only for its own failures).

    ``submit`` returns a :class:`~packagers.runner.RunHandle` at once; by default the job runs
    through ``execute`` in this process when the handle is first waited for. Executors that
    run elsewhere override ``submit`` to start the job straight away.
    """

    #: The name runs record: the class's own, or (on the instances :func:`get_executor` makes)
    #: the name the class was registered under.
    name: str = ""

    @abstractmethod
    def execute(self, job: RunJob) -> RunRecord:
        """Run the job and return its final record."""

    def submit(self, job: RunJob) -> RunHandle:
        """Start the job and return its handle without waiting for it to end."""
        return InProcessRun(job, self.name, self.execute)

    def submit_many(self, jobs: list[RunJob]) -> list[RunHandle]:
        """Start several jobs (``map`` refilling its window); executors may batch them."""
        return [self.submit(job) for job in jobs]

    def window(self) -> RunWindow:
        """The runs ``map`` keeps in flight on this executor (by default: the oldest is waited
        for, as an in-process run happens while it is waited for)."""
        return RunWindow()

    def default_window(self) -> int:
        """How many runs ``map`` keeps in flight unless told (one at a time here)."""
        return 1


class LocalExecutor(Executor):
    """In this process: the fastest, and the function can take any Python object as a param."""

    name = "local"

    def execute(self, job: RunJob) -> RunRecord:
        return run_in_process(job, self.name)


class ProcessExecutor(Executor):
    """In a fresh Python process that receives only JSON, as a remote worker would.

    The worker saves the run record itself; when it dies without one (a crash, a kill), it is
    started again while ``retries`` allow, and the record is otherwise completed here in state
    ``error`` so the run never stays ``running``. ``cancel()`` asks the worker to stop (SIGTERM,
    honoured between the run's phases) and kills it after ``grace`` seconds.
    """

    name = "process"

    def __init__(self, *, grace: float = 5.0) -> None:
        self.grace = grace

    def execute(self, job: RunJob) -> RunRecord:
        return self.submit(job).wait()

    def submit(self, job: RunJob) -> RunHandle:
        return ProcessRun(job, self)

    def window(self) -> RunWindow:
        return PollingWindow()

    def default_window(self) -> int:
        return os.cpu_count() or 2

    def request(self, job: RunJob) -> dict[str, Any]:
        """The JSON the worker gets (see :func:`~packagers.runner.envelope.job_envelope`)."""
        return job_envelope(job, self.name)


class ProcessRun(RunHandle):
    """A job running in a child process (see :class:`ProcessExecutor`)."""

    def __init__(self, job: RunJob, executor: ProcessExecutor) -> None:
        if job.run_id is None:
            job.run_id = new_run_id(datetime.now(timezone.utc))
        self._job = job
        self._executor = executor
        self._envelope = executor.request(job)
        self._record = open_record(job, executor.name)
        self._start = time.perf_counter()
        self._final: RunRecord | None = None
        self._stop: str | None = None
        self._spawn()

    @property
    def id(self) -> str:
        return self._record.id

    @property
    def record(self) -> RunRecord:
        if self._final is None and self._process.poll() is not None:
            self._finish()
        return self._final or self._record

    def wait(self, timeout: float | None = None) -> RunRecord:
        import subprocess

        deadline = None if timeout is None else time.monotonic() + timeout
        while self._final is None:
            step = _POLL if deadline is None else max(0.0, min(_POLL, deadline - time.monotonic()))
            try:
                self._process.wait(step)
            except subprocess.TimeoutExpired:
                if self._past_timeout():
                    self._stop_worker(RunState.TIMEOUT)
                elif deadline is not None and time.monotonic() >= deadline:
                    raise RunTimeoutError(f"run {self.id} did not end within {timeout} s") from None
                continue
            self._finish()
        return self._final

    def cancel(self) -> bool:
        if self.record.state in FINAL_STATES:
            return False
        self._stop_worker(RunState.CANCELLED)
        return self._final is not None and self._final.state == RunState.CANCELLED

    def _spawn(self) -> None:
        import subprocess
        import tempfile

        descriptor, self._output = tempfile.mkstemp(prefix="packagers-run-", suffix=".json")
        os.close(descriptor)
        self._process = subprocess.Popen(
            [sys.executable, "-m", "packagers.runner._worker", self._output],
            stdin=subprocess.PIPE,
            text=True,
        )
        assert self._process.stdin is not None
        with self._process.stdin as stream:
            json.dump(self._envelope, stream)

    def _past_timeout(self) -> bool:
        limit = self._job.timeout
        return (
            limit is not None and time.perf_counter() - self._start > limit + self._executor.grace
        )

    def _stop_worker(self, state: str) -> None:
        """Ask the worker to stop, kill it after the grace period, and finish the record."""
        import subprocess

        self._stop = state
        self._process.terminate()
        try:
            self._process.wait(self._executor.grace)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        self._finish()

    def _finish(self) -> None:
        """The worker has exited: take its record, try again, or complete the record here."""
        try:
            with open(self._output, encoding="utf-8") as stream:
                text = stream.read()
        finally:
            os.remove(self._output)
        record, job = self._record, self._job
        if text:
            reply = json.loads(text)
            if "record" in reply:
                self._final = RunRecord.from_dict(reply["record"])
                return
            record.state, record.error = (
                RunState.ERROR,
                reply["error"],
            )  # it did not even start there
            close_record(job, record)
            self._final = record
            return
        if self._stop is not None:
            record.state = self._stop
        else:
            lost = ExecutorError(
                f"the worker process exited with code {self._process.returncode} without a run "
                "record (see its output above)"
            )
            if retry_lost(job, record, lost):
                self._spawn()
                return
            record.fail(lost)
        close_record(job, record, announced=True)  # the worker may have announced it
        self._final = record


#: How often a waiting handle checks a run's timeout (seconds).
_POLL = 0.2


class RunWindow:
    """The runs ``map`` has in flight on one executor: add handles, take those that ended."""

    def __init__(self) -> None:
        self._handles: list[RunHandle] = []

    def __len__(self) -> int:
        return len(self._handles)

    def add(self, handle: RunHandle) -> None:
        self._handles.append(handle)

    def take(self) -> list[RunHandle]:
        """Block until at least one run has ended; remove those that did and return them."""
        done = self._wait()
        self._handles = [handle for handle in self._handles if not handle.done()]
        return done

    def _wait(self) -> list[RunHandle]:
        self._handles[0].wait()
        return [handle for handle in self._handles if handle.done()]


class PollingWindow(RunWindow):
    """Polls its runs (``wait(0)``, which also enforces their timeouts) until one has ended."""

    _INTERVAL = 0.01

    def _wait(self) -> list[RunHandle]:
        while True:
            for handle in self._handles:
                with contextlib.suppress(RunTimeoutError):
                    handle.wait(0)
            done = [handle for handle in self._handles if handle.done()]
            if done:
                return done
            time.sleep(self._INTERVAL)


#: name -> executor class or instance, or the ``"module:Class"`` of one that loads on first use
#: (``dask``).
_registry: dict[str, type[Executor] | Executor | str] = {}


def register_executor(name: str, executor: type[Executor] | Executor) -> None:
    """Make ``executor`` selectable as ``run(..., executor=name)`` (replacing one of that name).

    A class is built for each run (with the run's ``executor_options``) and records runs under
    ``name``; an instance, such as a ``DaskExecutor(client=...)`` for one cluster, is used as it
    is by every run naming it, and records them under its own name (``dask``). The class or
    instance is not changed, so one class may be registered under several names.
    """
    if not (
        isinstance(executor, Executor)
        or (isinstance(executor, type) and issubclass(executor, Executor))
    ):
        raise ExecutorError(f"{executor!r} is neither an Executor subclass nor an instance")
    _registry[name] = executor


def get_executor(name: str | Executor, **options: Any) -> Executor:
    """An instance of the executor registered as ``name``, made with ``options``.

    An :class:`Executor` instance is returned as it is (it carries its own options).
    """
    if isinstance(name, Executor):
        if options:
            raise ExecutorError("executor_options go with an executor name, not an instance")
        return name
    executor = _registry.get(name)
    if executor is None:
        raise ExecutorError(
            f"unknown executor {name!r}; known executors: {', '.join(executor_names())}"
        )
    if isinstance(executor, Executor):
        return get_executor(executor, **options)
    if isinstance(executor, str):
        import importlib

        module, _, attribute = executor.partition(":")
        executor = getattr(importlib.import_module(module), attribute)
        register_executor(name, executor)
    try:
        instance = executor(**options)
    except TypeError as error:
        raise ExecutorError(f"executor {name!r} does not take these options: {error}") from None
    instance.name = name
    return instance


def executor_names() -> list[str]:
    return sorted(_registry)


register_executor("local", LocalExecutor)
register_executor("process", ProcessExecutor)
_registry["dask"] = "packagers.runner.dask_executor:DaskExecutor"
