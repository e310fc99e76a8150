"""Parameters: every value checked against its type before anything runs; one error for all."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from packagers.projects import Parameter, ProjectParameterError
from packagers.projects.parameters import ParameterValues, resolve_parameters


def _resolve(
    parameters: list[Parameter], given: dict[str, Any], cwd: Path, **kwargs: Any
) -> ParameterValues:
    return resolve_parameters(
        {p.name: p for p in parameters},
        given,
        where="entry point 'main'",
        cwd=str(cwd),
        root=str(kwargs.pop("root", cwd)),
        store=kwargs.pop("store", None),
    )


@pytest.mark.parametrize(
    ("kind", "value", "typed", "text"),
    [
        ("float", "0.5", 0.5, "0.5"),
        ("float", "1e3", 1000.0, "1e3"),
        ("float", 2, 2.0, "2"),
        ("int", "10", 10, "10"),
        ("int", -3, -3, "-3"),
        ("bool", "yes", True, "yes"),
        ("bool", "False", False, "False"),
        ("bool", True, True, "True"),
        ("string", 'it\'s "a b"', 'it\'s "a b"', 'it\'s "a b"'),
        ("string", 5, "5", "5"),
        ("uri", "s3://bucket/key", "s3://bucket/key", "s3://bucket/key"),
        ("uri", "file:///tmp/x", "file:///tmp/x", "file:///tmp/x"),
        ("integer", "anything", "anything", "anything"),  # an unknown type reads as string
    ],
)
def test_values_convert_to_their_type(
    tmp_path: Path, kind: str, value: Any, typed: Any, text: str
) -> None:
    values = _resolve([Parameter("p", kind)], {"p": value}, tmp_path)
    assert values.typed == {"p": typed}
    assert type(values.typed["p"]) is type(typed)
    assert values.substituted == {"p": text}


@pytest.mark.parametrize(
    ("kind", "value", "reason"),
    [
        ("float", "abc", "is not a number"),
        ("float", "nan", "is not a finite number"),
        ("float", "inf", "is not a finite number"),
        ("float", True, "is not a number"),
        ("int", "1.5", "is not an integer"),
        ("int", "ten", "is not an integer"),
        ("bool", "maybe", "is not a boolean"),
        ("uri", "data/train.csv", "has no scheme"),
        ("uri", "/abs/train.csv", "has no scheme"),
        ("path", "missing.csv", "does not exist"),
        ("path", "s3://bucket/key", "is a s3:// URL"),
        ("store", "data.csv", "is not a store URI"),
        ("string", [1, 2], "a list is not a string"),
    ],
)
def test_a_bad_value_is_an_error_naming_parameter_type_and_value(
    tmp_path: Path, kind: str, value: Any, reason: str
) -> None:
    with pytest.raises(ProjectParameterError) as caught:
        _resolve([Parameter("p", kind)], {"p": value}, tmp_path)
    message = str(caught.value)
    assert message.startswith(f"entry point 'main': parameter 'p' ({kind}) = {value!r}")
    assert reason in message


def test_paths_are_made_absolute_against_the_callers_directory(tmp_path: Path) -> None:
    caller, root = tmp_path / "caller", tmp_path / "project"
    (caller / "in").mkdir(parents=True)
    (root / "defaults").mkdir(parents=True)
    (caller / "in" / "my file.csv").write_text("x")
    (root / "defaults" / "d.csv").write_text("x")
    parameters = [Parameter("data", "path"), Parameter("other", "path", "defaults/d.csv")]
    values = _resolve(parameters, {"data": "in/my file.csv"}, caller, root=root)
    assert values.typed == {
        "data": str(caller / "in" / "my file.csv"),
        "other": str(root / "defaults" / "d.csv"),  # a default is the project's own file
    }
    as_url = _resolve(
        [Parameter("data", "path")], {"data": f"file://{caller}/in/my%20file.csv"}, tmp_path
    )
    assert as_url.typed["data"] == str(caller / "in" / "my file.csv")


def test_missing_values_and_default_null_are_reported_together(tmp_path: Path) -> None:
    parameters = [
        Parameter("a", "string"),
        Parameter("b", "string", None),  # default: null, as MLflow reads it: required
        Parameter("c", "float", 0.1),
        Parameter("d", "float"),
    ]
    with pytest.raises(ProjectParameterError) as caught:
        _resolve(parameters, {"d": "x"}, tmp_path)
    message = str(caught.value)
    assert "3 parameter problems" in message
    assert "parameter 'a' (string) has no value and no default; give one (-P a=VALUE)" in message
    assert "parameter 'b' (string) has no value" in message
    assert "parameter 'd' (float) = 'x' is not a number" in message
    assert "'c'" not in message


def test_none_counts_as_not_given(tmp_path: Path) -> None:
    values = _resolve([Parameter("c", "float", 0.1)], {"c": None}, tmp_path)
    assert values.typed == {"c": 0.1}


def test_undeclared_parameters_pass_through(tmp_path: Path) -> None:
    values = _resolve([Parameter("a", "int", 1)], {"b": "two words", "c": 3}, tmp_path)
    assert values.typed == {"a": 1}
    assert values.extra == {"b": "two words", "c": 3}


def test_store_parameters_must_resolve(tmp_path: Path, store_url: str) -> None:
    from packagers.runner import run
    from packagers.store import Store

    store = Store(store_url)

    def make() -> list[int]:
        return [1, 2]

    record = run(make, returns=["numbers : object"], store=store)
    uri = record.artifacts["numbers"].uri
    values = _resolve([Parameter("n", "store")], {"n": "store://numbers"}, tmp_path, store=store)
    assert values.typed == {"n": "store://numbers"}
    assert values.stored["n"]["resolved"] == uri
    assert values.stored["n"]["digest"]
    with pytest.raises(ProjectParameterError, match=r"'n' \(store\) = 'store://nothing' does not"):
        _resolve([Parameter("n", "store")], {"n": "store://nothing"}, tmp_path, store=store)


def test_relative_paths_do_not_depend_on_the_process_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "x.csv").write_text("x")
    monkeypatch.chdir("/")
    values = _resolve([Parameter("p", "path")], {"p": "x.csv"}, tmp_path)
    assert values.typed["p"] == os.path.join(tmp_path, "x.csv")
