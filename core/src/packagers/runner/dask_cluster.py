"""Reaching a Dask cluster: one client per scheduler address and process, the on-demand
``LocalCluster``, and whether the workers run on this host."""

from __future__ import annotations

import contextlib
import threading
from typing import TYPE_CHECKING, Any

from packagers.runner.errors import ExecutorError

if TYPE_CHECKING:
    from distributed import Client

__all__ = ["client_for", "local_cluster_client", "on_this_host"]

_LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})
#: Clients of scheduler addresses, and the on-demand LocalCluster: one each per process.
_clients: dict[str, Client] = {}
_lock = threading.Lock()


def client_for(address: str) -> Client:
    """The client of the scheduler at ``address``, connected once per process."""
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


def on_this_host(workers: dict[str, Any]) -> bool:
    """Whether every worker (the scheduler's ``workers`` table) runs on this host."""
    import socket

    here = set(_LOOPBACK)
    with contextlib.suppress(OSError):
        here.add(socket.gethostbyname(socket.gethostname()))
    return all(info.get("host") in here for info in workers.values())
