"""Dask cases: what ``executor="dask"`` and ``packagers.map`` add to raw ``distributed`` calls.

Both sides share one LocalCluster of two worker processes of one thread on 127.0.0.1, started
by the case's setup (the harness times both sides in one process, on one setup), unless
``MLRUN_PACKAGERS__DASK__ADDRESS`` names a running scheduler. The
store is a local directory (the workers share this host), on tmpfs where there is one, as every
case's temporary files (``harness``): each
child run writes its record, and a disk's file creation would measure the disk, not packagers
(``bench_run`` has the same case on disk and on tmpfs). Skipped without ``distributed``.
"""

from __future__ import annotations

import atexit
import importlib.util
import os
from typing import Any

from benchmarks.harness import Case, scratch_dir


def noop() -> int:
    return 1


def noop_item(x: int) -> int:
    return x


def _setup() -> dict[str, Any]:
    import dask
    from distributed import Client, LocalCluster

    from packagers.runner.dask_executor import DaskExecutor

    # the workers' scratch space and its lock files, removed at exit like every setup directory
    dask.config.set({"temporary-directory": scratch_dir("packagers-bench-dask-workers-")})

    address = os.environ.get("MLRUN_PACKAGERS__DASK__ADDRESS")
    if address:
        client = Client(address, set_as_default=False)
    else:
        cluster = LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
            dashboard_address=None,
        )  # fmt: skip
        client = Client(cluster, set_as_default=False)
        atexit.register(cluster.close)  # before the scratch directory goes (atexit is LIFO)
    return {
        "client": client,
        "executor": DaskExecutor(client=client),
        "store": scratch_dir("packagers-bench-dask-"),
    }


def _run_ours(data: dict[str, Any]) -> None:
    from packagers.runner import run

    record = run(noop, store=data["store"], executor=data["executor"])
    assert record.state == "completed", record.error


def _run_raw(data: dict[str, Any]) -> None:
    assert data["client"].submit(noop, pure=False).result() == 1


def _map_case(items: int) -> tuple[Any, Any]:
    def ours(data: dict[str, Any]) -> None:
        from packagers.runner import map

        parent = map(
            noop_item,
            over={"x": list(range(items))},
            store=data["store"],
            executor=data["executor"],
        )
        assert parent.results["counts"]["completed"] == items, parent.results

    def raw(data: dict[str, Any]) -> None:
        client = data["client"]
        futures = client.map(noop_item, range(items), pure=False)
        assert client.gather(futures) == list(range(items))

    return ours, raw


def cases(quick: bool) -> list[Case]:
    if importlib.util.find_spec("distributed") is None:
        return []
    items = 200 if quick else 1_000
    map_ours, map_raw = _map_case(items)
    return [
        Case(
            name="dask: run no-op, per task",
            setup=_setup,
            ours=_run_ours,
            raw=_run_raw,
            inner=20 if quick else 100,
            repeat=3,
            target=1.0,
            slack_seconds=5e-3,  # at most 5 ms more per task than the raw submit
        ),
        Case(
            name=f"dask: map of {items:,} no-op items",
            setup=_setup,
            ours=map_ours,
            raw=map_raw,
            repeat=5,  # a cluster of two busy workers on two cores: three samples are too few
            target=1.5,
        ),
    ]
