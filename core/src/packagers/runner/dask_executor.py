"""``executor="dask"``: runs on a ``dask.distributed`` cluster (the optional ``packagers[dask]``).

Each task carries only the job's envelope (JSON, no credentials: workers take those from their
own environment) and returns the run record; data goes through the shared store by URI. The
cluster is the client given, else the scheduler at the ``dask.address`` setting, else a
``LocalCluster`` of worker processes on 127.0.0.1 started on first use. ``distributed`` is
imported when the executor is first built, never by ``import packagers``.
"""

from __future__ import annotations

import time
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from packagers.runner.dask_cluster import client_for, local_cluster_client, on_this_host
from packagers.runner.dask_run import ClusterWindow, DaskRun, task_arguments
from packagers.runner.envelope import envelope_size, job_envelope
from packagers.runner.errors import ExecutorError, RunArgumentError
from packagers.runner.executors import Executor, RunWindow
from packagers.runner.record import new_run_id

if TYPE_CHECKING:
    from distributed import Client

    from packagers.runner.handle import RunHandle
    from packagers.runner.job import RunJob
    from packagers.runner.record import RunRecord

__all__ = ["DaskExecutor"]

#: Seconds to wait for a worker when the cluster has none.
_WORKER_PATIENCE = 30.0
#: Seconds the answer to "are all workers on this host?" is reused for.
_WORKERS_TTL = 5.0


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
            self._client = client_for(address) if address else local_cluster_client()
        return self._client

    def execute(self, job: RunJob) -> RunRecord:
        return self.submit(job).wait()

    def default_window(self) -> int:
        """Eight tasks per worker thread (at least 32): every worker busy, more queued behind."""
        workers = self.client.scheduler_info()["workers"].values()
        threads = sum(int(worker.get("nthreads", 1)) for worker in workers)
        return max(32, 8 * threads)

    def window(self) -> RunWindow:
        return ClusterWindow(self.client)

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
        tasks = [task_arguments(envelope) for envelope in envelopes]
        futures = self.client.map(
            run_task, [text for text, _ in tasks], key=[key for _, key in tasks], pure=False
        )
        return [
            DaskRun(job, envelope, future, client=self.client, executor=self.name, grace=self.grace)
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
            self._local = (now, on_this_host(self._workers()))
        return self._local[1]

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
