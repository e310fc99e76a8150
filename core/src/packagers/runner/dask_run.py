"""A run on a Dask cluster: its handle (a future, retried when its worker is lost), and the
window ``map`` keeps in flight there.

A handle is given the cluster's client, not the executor that made it, so that this module does
not import :mod:`~packagers.runner.dask_executor` back.
"""

from __future__ import annotations

import json
import time
from asyncio import CancelledError
from typing import TYPE_CHECKING, Any

from packagers.run_states import FINAL_STATES, RunState
from packagers.runner.errors import ExecutorError
from packagers.runner.executors import RunWindow
from packagers.runner.handle import RunHandle, RunTimeoutError
from packagers.runner.local import close_record, open_record, retry_lost, saved_final
from packagers.runner.record import RunRecord

if TYPE_CHECKING:
    from distributed import Client, Future

    from packagers.runner.job import RunJob

__all__ = ["ClusterWindow", "DaskRun", "task_arguments"]

#: How often a waiting handle checks a run's timeout (seconds).
_POLL = 0.2


class DaskRun(RunHandle):
    """A job on a Dask cluster: a future for its envelope, retried when its worker is lost.

    ``executor`` is the name the run is recorded under; ``grace``: seconds a stopped run has to
    stop by itself before its worker is restarted.
    """

    def __init__(
        self,
        job: RunJob,
        envelope: dict[str, Any],
        future: Future[Any],
        *,
        client: Client,
        executor: str = "dask",
        grace: float = 5.0,
    ) -> None:
        self._job = job
        self._envelope = envelope
        self._client = client
        self._grace = grace
        self._record = open_record(job, executor)
        self._record.state = RunState.PENDING
        self._start = time.perf_counter()
        self._final: RunRecord | None = None
        self.future = future

    @property
    def id(self) -> str:
        return self._record.id

    @property
    def record(self) -> RunRecord:
        if self._final is None and self.future.done():
            self._take()
        return self._final or self._record

    def wait(self, timeout: float | None = None) -> RunRecord:
        deadline = None if timeout is None else time.monotonic() + timeout
        while self._final is None:
            step = _POLL if deadline is None else max(0.0, min(_POLL, deadline - time.monotonic()))
            settled, outcome = _outcome(self.future, step)
            if not settled:
                if self._past_timeout():
                    self._stop(RunState.TIMEOUT)
                elif deadline is not None and time.monotonic() >= deadline:
                    raise RunTimeoutError(f"run {self.id} did not end within {timeout} s") from None
                continue
            self.settle(outcome)
        return self._final

    def cancel(self) -> bool:
        if self.record.state in FINAL_STATES:
            return False
        self._stop(RunState.CANCELLED)
        return self._final is not None and self._final.state == RunState.CANCELLED

    def _submit(self) -> Future[Any]:
        from packagers.runner._dask_worker import run_task

        text, key = task_arguments(self._envelope)
        return self._client.submit(run_task, text, key=key, pure=False)

    def _past_timeout(self) -> bool:
        limit = self._job.timeout
        return limit is not None and time.perf_counter() - self._start > limit + self._grace

    def _take(self) -> None:
        self.settle(_outcome(self.future, 0)[1])

    def settle(self, outcome: dict[str, Any] | BaseException) -> None:
        """The future's answer: the worker's reply, or why the task failed (a lost worker or
        cluster, a store error), which is tried again while ``retries`` allow."""
        if self._final is not None:  # stopped meanwhile: its record is final already
            return
        if isinstance(outcome, BaseException):
            done = saved_final(self._job, self.id)
            if done is not None:  # the worker ended the run and saved it; only its answer was lost
                self._final = done
                return
            if retry_lost(self._job, self._record, outcome):
                self.future = self._submit()
                return
            self._record.fail(outcome)
            self._close()
            return
        reply = outcome
        if "record" in reply:
            self._final = RunRecord.from_dict(reply["record"])
        elif "stopped" in reply:
            self._record.state = reply["stopped"]
            self._close()
        else:  # the job did not even start on the worker
            self._final = saved_final(self._job, self.id)  # ...this time: it may have ended before
            if self._final is None:
                self._record.state, self._record.error = RunState.ERROR, reply["error"]
                self._close()

    def _stop(self, state: str) -> None:
        """Ask the run to stop; past the grace period, restart the worker that still runs it."""
        from packagers.runner._dask_worker import is_running, request_stop, restart_worker

        client = self._client
        # A worker that does not answer is skipped: it cannot be running the task either.
        running = client.run(request_stop, self.id, state, on_error="ignore")
        settled, outcome = _outcome(self.future, self._grace)
        if not settled:
            self.future.cancel()
            busy = [address for address, here in running.items() if here]
            still = client.run(is_running, self.id, workers=busy, on_error="ignore") if busy else {}
            stuck = [address for address, here in still.items() if here]
            if stuck:  # its nanny starts a fresh worker in its place
                client.run(restart_worker, workers=stuck, wait=False)
                _until_gone(client, stuck)
            self._record.state = state
            self._close()
            return
        if isinstance(outcome, dict):  # the worker's answer; a failed task is not retried now
            self.settle(outcome)
        if self._final is None:
            self._record.state = state
            self._close()

    def _close(self) -> None:
        close_record(self._job, self._record, announced=True)
        self._final = self._record


class ClusterWindow(RunWindow):
    """Runs in flight on the cluster, taken as they complete (one ``as_completed``, refilled)."""

    def __init__(self, client: Client) -> None:
        from distributed import as_completed

        super().__init__()
        self._completed = as_completed([], loop=client.loop, with_results=True, raise_errors=False)
        self._by_future: dict[Future[Any], DaskRun] = {}

    def __len__(self) -> int:
        return len(self._by_future)

    def add(self, handle: RunHandle) -> None:
        if not isinstance(handle, DaskRun):
            raise ExecutorError(f"{handle!r} is not a run on a Dask cluster")
        self._by_future[handle.future] = handle
        self._completed.add(handle.future)

    def take(self) -> list[RunHandle]:
        done: list[RunHandle] = []
        for future, outcome in self._completed.next_batch(block=True):
            handle = self._by_future.pop(future)
            handle.settle(outcome)
            if handle.done():
                done.append(handle)
            else:  # tried again: a new future
                self.add(handle)
        return done


def task_arguments(envelope: dict[str, Any]) -> tuple[str, str]:
    """The task's argument, the envelope as JSON text (nothing in it for the scheduler to look
    into), and its key: the run id and the attempt, unique on the cluster."""
    attempt = len(envelope["record_fields"].get("attempts", ())) + 1
    return json.dumps(envelope), f"packagers-{envelope['run_id']}-{attempt}"


def _until_gone(client: Client, workers: list[str], patience: float = 10.0) -> None:
    """Wait until the scheduler has dropped ``workers``, so that no new task goes to them."""
    deadline = time.monotonic() + patience
    while time.monotonic() < deadline:
        if not set(workers) & set(client.scheduler_info()["workers"]):
            return
        time.sleep(0.05)


def _outcome(future: Future[Any], timeout: float) -> tuple[bool, Any]:
    """Wait up to ``timeout`` seconds for ``future``: (True, its result or error), or (False, None)
    while it is still going."""
    try:
        return True, future.result(timeout=timeout)
    except (Exception, CancelledError) as error:
        return (True, error) if future.done() else (False, None)
