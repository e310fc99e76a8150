"""Reading project files: the schema, errors that name file, key and line, warnings."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from pathlib import Path

import pytest

from packagers.projects import (
    Parameter,
    ProjectFileError,
    ProjectFileWarning,
    load,
)

MakeProject = Callable[..., Path]

_MAIN = """\
name: demo
entry_points:
  main:
    parameters:
      data_file: path
      regularization: {type: float, default: 0.1}
      epochs:
        type: int
        default: 3
    command: "python train.py -r {regularization} {data_file}"
"""


def test_entry_points_parameters_and_command(make_project: MakeProject) -> None:
    project = load(make_project(MLproject=_MAIN))
    assert project.name == "demo"
    main = project.entry_point("main")
    assert main.command == "python train.py -r {regularization} {data_file}"
    assert main.parameters == {
        "data_file": Parameter("data_file", "path"),
        "regularization": Parameter("regularization", "float", 0.1),
        "epochs": Parameter("epochs", "int", 3),
    }
    assert main.parameters["data_file"].required
    assert project.environment is None


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("", r"MLproject: the file is empty"),
        ("# only a comment\n", r"MLproject: the file is empty"),
        ("- a\n- b\n", r"line 1: must be a mapping, not a list"),
        ("name: [a, b]\n", r"line 1: name: must be a string, not a list"),
        ("entry_points: [main]\n", r"line 1: entry_points: must be a mapping, not a list"),
        (
            "entry_points:\n  main:\n    command: 5\n",
            r"line 3: entry_points\.main\.command: must be a string, not int 5",
        ),
        (
            "entry_points:\n  main:\n    parameters:\n      alpha: {default: 1}\n    command: x\n",
            r"line 4: entry_points\.main\.parameters\.alpha: has no type",
        ),
        (
            "entry_points:\n  main:\n    parameters:\n      alpha: {type: float, default: abc}\n"
            "    command: x\n",
            r"line 4: entry_points\.main\.parameters\.alpha\.default: the default 'abc' is not a "
            r"number \(float\)",
        ),
        (
            "entry_points:\n  main:\n    parameters:\n      alpha: {type: int, default: [1]}\n"
            "    command: x\n",
            r"line 4: .*alpha\.default: must be a single value, not a list",
        ),
        (
            "python_env: env.yaml\nconda_env: conda.yaml\nentry_points: {}\n",
            r"line 2: conda_env: a project declares one environment, and this file also "
            r"declares python_env \(line 1\)",
        ),
        ("python_env: missing.yaml\n", r"line 1: python_env: the file 'missing.yaml' does not"),
        ("python_env: ../outside.yaml\n", r"line 1: python_env: '../outside.yaml' is outside"),
        ("docker_env: {volumes: []}\n", r"line 1: docker_env: has no image"),
        ("entry_points:\n  main: {}\n", r"line 2: entry_points\.main: an entry point has either"),
        (
            "entry_points:\n  main: {command: x, handler: 'm:f'}\n",
            r"line 2: entry_points\.main: an entry point has either",
        ),
        (
            "entry_points:\n  main:\n    command: echo {}\n",
            r"line 3: entry_points\.main\.command: the command has an empty placeholder \{\}",
        ),
        (
            "entry_points:\n  main:\n    command: echo {alpha}\n",
            r"line 3: .*command: the command has the placeholder \{alpha\}, which names no "
            r"declared parameter \(declared: none\)",
        ),
        (
            "entry_points:\n  main:\n    command: 'echo {'\n",
            r"line 3: .*command: the command .*literal braces",
        ),
        (
            "entry_points:\n  main:\n    command: 'echo }'\n",
            r"line 3: .*command: the command Single '\}' encountered",
        ),
        (
            "entry_points:\n  main: {command: x, returns: [a]}\n",
            r"line 2: entry_points\.main\.returns: returns applies to handlers only",
        ),
        (
            "entry_points:\n  main: {handler: 'nowhere.py:f'}\n",
            r"line 2: entry_points\.main\.handler: the script 'nowhere.py' is not a file",
        ),
        (
            "entry_points:\n  main: {handler: 'train'}\n",
            r"line 2: .*handler: 'train' is not 'script.py:function' or 'module:function'",
        ),
        (
            "entry_points:\n  main: {handler: 'm:f', returns: ['a : ']}\n",
            r"line 2: entry_points\.main\.returns: ",
        ),
        ("name: a\nname: b\n", r"line 2: name: is repeated \(first on line 1\)"),
        ("name: [unclosed\n", r"line 2: not valid YAML"),
    ],
)
def test_malformed_files_name_the_file_the_key_and_the_line(
    make_project: MakeProject, text: str, match: str
) -> None:
    root = make_project(MLproject=text, **{"env.yaml": "", "conda.yaml": ""})
    with pytest.raises(ProjectFileError, match=match) as caught:
        load(root)
    assert str(root / "MLproject") in str(caught.value)


def test_doubled_braces_are_literal(make_project: MakeProject) -> None:
    root = make_project(MLproject="entry_points:\n  main:\n    command: 'echo {{x}}'\n")
    assert load(root).entry_point("main").command == "echo {{x}}"


def test_unknown_keys_and_types_are_warnings_naming_them(make_project: MakeProject) -> None:
    root = make_project(
        MLproject="name: p\nartifact_path: x\nentry_points:\n  main:\n    parameters:\n"
        "      n: {type: integer, doc: count}\n    command: echo {n}\n    help: x\n"
    )
    with pytest.warns(ProjectFileWarning) as caught:
        project = load(root)
    messages = [str(w.message) for w in caught]
    assert any("line 2: artifact_path: unknown key" in m for m in messages)
    assert any(
        "line 6: entry_points.main.parameters.n.type: unknown type 'integer'" in m for m in messages
    )
    assert any("line 6: entry_points.main.parameters.n.doc: unknown key" in m for m in messages)
    assert any("line 8: entry_points.main.help: unknown key" in m for m in messages)
    assert project.entry_point("main").parameters["n"].type == "integer"


def test_a_clean_file_warns_nothing(make_project: MakeProject) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        load(make_project(MLproject=_MAIN))


def test_handlers_returns_and_workflow_are_kept(make_project: MakeProject) -> None:
    root = make_project(
        MLproject="""\
        entry_points:
          train:
            handler: train.py:fit
            parameters: {data: store, epochs: {type: int, default: 10}}
            returns: ["accuracy", "model : object"]
          clean:
            handler: steps.clean:run
        workflow:
          steps: [{name: a, entry_point: train}]
        """,
        **{"train.py": "def fit(): ...\n"},
    )
    project = load(root)
    train = project.entry_point("train")
    assert train.handler == "train.py:fit" and train.command is None
    assert train.returns == ("accuracy", "model : object")
    assert project.entry_point("clean").returns is None
    assert project.workflow == {"steps": [{"name": "a", "entry_point": "train"}]}


def test_default_null_means_required(make_project: MakeProject) -> None:
    root = make_project(
        MLproject="entry_points:\n  main:\n    parameters:\n      a: {type: string, default: null}"
        "\n    command: echo {a}\n"
    )
    assert load(root).entry_point("main").parameters["a"].required
