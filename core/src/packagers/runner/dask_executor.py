"""``executor="dask"``: runs on a ``dask.distributed`` cluster (the optional ``packagers[dask]``).

Each task carries only the job's envelope (JSON, no credentials: workers take those from their
own environment) and returns the run record; data goes through the shared store by URI. The
cluster is the client given, else the scheduler at the ``dask.address`` setting, else a
``LocalCluster`` of worker processes on 127.0.0.1 started on first use. ``distributed`` is
imported when the executor is first built, never by ``import packagers``.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from asyncio import CancelledError
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from packagers.runner.envelope import envelope_size, job_envelope
from packagers.runner.errors import ExecutorError, RunArgumentError
from packagers.runner.executors import Executor, RunWindow
from packagers.runner.handle import RunHandle, RunTimeoutError
from packagers.runner.local import close_record, open_record, retry_lost, saved_final
from packagers.runner.record import (
    CANCELLED,
    ERROR,
    FINAL_STATES,
    PENDING,
    TIMEOUT,
    RunRecord,
    new_run_id,
)

if TYPE_CHECKING:
    from distributed import Client, Future

    from packagers.runner.job import RunJob

__all__ = ["DaskExecutor", "DaskRun", "local_cluster_client"]

_LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})
#: Clients of scheduler addresses, and the on-demand LocalCluster: one each per process.
_clients: dict[str, Client] = {}
_lock = threading.Lock()


class DaskExecutor(Executor):
    """Runs jobs on a Dask cluster.

    ``client``: a ``distributed.Client`` to use; ``address``: a scheduler to connect to (default:
    the ``dask.address`` setting); with neither, a LocalCluster on this host. ``shared_path``:
    a local-directory store is reachable by every worker (default: the ``dask.shared_path``
    setting), which is refused otherwise when a worker runs on another host. ``grace``: seconds
    a cancelled run has to stop by itself before its worker is restarted.
    """

    name = "dask"

    def __init__(
        self,
        *,
        client: Client | None = None,
        address: str | None = None,
        shared_path: bool | None = None,
        grace: float = 5.0,
    ) -> None:
        try:
            import distributed  # noqa: F401
        except ImportError:
            raise ExecutorError(
                "executor='dask' needs dask.distributed; install packagers[dask]"
            ) from None
        if client is not None and address is not None:
            raise ExecutorError("give the dask executor a client or an address, not both")
        self._client = client
        self._address = address
        self._shared_path = shared_path
        self.grace = grace
        self._checked: set[str] = set()
        self._local: tuple[float, bool] | None = None

    @property
    def client(self) -> Client:
        """The cluster's client, connected (or started) on first use."""
        from packagers._config import config

        if self._client is None:
            address = self._address or config.dask.address
            self._client = _client_for(address) if address else local_cluster_client()
        return self._client

    def execute(self, job: RunJob) -> RunRecord:
        return self.submit(job).wait()

    def default_window(self) -> int:
        """Eight tasks per worker thread (at least 32): every worker busy, more queued behind."""
        workers = self.client.scheduler_info()["workers"].values()
        threads = sum(int(worker.get("nthreads", 1)) for worker in workers)
        return max(32, 8 * threads)

    def window(self) -> RunWindow:
        return _ClusterWindow(self.client)

    def submit(self, job: RunJob) -> DaskRun:
        return self._start([job])[0]

    def submit_many(self, jobs: list[RunJob]) -> list[RunHandle]:
        return list(self._start(jobs))

    def _start(self, jobs: list[RunJob]) -> list[DaskRun]:
        """Every job checked first, then all in one message to the scheduler (``client.map``)."""
        from packagers.runner._dask_worker import run_task

        envelopes = []
        for job in jobs:
            if job.run_id is None:
                job.run_id = new_run_id(datetime.now(timezone.utc))
            envelopes.append(self.envelope(job))
        tasks = [_task(envelope) for envelope in envelopes]
        futures = self.client.map(
            run_task, [text for text, _ in tasks], key=[key for _, key in tasks], pure=False
        )
        return [
            DaskRun(job, self, envelope, future)
            for job, envelope, future in zip(jobs, envelopes, futures, strict=True)
        ]

    def envelope(self, job: RunJob) -> dict[str, Any]:
        """The job's envelope, checked for this cluster before anything is submitted."""
        from packagers._config import config

        local = self._workers_local()
        envelope = job_envelope(job, self.name, secrets=False, local=local)
        limit = config.dask.envelope_limit
        size = envelope_size(envelope)
        if size > limit:
            largest = max(job.params, key=lambda n: envelope_size({n: job.params[n]}), default="")
            raise RunArgumentError(
                f"the task of {job.info.name}() would be {size} bytes, above the "
                f"{limit}-byte limit of what goes through the scheduler (dask.envelope_limit)"
                + (f"; the largest param is {largest!r}" if largest else "")
                + ": log large values (packagers.log) and pass their URIs as inputs"
            )
        store = job.store
        shared = self._shared_path if self._shared_path is not None else config.dask.shared_path
        if store.is_local and not local and not shared:
            raise RunArgumentError(
                f"the store {store.url} is a local directory, and some workers of this cluster "
                "run on other hosts; use a bucket URL, or say the path is shared by every "
                "worker (shared_path=True, or MLRUN_PACKAGERS__DASK__SHARED_PATH=true)"
            )
        self._check_function(envelope["function"], envelope.get("sys_path", []))
        return envelope

    def _workers_local(self) -> bool:
        """Whether every worker runs on this host (then this process's paths mean the same).

        Asked of the scheduler at most every few seconds, not once per task.
        """
        now = time.monotonic()
        if self._local is None or now - self._local[0] > _WORKERS_TTL:
            self._local = (now, self._ask_workers_local())
        return self._local[1]

    def _ask_workers_local(self) -> bool:
        import socket

        workers = self._workers()
        here = set(_LOOPBACK)
        with contextlib.suppress(OSError):
            here.add(socket.gethostbyname(socket.gethostname()))
        return all(info.get("host") in here for info in workers.values())

    def _workers(self) -> dict[str, Any]:
        """The cluster's workers, waiting a while for one (a worker being restarted, a cluster
        scaling up) when there is none."""
        workers: dict[str, Any] = self.client.scheduler_info().get("workers", {})
        if not workers:
            try:
                self.client.wait_for_workers(1, timeout=_WORKER_PATIENCE)
            except TimeoutError:
                raise ExecutorError(
                    f"the Dask cluster of {self.client} has had no worker for "
                    f"{_WORKER_PATIENCE:.0f} s; start workers, or check the scheduler address"
                ) from None
            workers = self.client.scheduler_info().get("workers", {})
        return workers

    def _check_function(self, reference: str, paths: list[str]) -> None:
        """Load the function on one worker before submitting (once per function and executor)."""
        from packagers.runner._dask_worker import check_function

        if reference in self._checked:
            return
        client = self.client
        worker = next(iter(self._workers()))
        problem = client.run(check_function, reference, paths, workers=[worker])[worker]
        if problem is not None:
            raise ExecutorError(
                f"{reference!r} does not load on the Dask worker {worker}: {problem}; install "
                "the module on the workers (the same packages as here), or make it importable"
            )
        self._checked.add(reference)


class DaskRun(RunHandle):
    """A job on a Dask cluster: a future for its envelope, retried when its worker is lost."""

    def __init__(
        self, job: RunJob, executor: DaskExecutor, envelope: dict[str, Any], future: Future[Any]
    ) -> None:
        self._job = job
        self._executor = executor
        self._envelope = envelope
        self._record = open_record(job, executor.name)
        self._record.state = PENDING
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
                    self._stop(TIMEOUT)
                elif deadline is not None and time.monotonic() >= deadline:
                    raise RunTimeoutError(f"run {self.id} did not end within {timeout} s") from None
                continue
            self.settle(outcome)
        return self._final

    def cancel(self) -> bool:
        if self.record.state in FINAL_STATES:
            return False
        self._stop(CANCELLED)
        return self._final is not None and self._final.state == CANCELLED

    def _submit(self) -> Future[Any]:
        from packagers.runner._dask_worker import run_task

        text, key = _task(self._envelope)
        return self._executor.client.submit(run_task, text, key=key, pure=False)

    def _past_timeout(self) -> bool:
        limit = self._job.timeout
        return (
            limit is not None and time.perf_counter() - self._start > limit + self._executor.grace
        )

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
                self._record.state, self._record.error = ERROR, reply["error"]
                self._close()

    def _stop(self, state: str) -> None:
        """Ask the run to stop; past the grace period, restart the worker that still runs it."""
        from packagers.runner._dask_worker import is_running, request_stop, restart_worker

        client = self._executor.client
        # A worker that does not answer is skipped: it cannot be running the task either.
        running = client.run(request_stop, self.id, state, on_error="ignore")
        settled, outcome = _outcome(self.future, self._executor.grace)
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


#: Seconds to wait for a worker when the cluster has none.
_WORKER_PATIENCE = 30.0
#: Seconds the answer to "are all workers on this host?" is reused for.
_WORKERS_TTL = 5.0
#: How often a waiting handle checks a run's timeout (seconds).
_POLL = 0.2


class _ClusterWindow(RunWindow):
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


def _task(envelope: dict[str, Any]) -> tuple[str, str]:
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


def _client_for(address: str) -> Client:
    from distributed import Client

    with _lock:
        client = _clients.get(address)
        if client is None or client.status in ("closed", "closing"):
            try:
                client = Client(address, set_as_default=False, timeout=30)
            except OSError as error:
                raise ExecutorError(
                    f"cannot reach the Dask scheduler at {address}: {error}"
                ) from error
            _clients[address] = client
        return client


def local_cluster_client() -> Client:
    """The client of this process's on-demand LocalCluster (worker processes on 127.0.0.1).

    A worker lost mid-task fails the task at once (``allowed-failures`` 0), so that packagers,
    not the scheduler, retries it and keeps the attempt in the record.
    """
    import dask
    from distributed import Client, LocalCluster

    with _lock:
        client = _clients.get("local")
        if client is None or client.status in ("closed", "closing"):
            with dask.config.set({"distributed.scheduler.allowed-failures": 0}):
                cluster = LocalCluster(
                    processes=True,
                    threads_per_worker=1,
                    host="127.0.0.1",
                    dashboard_address=None,
                )
            client = _clients["local"] = Client(cluster, set_as_default=False)
        return client
