"""Planning a project run: everything checked and rendered, nothing built or recorded."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from packagers.projects import ProjectParameterError, load
from packagers.projects.planning import plan_run
from packagers.store import Store

_PROJECT = """\
name: demo
entry_points:
  main:
    parameters: {alpha: {type: float, default: 0.1}}
    command: "echo alpha={alpha}"
  train:
    handler: train.py:fit
    parameters: {numbers: store, epochs: {type: int, default: 2}}
    returns: ["accuracy"]
"""

_TRAIN = """\
def fit(numbers: list, epochs: int, scale: float = 1.0):
    return sum(numbers) * epochs * scale
"""


@pytest.fixture
def project(make_project: Callable[..., Path]) -> Path:
    return make_project("demo", MLproject=_PROJECT, **{"train.py": _TRAIN})


def test_a_command_plan_is_rendered_and_typed_and_records_nothing(
    project: Path, store_url: str
) -> None:
    plan = plan_run(load(project), "main", {"alpha": "0.5"}, store=store_url)
    assert plan.command == "echo alpha=0.5"
    assert plan.request is None
    assert plan.params == {"alpha": 0.5}
    assert plan.details["entry_point"] == "main" and plan.details["command"] == plan.command
    assert Store(store_url).list_runs() == []


def test_a_handler_plan_is_a_worker_request_for_its_function(project: Path, store_url: str) -> None:
    from packagers.api import log

    uri = log([1, 2, 3], "numbers : object", store=store_url).uri
    params = {"numbers": "store://numbers", "scale": "2"}
    plan = plan_run(load(project), "train", params, store=store_url)
    assert plan.command is None and plan.request is not None
    assert plan.request["function"] == plan.details["handler"] == f"{project / 'train.py'}:fit"
    assert plan.request["params"] == {"epochs": 2, "scale": 2.0}  # typed by the signature
    assert plan.inputs["numbers"]["resolved"] == uri
    assert plan.request["sys_path"] == [str(project)]


def test_handler_parameters_are_checked_against_its_signature(
    project: Path, store_url: str
) -> None:
    loaded = load(project)
    with pytest.raises(ProjectParameterError, match=r"fit\(\) has no parameter 'lr'"):
        plan_run(loaded, "train", {"numbers": "store://x", "lr": "1"}, store=store_url)
    with pytest.raises(ProjectParameterError, match=r"'scale' \(float\) = 'big' is not a number"):
        plan_run(loaded, "train", {"numbers": "store://x", "scale": "big"}, store=store_url)
