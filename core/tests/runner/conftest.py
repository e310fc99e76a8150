"""Run test fixtures: a store in ``tmp_path``, the sample functions, a rank-free environment, and
one Dask LocalCluster for the whole session."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from packagers.runner.rank import RANK_VARIABLES

_HERE = Path(__file__).resolve().parent


@pytest.fixture(autouse=True)
def _no_launcher_rank(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests decide the rank themselves, whatever launched pytest."""
    for name in RANK_VARIABLES:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def store_url(tmp_path: Path) -> str:
    return str(tmp_path / "store")


@pytest.fixture
def samples(monkeypatch: pytest.MonkeyPatch) -> Iterator[ModuleType]:
    """The ``run_samples`` module, importable by name here and in worker processes."""
    monkeypatch.syspath_prepend(str(_HERE))
    import run_samples

    yield run_samples
    sys.modules.pop("run_samples", None)


@pytest.fixture(scope="session")
def dask_client() -> Iterator[Any]:
    """Two worker processes of one thread on 127.0.0.1, shared by every test of the session.

    Workers import the test modules by name (this directory is on their path) and take S3
    credentials from their environment, as real workers do; a lost worker fails its task at once
    so that packagers' retries are what is tested.
    """
    pytest.importorskip("distributed")
    import dask
    from distributed import Client, LocalCluster

    if str(_HERE) not in sys.path:
        sys.path.insert(0, str(_HERE))
    credentials = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}
    with dask.config.set({"distributed.scheduler.allowed-failures": 0}):
        cluster = LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
            env=credentials,
        )
    client = Client(cluster, set_as_default=False)
    yield client
    client.close()
    cluster.close()
