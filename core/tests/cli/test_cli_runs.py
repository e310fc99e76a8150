"""``packagers runs ls|show``: run records as tables, fields and JSON."""

from __future__ import annotations

import os
from types import ModuleType
from typing import TYPE_CHECKING

import pytest

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


def _ran(samples: ModuleType, store_url: str, a: int, **options: object) -> str:
    record = run(samples.add, params={"a": a}, returns=["total"], store=store_url, **options)  # type: ignore[arg-type]
    return record.id


def test_cli_runs_ls_filters(cli: Cli, samples: ModuleType, store_url: str) -> None:
    nightly = _ran(samples, store_url, 1, name="nightly", labels={"team": "vision"})
    other = _ran(samples, store_url, 2, labels={"team": "nlp"})
    elsewhere = _ran(samples, store_url, 3, project="p2")

    def ids(*argv: str) -> list[str]:
        result = cli("runs", "ls", *argv, "--store", store_url, "--json")
        assert result.code == 0, result.err
        return [record["id"] for record in result.json()]

    assert ids("--name", "nightly") == [nightly]
    assert ids("--label", "team=nlp") == [other]
    assert ids("--state", "completed") == [other, nightly]
    assert ids("--limit", "1") == [other]
    assert ids("--since", "1h") == [other, nightly]
    assert ids("--since", "2999-01-01") == []
    assert ids("--all-projects") == [elsewhere, other, nightly]
    bad = cli("runs", "ls", "--since", "yesterday", "--store", store_url)
    assert bad.code == 3 and "--since 'yesterday'" in bad.err
    typo = cli("runs", "ls", "--state", "runing", "--store", store_url)
    assert typo.code == 2 and "'running'" in typo.err  # not an empty listing


def test_cli_runs_show_by_prefix_with_timings_and_versions(
    cli: Cli, samples: ModuleType, store_url: str
) -> None:
    run_id = _ran(samples, store_url, 1)
    shown = cli("runs", "show", run_id[:-4], "--store", store_url)
    assert shown.code == 0, shown.err
    assert run_id in shown.out
    for field in ("timings:", "python ", "plugins"):
        assert field in shown.out
    second = _ran(samples, store_url, 2)
    common = run_id[: next(i for i, c in enumerate(run_id) if second[i] != c)]
    ambiguous = cli("runs", "show", common, "--store", store_url)
    assert ambiguous.code == 3 and run_id in ambiguous.err and second in ambiguous.err


def test_cli_runs_compare_shows_what_differs(cli: Cli, samples: ModuleType, store_url: str) -> None:
    first = run(samples.add, params={"a": 1, "b": 5}, returns=["total"], store=store_url)
    second = run(samples.add, params={"a": 2, "b": 5}, returns=["total"], store=store_url)
    result = cli("runs", "compare", first.id, second.id, "--store", store_url, "--json")
    assert result.code == 0, result.err
    assert result.json()["params"] == {"a": [1, 2]}
    assert result.json()["results"] == {"total": [6, 7]}
    everything = cli("runs", "compare", first.id, second.id, "--all", "--store", store_url)
    assert "param: b" in everything.out and "param: a" in everything.out


def test_cli_runs_rm(cli: Cli, samples: ModuleType, store_url: str) -> None:
    run_id = _ran(samples, store_url, 1)
    result = cli("runs", "rm", run_id, "--yes", "--store", store_url)
    assert result.code == 0, result.err
    assert cli("runs", "show", run_id, "--store", store_url).code == 3
    assert cli("runs", "ls", "--store", store_url, "--json").json() == []


def test_cli_projects(cli: Cli, samples: ModuleType, store_url: str) -> None:
    _ran(samples, store_url, 1)
    _ran(samples, store_url, 2, project="p2")
    result = cli("projects", "--store", store_url, "--json")
    assert result.code == 0, result.err
    assert [(row["project"], row["runs"]) for row in result.json()] == [("default", 1), ("p2", 1)]


def test_cli_runs_show_prints_a_list_result_as_json(
    cli: Cli, samples: ModuleType, store_url: str
) -> None:
    record = run("cli_samples:pair", params={"a": 1}, returns=["xs"], store=store_url)
    result = cli("runs", "show", record.id, "--store", store_url)
    assert result.code == 0, result.err
    assert any(line.split() == ["xs", "[1,", "2]"] for line in result.out.splitlines())


def test_cli_runs_ls_keeps_ids_whole_in_a_narrow_terminal(
    cli: Cli, samples: ModuleType, store_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The id is what `runs show` needs: other columns give way, the id is never cut."""
    run_id = _ran(samples, store_url, 1, name="a-rather-long-run-name", labels={"k": "v"})
    monkeypatch.setenv("COLUMNS", "80")
    table = cli("runs", "ls", "--store", store_url)
    assert run_id in table.out and "…" in table.out
