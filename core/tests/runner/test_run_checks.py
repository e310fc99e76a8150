"""A run that cannot work is refused before it starts, and leaves no run record."""

from __future__ import annotations

import re
from pathlib import Path
from types import ModuleType
from typing import Optional

import pytest

from packagers.runner import (
    DuplicateKeyError,
    InputNotFoundError,
    MissingParameterError,
    ParamTypeError,
    RunArgumentError,
    UnknownArtifactTypeError,
    run,
)
from packagers.runner.checks import param_from_text
from packagers.store import get_store


def _no_runs(store_url: str) -> bool:
    store = get_store(store_url)
    return store.list_runs() == []


def test_a_key_given_twice_is_refused(samples: ModuleType, store_url: str) -> None:
    with pytest.raises(DuplicateKeyError, match="'x' is given twice"):
        run(samples.split, params={"n": 1}, returns=["x", "x : file"], store=store_url)
    assert _no_runs(store_url)


def test_a_missing_required_parameter_is_refused(samples: ModuleType, store_url: str) -> None:
    with pytest.raises(MissingParameterError, match=r"add\(\) requires 'a'"):
        run(samples.add, params={"b": 1}, store=store_url)
    assert _no_runs(store_url)


def test_a_parameter_with_a_default_may_be_left_out(samples: ModuleType, store_url: str) -> None:
    assert run(samples.add, params={"a": 1}, returns=["s"], store=store_url).results == {"s": 3}


def test_a_store_uri_that_does_not_resolve_is_refused(samples: ModuleType, store_url: str) -> None:
    with pytest.raises(InputNotFoundError, match="input 'point'.*no-such"):
        run(samples.norm, inputs={"point": "store://no-such"}, store=store_url)
    assert _no_runs(store_url)


def test_a_path_is_told_from_a_url_as_data_items_tell_them(
    samples: ModuleType, store_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``dir/a://b`` is a local path to a DataItem, so the run checks that it exists."""
    monkeypatch.chdir(tmp_path)
    with pytest.raises(InputNotFoundError, match=re.escape("no file or directory 'dir/a://b'")):
        run(samples.norm, inputs={"point": "dir/a://b"}, store=store_url)
    assert _no_runs(store_url)


def test_a_local_file_that_does_not_exist_is_named(
    samples: ModuleType, store_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(InputNotFoundError, match="no file or directory '12'") as caught:
        run(samples.norm, inputs={"point": "12"}, store=store_url)
    assert "suffix" not in str(caught.value)


def test_an_unknown_artifact_type_suggests_the_close_one(
    samples: ModuleType, store_url: str
) -> None:
    with pytest.raises(UnknownArtifactTypeError, match="'reslt'; did you mean 'result'"):
        run(samples.bare, params={"n": 1}, returns=["rows : reslt"], store=store_url)
    assert _no_runs(store_url)


def test_the_refusals_are_run_argument_errors() -> None:
    for error in (DuplicateKeyError, InputNotFoundError, MissingParameterError, ParamTypeError):
        assert issubclass(error, RunArgumentError)
    assert issubclass(UnknownArtifactTypeError, RunArgumentError)


@pytest.mark.parametrize(
    ("text", "hint", "expected"),
    [
        ("10", int, 10),
        ("0.5", float, 0.5),
        ("yes", bool, True),
        ("false", bool, False),
        ("007", str, "007"),
        ("[1, 2]", list[int], [1, 2]),
        ('{"a": 1}', dict[str, int], {"a": 1}),
        ("null", Optional[int], None),  # the spelling users write
        ("3", int | None, 3),
        ("10", None, 10),
        ("alice", None, "alice"),
        ("path/x", Path, "path/x"),
        ("[1, 2.5]", list[float], [1.0, 2.5]),
        ('["a", "b"]', tuple[str, ...], ("a", "b")),
        ('{"a": 1}', dict[str, float], {"a": 1.0}),
        ('[1, "a", null]', list, [1, "a", None]),  # no item type: any JSON
    ],
)
def test_a_param_text_is_converted_by_its_hint(text: str, hint: object, expected: object) -> None:
    value = param_from_text("n", text, hint)
    assert value == expected and type(value) is type(expected)


@pytest.mark.parametrize(
    ("text", "hint"),
    [
        ("abc", int),
        ("x", float),
        ("maybe", bool),
        ("1", list[int]),
        ('[1, "a"]', list[int]),
        ("[true]", list[int]),  # a JSON true is not an int
        ('{"a": "x"}', dict[str, float]),
    ],
)
def test_a_param_text_of_the_wrong_type_is_refused(text: str, hint: object) -> None:
    with pytest.raises(ParamTypeError, match=re.escape(f"param 'n': the value '{text}'")):
        param_from_text("n", text, hint)


def test_a_param_error_says_what_to_write_once() -> None:
    with pytest.raises(ParamTypeError) as info:
        param_from_text("ids", '[1, "a"]', list[int])
    message = str(info.value)
    assert 'holds "a", which is not a JSON int' in message
    assert "(the parameter's hint is list[int])" in message and "))" not in message
    with pytest.raises(ParamTypeError, match=r"is not JSON: write a list as JSON, e\.g\. \[1, 2\]"):
        param_from_text("ids", "1,2", list[int])
