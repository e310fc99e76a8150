"""``run`` and ``submit``: prepare a job from the user's arguments and hand it to an executor.

The entry points of :mod:`packagers.runner` (``packagers.run`` and ``packagers.submit``); what a
job is and how its arguments are checked lives in :mod:`packagers.runner.job`, where it runs in
:mod:`packagers.runner.executors`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from packagers.runner.checks import run_identity
from packagers.runner.executors import get_executor
from packagers.runner.job import prepare_job, retry_policy

if TYPE_CHECKING:
    from packagers.runner.executors import Executor
    from packagers.runner.handle import RunHandle
    from packagers.runner.handler import Hints
    from packagers.runner.inputs import InputValue
    from packagers.runner.record import RunRecord
    from packagers.store import Store

__all__ = ["run", "submit"]


def run(
    fn: Callable[..., Any] | str,
    *,
    inputs: dict[str, InputValue] | None = None,
    params: dict[str, Any] | None = None,
    returns: Hints | None = None,
    project: str | None = None,
    store: Store | str | None = None,
    executor: str | Executor = "local",
    executor_options: dict[str, Any] | None = None,
    retries: int = 0,
    retry_on: Iterable[type[BaseException] | str] = (),
    timeout: float | None = None,
    progress: Callable[[str, int, int], None] | None = None,
    name: str | None = None,
    labels: Mapping[str, str] | None = None,
) -> RunRecord:
    """Run ``fn`` with typed inputs, log what it returns, and return the run record.

    ``inputs`` are store URIs, local paths or fsspec URLs, unpacked by the parameters' type
    hints; ``params`` are passed as they are; ``returns`` are log hints (by default those of
    ``@handler``). A function that raises gives a record in state ``error``; bad arguments raise
    a :class:`~packagers.runner.RunError`. ``progress(key, done, total)`` is called while the
    outputs of an in-process run stream into the store (for progress bars). ``name`` (default:
    the function's name) and ``labels`` (``{"team": "vision"}``) are recorded to find the run by.

    The same as ``submit(...).wait()``; see :func:`submit` for the other arguments.
    """
    return submit(
        fn,
        inputs=inputs,
        params=params,
        returns=returns,
        project=project,
        store=store,
        executor=executor,
        executor_options=executor_options,
        retries=retries,
        retry_on=retry_on,
        timeout=timeout,
        progress=progress,
        name=name,
        labels=labels,
    ).wait()


def submit(
    fn: Callable[..., Any] | str,
    *,
    inputs: dict[str, InputValue] | None = None,
    params: dict[str, Any] | None = None,
    returns: Hints | None = None,
    project: str | None = None,
    store: Store | str | None = None,
    executor: str | Executor = "local",
    executor_options: dict[str, Any] | None = None,
    retries: int = 0,
    retry_on: Iterable[type[BaseException] | str] = (),
    timeout: float | None = None,
    progress: Callable[[str, int, int], None] | None = None,
    name: str | None = None,
    labels: Mapping[str, str] | None = None,
) -> RunHandle:
    """Start a run as :func:`run` would and return its handle without waiting for it.

    ``executor`` is a registered name (``local``, ``process``, ``dask``...) built with
    ``executor_options`` (the ``dask`` executor's ``client``, ``address``, ``shared_path``),
    or an executor instance. A failure is tried again up to ``retries`` times when it is not
    the function's own answer (a lost worker, a store I/O error) or its type is in
    ``retry_on``; ``timeout`` seconds end the run in state ``timeout``.
    """
    runner = get_executor(executor, **(executor_options or {}))
    job = prepare_job(fn, inputs, params, returns, project, store)
    job.progress = progress
    job.record_fields.update(run_identity(name, labels))
    job.retries, job.retry_on, job.timeout = retry_policy(retries, retry_on, timeout)
    return runner.submit(job)
