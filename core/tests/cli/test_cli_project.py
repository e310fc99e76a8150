"""``packagers project run|show|validate``: output, exit codes and one-line errors."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from packagers.store import Store

if TYPE_CHECKING:
    from conftest import Cli

_PROJECT = """\
name: demo
entry_points:
  main:
    parameters:
      alpha: {type: float, default: 0.1}
      words: string
    command: "echo alpha={alpha} words={words}"
  fail:
    command: "exit 4"
  sleep:
    command: "sleep 0.5"
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "demo"
    root.mkdir()
    (root / "MLproject").write_text(_PROJECT)
    return root


def test_run_prints_the_record_and_exits_0(cli: Cli, project: Path, store_url: str) -> None:
    result = cli(
        "project",
        "run",
        str(project),
        "-P",
        "alpha=0.5",
        "-P",
        "words=a b",
        "--store",
        store_url,
        "--json",
    )
    assert result.code == 0, result.err
    record = result.json()  # the run's own output went to stderr
    assert "alpha=0.5 words=a b" in result.err
    assert record["state"] == "completed"
    assert record["params"] == {"alpha": 0.5, "words": "a b"}
    assert record["project_run"]["command"] == "echo alpha=0.5 words='a b'"


def test_a_failed_run_exits_1_with_one_line(cli: Cli, project: Path, store_url: str) -> None:
    result = cli("project", "run", str(project), "-e", "fail", "--store", store_url)
    assert result.code == 1
    assert "state error: the command exited with code 4" in result.err
    assert "exit code    4" in result.out


def test_a_bad_parameter_exits_3_before_any_record(cli: Cli, project: Path, store_url: str) -> None:
    result = cli("project", "run", str(project), "-P", "alpha=x", "--store", store_url)
    assert result.code == 3
    assert result.err.startswith("error: entry point 'main' of project 'demo': 2 parameter")
    assert Store(store_url).list_runs() == []


def test_an_unknown_entry_point_exits_3(cli: Cli, project: Path, store_url: str) -> None:
    result = cli("project", "run", str(project), "-e", "nope", "--store", store_url)
    assert result.code == 3
    assert "has no entry point 'nope'" in result.err


def test_show_lists_entry_points_parameters_and_environment(cli: Cli, project: Path) -> None:
    result = cli("project", "show", str(project))
    assert result.code == 0
    assert "entry point main" in result.out
    assert "alpha  float = 0.1" in result.out
    assert "none (runs in this Python)" in result.out
    data = cli("project", "show", str(project), "--json").json()
    assert data["entry_points"]["main"]["parameters"]["words"] == {
        "type": "string",
        "default": None,
    }


def test_validate_checks_the_file_and_parameters(cli: Cli, project: Path, store_url: str) -> None:
    assert cli("project", "validate", str(project)).code == 0
    checked = cli(
        "project",
        "validate",
        str(project),
        "-e",
        "main",
        "-P",
        "words=hi",
        "--store",
        store_url,
        "--json",
    ).json()
    assert checked["command"] == "echo alpha=0.1 words=hi" and checked["result"] == "ok"
    (project / "MLproject").write_text("entry_points:\n  main:\n    command: echo {x}\n")
    result = cli("project", "validate", str(project))
    assert result.code == 3
    assert "line 3: entry_points.main.command: the command has the placeholder {x}" in result.err


@pytest.mark.slow
def test_detach_returns_at_once_and_the_run_ends_recorded(
    cli: Cli, project: Path, store_url: str
) -> None:
    result = cli("project", "run", str(project), "-e", "sleep", "--store", store_url, "--json")
    assert result.code == 0
    result = cli(
        "project", "run", str(project), "-e", "sleep", "--store", store_url, "--detach", "--json"
    )
    assert result.code == 0, result.err
    run_id = result.json()["run"]
    deadline = time.monotonic() + 30
    state = None
    while time.monotonic() < deadline:
        try:
            state = Store(store_url).get_run(run_id)["state"]
        except Exception:
            state = None
        if state == "completed":
            break
        time.sleep(0.1)
    assert state == "completed"
