"""``packagers runs ls|show``: run records as tables, fields and JSON."""

from __future__ import annotations

import os
from types import ModuleType
from typing import TYPE_CHECKING

from packagers.runner import run

if TYPE_CHECKING:
    from conftest import Cli


def test_cli_runs_ls_and_show(cli: Cli, samples: ModuleType, store_url: str) -> None:
    first = run(samples.add, params={"a": 1}, returns=["total : result"], store=store_url)
    second = run(samples.fails, params={"n": 2}, project="p2", store=store_url)

    default = cli("runs", "ls", "--store", store_url, "--json")
    assert default.code == 0
    assert [record["id"] for record in default.json()] == [first.id]
    other = cli("runs", "ls", "--project", "p2", "--store", store_url, "--json").json()
    assert [record["id"] for record in other] == [second.id]

    table = cli("runs", "ls", "--store", store_url)
    assert table.out.splitlines()[0].split() == [
        "ID",
        "NAME",
        "PROJECT",
        "STATE",
        "STARTED",
        "DURATION",
        "OUTPUTS",
        "CHILDREN",
    ]
    assert any(first.id in line and "completed" in line for line in table.out.splitlines())

    shown = cli("runs", "show", first.id, "--store", store_url, "--json")
    assert shown.code == 0
    assert shown.json()["results"] == {"total": 3}
    failed = cli("runs", "show", second.id, "--project", "p2", "--store", store_url)
    assert failed.code == 0
    assert "ValueError: bad n 2" in failed.out


def test_cli_runs_empty_store(cli: Cli, store_url: str) -> None:
    os.makedirs(store_url)  # a store nothing was logged to yet
    result = cli("runs", "ls", "--store", store_url)
    assert (result.code, result.out) == (0, "no runs\n")
    assert cli("runs", "ls", "--store", store_url, "--json").json() == []


def test_cli_runs_show_an_unknown_run_exits_3(cli: Cli, store_url: str) -> None:
    result = cli("runs", "show", "20990101T000000000000Z-deadbeef", "--store", store_url)
    assert result.code == 3
    assert result.err.startswith("error: ")
    assert result.err.count("\n") == 1
