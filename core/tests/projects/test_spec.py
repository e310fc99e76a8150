"""Projects: found in a directory whatever the file's letter case, or made of its scripts."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from packagers.projects import EntryPointNotFoundError, load

MakeProject = Callable[..., Path]

_MAIN = """\
entry_points:
  main:
    command: "python train.py"
"""


def test_the_file_is_found_whatever_its_letter_case(make_project: MakeProject) -> None:
    root = make_project(mlProject=_MAIN)
    project = load(root)
    assert project.file == root / "mlProject"
    assert "main" in project.entry_points


def test_a_directory_without_a_file_runs_its_scripts(make_project: MakeProject) -> None:
    root = make_project(**{"train.py": "", "prep.sh": "", "notes.txt": "", "src/eval.py": ""})
    project = load(root)
    assert project.file is None and project.name == root.name
    assert project.scripts() == ["prep.sh", "train.py"]
    assert project.entry_point("train.py").command == "python train.py"
    assert project.entry_point("prep.sh").command == "bash prep.sh"
    assert project.entry_point("src/eval.py").command == "python src/eval.py"
    with pytest.raises(EntryPointNotFoundError, match="'main'.*prep.sh, train.py"):
        project.entry_point("main")
    with pytest.raises(EntryPointNotFoundError, match="'../x.py'"):
        project.entry_point("../x.py")


def test_an_environment_file_is_picked_up_when_none_is_named(make_project: MakeProject) -> None:
    plain = load(make_project(**{"train.py": "", "conda.yaml": "", "python_env.yaml": ""}))
    assert plain.environment is not None and plain.environment.kind == "python_env"
    declared = load(make_project(MLproject=_MAIN, **{"conda.yaml": ""}))
    assert declared.environment is not None and declared.environment.kind == "conda_env"
    assert load(make_project(MLproject=_MAIN)).environment is None
