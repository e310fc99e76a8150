"""Settings a local run follows: which worker logs (rank variables), and the store."""

from __future__ import annotations

from types import ModuleType

import pytest

from packagers import config
from packagers.runner import RunError, run
from packagers.store import get_store


@pytest.mark.parametrize(
    ("environment", "logging_worker", "logged"),
    [
        ({}, 0, True),
        ({"RANK": "1"}, 0, False),
        ({"RANK": "1"}, 1, True),
        ({"OMPI_COMM_WORLD_RANK": "2"}, 0, False),
        ({"PMI_RANK": "0"}, 0, True),
        ({"RANK": "3", "PMI_RANK": "0"}, 0, False),  # the first variable set wins
    ],
)
def test_only_the_logging_worker_logs(
    samples: ModuleType,
    store_url: str,
    monkeypatch: pytest.MonkeyPatch,
    environment: dict[str, str],
    logging_worker: int,
    logged: bool,
) -> None:
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    with config.override(logging_worker=logging_worker):
        record = run(samples.decorated, params={"n": 1}, store=store_url)
    assert record.state == "completed"
    assert record.logged is logged
    assert bool(record.artifacts) is logged and bool(record.results) is logged
    saved = [r["id"] for r in get_store(store_url).list_runs(project=record.project)]
    assert saved == ([record.id] if logged else [])


@pytest.mark.parametrize(
    ("variable", "value", "problem"),
    [
        ("RANK", "first", "RANK='first' is not an integer"),
        ("RANK", "-1", "RANK='-1' is negative"),
        ("OMPI_COMM_WORLD_RANK", "-2", "OMPI_COMM_WORLD_RANK='-2' is negative"),
    ],
)
def test_a_bad_rank_variable(
    samples: ModuleType,
    store_url: str,
    monkeypatch: pytest.MonkeyPatch,
    variable: str,
    value: str,
    problem: str,
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(RunError, match=problem):
        run(samples.add, params={"a": 1}, store=store_url)


def test_store_from_settings(samples: ModuleType, store_url: str) -> None:
    with config.override(store__url=store_url, project="from-settings"):
        record = run(samples.add, params={"a": 1}, returns=["sum : result"])
    assert record.project == "from-settings"
    assert [r["id"] for r in get_store(store_url).list_runs(project="from-settings")] == [record.id]
