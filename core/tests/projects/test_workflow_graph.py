"""A workflow's graph: read from the project file or beside it, checked, ordered, selected."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from packagers.projects import load
from packagers.projects.errors import WorkflowError
from packagers.projects.workflow_graph import read_workflow, select_steps

_ENTRY_POINTS = """\
name: flow
entry_points:
  prep:
    command: "echo {rows}"
    parameters: {rows: {type: int, default: 3}}
  train:
    command: "echo {data}"
    parameters: {data: string}
  echo:
    command: "echo {word}"
    parameters: {word: string}
"""

_CHAIN = """\
workflow:
  steps:
    prep: {}
    train: {params: {data: "{steps.prep.outputs.stdout}"}}
    report: {entry_point: echo, params: {word: w}, after: [train]}
    other: {entry_point: echo, params: {word: o}}
"""

MakeProject = Callable[..., Path]


def _flow(make_project: MakeProject, workflow: str) -> Path:
    return make_project(MLproject=_ENTRY_POINTS + workflow + "\n")


@pytest.mark.parametrize(
    ("workflow", "message"),
    [
        (
            "workflow: {steps: {train: {params: {data: '{steps.prep.outputs.data}'}}}}",
            r"step 'train' refers to step 'prep', which does not exist; steps: train",
        ),
        ("workflow: {steps: {fit: {entry_point: fit}}}", r"step 'fit': .*no entry point 'fit'"),
        (
            "workflow: {steps: {a: {entry_point: echo, after: [b]}, "
            "b: {entry_point: echo, after: [a]}}}",
            r"the steps form a cycle: a -> b -> a",
        ),
        (
            "workflow: {steps: {prep: {params: {rows: '{steps.prep.outputs.data}'}}}}",
            r"cycle: prep -> prep",
        ),
        ("workflow: {steps: {prep: {param: {rows: 1}}}}", r"unknown key\(s\) 'param'"),
        ("workflow: {steps: {'a b': {entry_point: echo}}}", r"a step name has only letters"),
        ("workflow: {prep: {}}", r"a workflow is a mapping with one key"),
        ("workflow: {steps: {}}", r"the workflow has no steps"),
    ],
)
def test_a_bad_graph_is_an_error(make_project: MakeProject, workflow: str, message: str) -> None:
    with pytest.raises(WorkflowError, match=message):
        read_workflow(load(_flow(make_project, workflow)))


def test_a_project_without_a_workflow_says_how_to_add_one(make_project: MakeProject) -> None:
    with pytest.raises(WorkflowError, match="no workflow: add a 'workflow:' entry"):
        read_workflow(load(_flow(make_project, "")))


def test_a_workflow_file_beside_the_project_file_is_read(make_project: MakeProject) -> None:
    root = _flow(make_project, "")
    (root / "workflow.yaml").write_text("steps: {prep: {params: {rows: 4}}}\n")
    workflow = read_workflow(load(root))
    assert workflow.source == str(root / "workflow.yaml")
    assert [(s.name, dict(s.params)) for s in workflow.steps] == [("prep", {"rows": 4})]


def test_steps_run_in_dependency_order(make_project: MakeProject) -> None:
    workflow = """\
workflow:
  steps:
    last: {entry_point: echo, params: {word: "{steps.first.outputs.stdout}"}}
    middle: {entry_point: echo, params: {word: m}, after: [first]}
    first: {entry_point: echo, params: {word: f}}
"""
    steps = read_workflow(load(_flow(make_project, workflow))).steps
    assert [s.name for s in steps] == ["first", "last", "middle"]
    assert {s.name: s.needs for s in steps} == {
        "first": (),
        "last": ("first",),
        "middle": ("first",),
    }


@pytest.mark.parametrize(
    ("start", "stop", "selected"),
    [
        (None, None, ["prep", "train", "report", "other"]),
        ("train", None, ["train", "report"]),
        (None, "train", ["prep", "train"]),
        ("train", "train", ["train"]),
    ],
)
def test_from_and_until_select_what_leads_from_and_to_a_step(
    make_project: MakeProject, start: str | None, stop: str | None, selected: list[str]
) -> None:
    workflow = read_workflow(load(_flow(make_project, _CHAIN)))
    assert select_steps(workflow, start, stop) == selected


def test_from_after_until_selects_nothing_and_says_so(make_project: MakeProject) -> None:
    workflow = read_workflow(load(_flow(make_project, _CHAIN)))
    with pytest.raises(WorkflowError, match=r"no step is both at or after 'report'"):
        select_steps(workflow, "report", "prep")
    with pytest.raises(WorkflowError, match=r"no step 'nope'"):
        select_steps(workflow, "nope", None)
