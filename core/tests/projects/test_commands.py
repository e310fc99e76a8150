"""Commands: rendered as MLflow renders them (checked against MLflow itself when installed)."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from packagers.projects import load
from packagers.projects.commands import command_problem, render_command
from packagers.projects.planning import plan_run

_FILES = {
    "simple": """\
        entry_points:
          main:
            parameters:
              alpha: {type: float, default: 0.1}
              l1_ratio: {type: float, default: 0.5}
              name: {type: string, default: "two words"}
            command: "python train.py --alpha {alpha} --l1 {l1_ratio} --name {name}"
        """,
    "multiline": """\
        entry_points:
          main:
            parameters:
              data: path
              max_depth: {type: int, default: 3}
              flag: {type: bool, default: true}
              target: uri
            command: |
              python prep.py \\
                --data {data} --depth {max_depth}
              echo {{done}} {flag} {target}
        """,
    "folded": """\
        entry_points:
          main:
            parameters:
              text: string
              n: {type: int, default: 10}
            command: >
              python -c 'import sys; print(sys.argv)'
              {text} {{literal}} {n}
        """,
    "no_parameters": """\
        entry_points:
          main:
            command: "echo {{a}} }}{{"
        """,
}

_PARAMS: list[tuple[str, dict[str, Any]]] = [
    ("simple", {}),
    ("simple", {"alpha": "0.7", "name": 'it\'s "quoted" $HOME `x`'}),
    ("simple", {"alpha": "1e-3", "extra": "a b", "other key": "; rm -rf /"}),
    ("multiline", {"data": "data.csv", "target": "s3://b/k with space"}),
    ("multiline", {"data": "sub dir/data file.csv", "target": "file:///x", "flag": "no"}),
    ("folded", {"text": "a\nb"}),
    ("folded", {"text": "", "n": "7"}),
    ("no_parameters", {"x": "1"}),
]


def _project(make_project: Callable[..., Path], name: str) -> Path:
    return make_project(
        MLproject=_FILES[name],
        **{"data.csv": "x", "sub dir/data file.csv": "x", "train.py": "", "prep.py": ""},
    )


@pytest.mark.parametrize(("name", "params"), _PARAMS)
def test_the_command_is_the_string_mlflow_renders(
    make_project: Callable[..., Path],
    monkeypatch: pytest.MonkeyPatch,
    store_url: str,
    name: str,
    params: dict[str, Any],
) -> None:
    spec = pytest.importorskip("mlflow.projects._project_spec")
    root = _project(make_project, name)
    monkeypatch.chdir(root)  # MLflow makes relative paths absolute against the process's
    ours = plan_run(load(root), "main", params, store=store_url).command
    storage = root.parent / f"storage-{name}"
    storage.mkdir(exist_ok=True)
    theirs = (
        spec.load_project(str(root)).get_entry_point("main").compute_command(params, str(storage))
    )
    assert ours == theirs


@pytest.mark.parametrize("script", ["train.py", "src/run.sh", "with space.py"])
def test_script_entry_points_render_as_mlflow_does(
    make_project: Callable[..., Path], monkeypatch: pytest.MonkeyPatch, store_url: str, script: str
) -> None:
    spec = pytest.importorskip("mlflow.projects._project_spec")
    monkeypatch.setenv("SHELL", "bash")  # MLflow runs .sh with $SHELL; we always use bash
    root = make_project(**{script: ""})
    params = {"lr": "0.1", "name": "x y"}
    ours = plan_run(load(root), script, params, store=store_url).command
    theirs = spec.load_project(str(root)).get_entry_point(script).compute_command(params, None)
    assert ours == theirs


def test_quoted_values_reach_the_program_unchanged(
    make_project: Callable[..., Path], store_url: str
) -> None:
    root = make_project(
        MLproject="""\
        entry_points:
          main:
            parameters: {text: string}
            command: "python -c 'import sys; print(sys.argv[1:])' {text}"
        """
    )
    text = 'it\'s "quoted" $HOME `date` {x} a  b'
    command = plan_run(load(root), "main", {"text": text, "k": "v w"}, store=store_url).command
    assert command is not None
    shown = subprocess.run(
        ["bash", "-c", command],
        capture_output=True,
        text=True,
        check=True,
        cwd=root,
        env={**os.environ, "PATH": os.environ["PATH"]},
    ).stdout
    assert shown.strip() == repr([text, "--k", "v w"])


@pytest.mark.parametrize(
    ("command", "problem"),
    [
        ("echo {}", "empty placeholder"),
        ("echo {0}", "{0}, which names no declared parameter"),
        ("echo {a.b}", "{a.b}, which names no declared parameter"),
        ("echo {unknown}", "{unknown}, which names no declared parameter (declared: a)"),
        ("echo {a", "expected '}' before end of string"),
        ("echo a}", "Single '}' encountered"),
        ("echo {a:{a}}", "nested placeholder"),
    ],
)
def test_bad_placeholders_are_found_before_the_run(command: str, problem: str) -> None:
    found = command_problem(command, ["a"])
    assert found is not None and problem in found


def test_good_placeholders_pass() -> None:
    assert command_problem("echo {a} {{b}} {a!r} {a:>5}", ["a"]) is None
    assert render_command("echo {a} {{b}}", {"a": "x y"}, {"c": 1}) == "echo 'x y' {b} --c 1"
