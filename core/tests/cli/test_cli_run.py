"""``packagers run``: functions by reference, inputs, params, log hints, failures and exit codes."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

import pytest

from packagers.cli._run import parse_param
from packagers.store import get_store

if TYPE_CHECKING:
    from conftest import Cli


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("3", 3),
        ("0.5", 0.5),
        ("true", True),
        ("null", None),
        ("[1, 2]", [1, 2]),
        ('{"a": 1}', {"a": 1}),
        ('"3"', "3"),
        ("alice", "alice"),
        ("", ""),
        ("a=b", "a=b"),
    ],
)
def test_cli_param_values_are_json_when_they_parse(text: str, value: object) -> None:
    assert parse_param(text) == value


def test_cli_run_module_function_with_params_and_results(
    cli: Cli, samples: ModuleType, store_url: str
) -> None:
    result = cli(
        "run",
        "cli_samples:add",
        "-p",
        "a=3",
        "-p",
        "b=4",
        "-r",
        "total : result",
        "--store",
        store_url,
    )
    assert result.code == 0, result.err
    assert re.search(r"^state\s+completed$", result.out, re.MULTILINE)
    assert re.search(r"^results:\n  total\s+7$", result.out, re.MULTILINE)
    run_id = re.search(r"^run\s+(\S+)$", result.out, re.MULTILINE).group(1)  # type: ignore[union-attr]
    assert get_store(store_url).get_run(run_id)["results"] == {"total": 7}


def test_cli_run_json_has_the_record(cli: Cli, samples: ModuleType, store_url: str) -> None:
    result = cli(
        "run",
        "cli_samples:greet",
        "-p",
        "name=ada",
        "-p",
        "times=2",
        "-r",
        "text : result",
        "--project",
        "cli",
        "--store",
        store_url,
        "--json",
    )
    assert result.code == 0, result.err
    record = result.json()
    assert record["state"] == "completed"
    assert record["project"] == "cli"
    assert record["params"] == {"name": "ada", "times": 2}
    assert record["results"] == {"text": "hello ada hello ada"}


def test_cli_run_logs_an_artifact_and_prints_its_uri(
    cli: Cli, samples: ModuleType, store_url: str
) -> None:
    result = cli(
        "run",
        "cli_samples:point",
        "-p",
        "x=1.5",
        "-r",
        "point : object",
        "--store",
        store_url,
        "--json",
    )
    assert result.code == 0, result.err
    uri = result.json()["artifacts"]["point"]["uri"]
    assert uri.startswith("store://default/point")
    human = cli("runs", "show", result.json()["id"], "--store", store_url)
    assert uri in human.out


def test_cli_run_a_script_with_an_input(cli: Cli, tmp_path: Path, store_url: str) -> None:
    script = tmp_path / "count.py"
    script.write_text(
        textwrap.dedent(
            """
            from packagers import DataItem

            def count(data: DataItem, suffix: str = "") -> int:
                return len(data.get()) if data.suffix.endswith(suffix) else -1
            """
        )
    )
    data = tmp_path / "data.txt"
    data.write_text("hello")
    result = cli(
        "run",
        f"{script}:count",
        "-i",
        f"data={data}",
        "-p",
        "suffix=.txt",
        "-r",
        "size : result",
        "--store",
        store_url,
        "--json",
    )
    assert result.code == 0, result.err
    record = result.json()
    assert record["results"] == {"size": 5}
    assert record["inputs"]["data"]["uri"] == str(data)


@pytest.mark.slow
def test_cli_run_in_a_fresh_process(cli: Cli, samples: ModuleType, store_url: str) -> None:
    result = cli(
        "run",
        "cli_samples:add",
        "-p",
        "a=1",
        "-r",
        "total : result",
        "--executor",
        "process",
        "--store",
        store_url,
        "--json",
    )
    assert result.code == 0, result.err
    assert result.json()["executor"] == "process"
    assert result.json()["results"] == {"total": 3}


def test_cli_failing_run_exits_1_with_the_error(
    cli: Cli, samples: ModuleType, store_url: str
) -> None:
    result = cli("run", "cli_samples:fails", "-p", "n=4", "--store", store_url)
    assert result.code == 1
    assert re.search(r"^state\s+error$", result.out, re.MULTILINE)
    assert result.err.startswith("error: run ")
    assert "ValueError: bad n 4" in result.err
    assert "Traceback" not in result.err
    debug = cli("run", "cli_samples:fails", "-p", "n=4", "--store", store_url, "--debug")
    assert debug.code == 1
    assert "Traceback (most recent call last)" in debug.err
    assert 'raise ValueError(f"bad n {n}")' in debug.err


def test_cli_failing_run_json_is_still_the_record(
    cli: Cli, samples: ModuleType, store_url: str
) -> None:
    result = cli("run", "cli_samples:fails", "-p", "n=1", "--store", store_url, "--json")
    assert result.code == 1
    record = result.json()
    assert record["state"] == "error"
    assert record["error"]["message"] == "bad n 1"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["run", "no_such_module_here:fn"], "no_such_module_here"),
        (["run", "cli_samples:missing"], "has no attribute"),
        (["run", "cli_samples:add", "-p", "c=1"], "no parameter 'c'"),
        (["run", "cli_samples:add", "-r", "bad hint :"], "bad hint"),
    ],
)
def test_cli_run_bad_arguments_exit_3(
    cli: Cli, samples: ModuleType, store_url: str, argv: list[str], message: str
) -> None:
    result = cli(*argv, "--store", store_url)
    assert result.code == 3
    assert result.err.startswith("error: ")
    assert message in result.err
    assert "Traceback" not in result.err


def test_cli_map_sweeps_a_grid_and_runs_ls_counts_the_children(
    cli: Cli, samples: ModuleType, store_url: str
) -> None:
    result = cli(
        "map", "cli_samples:add", "-o", "a=[1,2,3]", "-o", "b=[10]", "-r", "total",
        "--best", "max:total", "--store", store_url, "--json",
    )  # fmt: skip
    assert result.code == 0, result.err
    parent = result.json()
    assert parent["results"]["counts"] == {"completed": 3, "not_run": 0}
    assert parent["results"]["best"]["total"] == 13
    listing = cli("runs", "ls", "--store", store_url)
    assert re.search(rf"{parent['id']}.*3 completed", listing.out)


def test_cli_address_goes_with_the_dask_executor(
    cli: Cli, samples: ModuleType, store_url: str
) -> None:
    result = cli("run", "cli_samples:add", "-p", "a=1", "--address", "tcp://127.0.0.1:1",
                 "--store", store_url)  # fmt: skip
    assert result.code == 3 and "--address goes with --executor dask" in result.err


def test_cli_takes_a_registered_executor(
    cli: Cli, samples: ModuleType, store_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from packagers.runner import executors

    class InlineExecutor(executors.LocalExecutor):
        """A registered executor of its own (its runs record the name it is registered as)."""

    monkeypatch.setattr(executors, "_registry", dict(executors._registry))
    executors.register_executor("inline", InlineExecutor)
    result = cli(
        "run", "cli_samples:add", "-p", "a=1", "-r", "total : result",
        "--executor", "inline", "--store", store_url, "--json",
    )  # fmt: skip
    assert result.code == 0, result.err
    assert result.json()["executor"] == "inline"


def test_cli_params_are_converted_by_hint_and_recorded_typed(
    cli: Cli, samples: ModuleType, store_url: str
) -> None:
    result = cli(
        "run",
        "cli_samples:greet",
        "-p",
        "name=007",
        "-p",
        "times=2",
        "-r",
        "text",
        "--store",
        store_url,
        "--json",
    )
    assert result.code == 0, result.err
    assert result.json()["params"] == {"name": "007", "times": 2}


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["cli_samples:add", "-p", "a=abc"], "param 'a': the value 'abc' is not an integer"),
        (["cli_samples:add", "-p", "b=1"], "requires 'a'"),
        (["cli_samples:add", "-p", "a=1", "-r", "x", "-r", "x"], "'x' is given twice"),
        (["cli_samples:add", "-p", "a=1", "-r", "rows : reslt"], "did you mean 'result'"),
        (["cli_samples:point", "-i", "x=12"], "no file or directory '12'"),
        (["cli_samples:point", "-i", "x=store://nothing"], "input 'x'"),
    ],
)
def test_cli_a_run_that_cannot_work_is_refused_with_exit_3(
    cli: Cli, samples: ModuleType, store_url: str, argv: list[str], message: str
) -> None:
    result = cli("run", *argv, "--store", store_url)
    assert result.code == 3
    assert message in result.err
    assert get_store(store_url).list_runs() == []


def test_cli_run_name_and_labels(cli: Cli, samples: ModuleType, store_url: str) -> None:
    result = cli(
        "run",
        "cli_samples:add",
        "-p",
        "a=1",
        "-r",
        "s",
        "--name",
        "first",
        "-l",
        "team=vision",
        "--store",
        store_url,
        "--json",
    )
    assert result.code == 0, result.err
    assert (result.json()["name"], result.json()["labels"]) == ("first", {"team": "vision"})


def test_cli_run_prints_a_list_result_as_json(cli: Cli, samples: object, store_url: str) -> None:
    result = cli("run", "cli_samples:pair", "-p", "a=1", "-r", "xs", "--store", store_url)
    assert result.code == 0, result.err
    assert any(line.split() == ["xs", "[1,", "2]"] for line in result.out.splitlines())


def test_cli_run_errors_name_public_classes(cli: Cli, samples: object, store_url: str) -> None:
    result = cli("run", "cli_samples:point", "-p", "x=1", "-r", "p : result", "--store", store_url)
    assert result.code == 1
    assert "packagers.PackingError: the result 'p'" in result.err
    assert "packagers._errors" not in result.err
