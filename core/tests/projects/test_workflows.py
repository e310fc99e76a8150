"""Workflows: steps are child runs fed by earlier steps, unchanged steps are reused."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import pytest

from packagers import config
from packagers.projects.errors import WorkflowError
from packagers.projects.workflows import run_workflow
from packagers.store import get_store

STEPS = """
from __future__ import annotations


def prepare(rows: int = 3) -> dict:
    return {"x": list(range(rows))}


def train(data: dict, scale: float = 1.0) -> float:
    return scale * sum(data["x"])


def broken(data: dict) -> float:
    raise RuntimeError("no luck")
"""

ENTRY_POINTS = """
name: flow
entry_points:
  prep:
    handler: steps.py:prepare
    parameters: {rows: {type: int, default: 3}}
    returns: ["data : file"]
  train:
    handler: steps.py:train
    parameters: {data: store, scale: {type: float, default: 1.0}}
    returns: ["total"]
  broken:
    handler: steps.py:broken
    parameters: {data: store}
  echo:
    command: "echo {word}"
    parameters: {word: string}
"""

TWO_STEPS = """
workflow:
  steps:
    prep:
      params: {rows: 4}
    train:
      params: {data: "{steps.prep.outputs.data}", scale: 0.5}
"""


def _project(root: Path, workflow: str = TWO_STEPS) -> Path:
    root.mkdir(exist_ok=True)
    (root / "steps.py").write_text(STEPS)
    (root / "MLproject").write_text(ENTRY_POINTS + textwrap.dedent(workflow))
    return root


@pytest.fixture
def store_dir(tmp_path: Path) -> Path:
    config.store.url = str(tmp_path / "store")
    return tmp_path / "store"


def _steps(record: Any) -> dict[str, dict[str, Any]]:
    return record.project_run["workflow"]["steps"]  # type: ignore[no-any-return]


def _children(record: Any) -> list[dict[str, Any]]:
    return [r for r in get_store().list_runs() if r.get("parent_id") == record.id]


def _run(root: Path, **kwargs: Any) -> Any:
    return run_workflow(root, env_manager="local", **kwargs)


def test_a_bad_graph_is_an_error_before_anything_runs(tmp_path: Path, store_dir: Path) -> None:
    root = _project(tmp_path / "p", "workflow: {steps: {fit: {entry_point: fit}}}")
    with pytest.raises(WorkflowError, match=r"step 'fit': .*no entry point 'fit'"):
        _run(root)
    assert not store_dir.exists() or get_store().list_runs() == []


def test_a_workflow_file_beside_the_project_file(tmp_path: Path, store_dir: Path) -> None:
    root = _project(tmp_path / "p", "")
    (root / "workflow.yaml").write_text(textwrap.dedent(TWO_STEPS.split("workflow:\n", 1)[1]))
    record = _run(root)
    assert record.state == "completed", record.error
    assert list(_steps(record)) == ["prep", "train"]


def test_each_step_is_a_child_run_fed_by_the_earlier_step(tmp_path: Path, store_dir: Path) -> None:
    record = _run(_project(tmp_path / "p"))
    assert record.state == "completed", record.error
    children = {child["name"]: child for child in _children(record)}
    assert set(children) == {"prep", "train"}
    data = children["prep"]["artifacts"]["data"]["uri"]
    assert "@" in data  # the exact version, not a tag
    assert children["train"]["inputs"]["data"]["uri"] == data
    assert children["train"]["results"] == {"total": 3.0}  # 0.5 * (0 + 1 + 2 + 3)
    steps = _steps(record)
    assert steps["train"]["run_id"] == children["train"]["id"]
    assert steps["train"]["reused"] is None
    assert get_store().get_run(record.id)["state"] == "completed"


def test_a_rerun_reuses_its_unchanged_steps(tmp_path: Path, store_dir: Path) -> None:
    root = _project(tmp_path / "p")
    first = _run(root)
    again = _run(root)
    assert again.state == "completed", again.error
    assert _children(again) == []  # nothing ran
    assert {name: step["reused"] for name, step in _steps(again).items()} == {
        "prep": "unchanged",
        "train": "unchanged",
    }
    assert _steps(again)["train"]["run_id"] == _steps(first)["train"]["run_id"]
    # a changed parameter of the last step re-runs that step only
    (root / "MLproject").write_text(ENTRY_POINTS + TWO_STEPS.replace("0.5", "2.0"))
    third = _run(root)
    assert [child["name"] for child in _children(third)] == ["train"]
    assert _steps(third)["prep"]["reused"] == "unchanged"
    # changed code re-runs everything
    (root / "steps.py").write_text(STEPS + "\n# changed\n")
    fourth = _run(root)
    assert sorted(child["name"] for child in _children(fourth)) == ["prep", "train"]


def test_from_runs_a_step_with_the_latest_outputs_of_the_steps_before(
    tmp_path: Path, store_dir: Path
) -> None:
    root = _project(tmp_path / "p")
    with pytest.raises(WorkflowError, match="step 'prep' is needed but not run"):
        _run(root, from_step="train")
    first = _run(root)
    (root / "steps.py").write_text(STEPS + "\n# changed\n")  # prep would run again
    partial = _run(root, from_step="train")
    assert [child["name"] for child in _children(partial)] == ["train"]
    assert _steps(partial)["prep"] == {
        "state": "completed",
        "run_id": _steps(first)["prep"]["run_id"],
        "reused": "earlier",
    }


def test_until_stops_after_a_step(tmp_path: Path, store_dir: Path) -> None:
    record = _run(_project(tmp_path / "p"), until_step="prep")
    assert record.state == "completed", record.error
    assert [child["name"] for child in _children(record)] == ["prep"]
    assert list(_steps(record)) == ["prep"]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"from_step": "nope"}, r"no step 'nope'; steps: prep, train"),
        ({"until_step": "nope"}, r"no step 'nope'"),
        ({"from_step": "train", "until_step": "prep"}, r"no step is both at or after 'train'"),
    ],
)
def test_from_and_until_must_name_steps_in_order(
    tmp_path: Path, store_dir: Path, kwargs: dict[str, str], message: str
) -> None:
    with pytest.raises(WorkflowError, match=message):
        _run(_project(tmp_path / "p"), **kwargs)


def test_a_failed_step_ends_the_workflow_with_its_cause(tmp_path: Path, store_dir: Path) -> None:
    workflow = """
    workflow:
      steps:
        prep: {}
        broken: {params: {data: "{steps.prep.outputs.data}"}}
        train: {params: {data: "{steps.prep.outputs.data}"}, after: [broken]}
    """
    record = _run(_project(tmp_path / "p", workflow))
    assert record.state == "error"
    assert "step 'broken' ended error" in record.error["message"]
    assert "no luck" in record.error["message"]
    assert sorted(child["name"] for child in _children(record)) == ["broken", "prep"]
    assert "train" not in _steps(record)


def test_a_missing_output_names_the_outputs_there_are(tmp_path: Path, store_dir: Path) -> None:
    workflow = """
    workflow:
      steps:
        prep: {}
        train: {params: {data: "{steps.prep.outputs.dataset}"}}
    """
    record = _run(_project(tmp_path / "p", workflow))
    assert record.state == "error"
    assert (
        "step 'prep' has no output 'dataset'; its outputs: data, stdout, stderr"
        in (record.error["message"])
    )


def test_the_command_line_runs_a_workflow_and_part_of_it(
    tmp_path: Path, store_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from packagers.cli import main

    root = str(_project(tmp_path / "p"))
    assert main(["project", "run", root, "--workflow", "--env-manager", "local"]) == 0
    assert main(["project", "run", root, "--from", "train", "--env-manager", "local"]) == 0
    out = capsys.readouterr().out
    assert "train  completed" in out
    assert "(reused: earlier)" in out  # prep, on the second run
    assert main(["project", "run", root, "--until", "nope", "--env-manager", "local"]) == 3
    assert "no step 'nope'" in capsys.readouterr().err
    assert main(["project", "run", root, "--workflow", "-P", "x=1"]) == 3
    assert "drop -P and --detach" in capsys.readouterr().err
