"""Log-hint shortcut errors: their position and message, and code in a value never run."""

from __future__ import annotations

import os

import pytest

from packagers._errors import LogHintError, PackagersError
from packagers.log_hint import LogHint


@pytest.mark.parametrize(
    ("text", "position", "fragment"),
    [
        ("", 0, "empty"),
        ("   ", 0, "empty"),
        ("my key", 2, "spaces are not allowed inside a key"),
        ("my key : dataset", 2, "inside a key"),
        ("data : data set", 11, "inside an artifact type"),
        ("my/key", 2, "'/' is not allowed in a key"),
        ("a,b", 1, "','"),
        ("data.csv?", 8, "'?'"),
        (".hidden", 0, "cannot start with '.'"),
        ("-x", 0, "cannot start with '-'"),
        ("a" * 201, 200, "201 characters"),
        ("data[format='csv'", 4, "unbalanced '['"),
        ("data[", 4, "unbalanced '['"),
        ("data[a=1", 4, "unbalanced '['"),
        ("data[a=[1, 2]", 4, "unbalanced '['"),
        ("data[a=[1, 2", 7, "unbalanced '['"),
        ("data[a={'k': (1,", 13, "unbalanced '('"),
        ("data]", 4, "unbalanced ']'"),
        ("data : dataset]", 14, "unbalanced ']'"),
        ("data[a=1]]", 9, "unbalanced ']'"),
        ("data[a=(1, 2]]", 12, "does not close '('"),
        ("data[a=1)]", 8, "unbalanced ')'"),
        ("data[a='x]", 7, "unterminated string"),
        ('data[a="x\\"]', 7, "unterminated string"),
        ("data[a='''x'']", 7, "unterminated string"),
        ("data[format]", 11, "expected '='"),
        ("data[format, a=1]", 11, "expected '='"),
        ("data[a b=1]", 6, "expected '='"),
        ("data[1a=2]", 5, "not a valid keyword name"),
        ("data[a-b=2]", 5, "not a valid keyword name"),
        ("data[=1]", 5, "expected a keyword name"),
        ("data[,]", 5, "expected a keyword name"),
        ("data[a=1,,]", 9, "expected a keyword name"),
        ("data[[a=1]]", 5, "expected a keyword name"),
        ("data : dataset[format=parquet]", 22, 'quote strings: format="parquet"'),
        ("data[a=inf]", 7, "not a Python literal"),
        ("data[a=nan]", 7, "not a Python literal"),
        ("data[a=true]", 7, "a=True"),
        ("data[a=null]", 7, "a=None"),
        ("data[x=__import__('os')]", 7, "not a Python literal"),
        ("data[x=1+]", 7, "not a Python literal"),
        ("data[x=1 2]", 7, "not a Python literal"),
        ("data[x=a.b]", 7, "not a Python literal"),
        ("data[x=f'{1}']", 7, "not a Python literal"),
        ("data[x=1e999]", 7, "evaluates to inf"),
        ("data[x=[-1e999]]", 7, "evaluates to [-inf]"),
        ("data[x=...]", 7, "evaluates to Ellipsis"),
        ("data[x=[i for i in 'ab']]", 7, "not a Python literal"),
        ("data[x=lambda: 1]", 7, "not a Python literal"),
        ("data[a=]", 7, "has no value"),
        ("data[a= ]", 8, "has no value"),
        ("data[a=, b=1]", 7, "has no value"),
        ("data[a=1, a=2]", 10, "given twice"),
        ("data[a=1, b=2, a=3]", 15, "given twice"),
        ("0*data", 0, ">= 1"),
        ("-1*data", 0, ">= 1"),
        ("  -3 * data", 2, ">= 1"),
        ("9" * 5000 + "*data", 0, "too large"),
        ("data :", 5, "must follow ':'"),
        ("data :   ", 5, "must follow ':'"),
        ("data : [a=1]", 5, "must follow ':'"),
        ("data : 1type", 7, "cannot start with '1'"),
        ("data : a:b", 8, "':' is not allowed in an artifact type"),
        ("data[a=1] x", 10, "after the closing ']'"),
        ("data[a=1][b=2]", 9, "after the closing ']'"),
        ("data : dataset x", 14, "inside an artifact type"),
        ("data =1", 5, "after the key"),
        ("data : dataset *", 15, "after the artifact type"),
        ("*", 0, "'*' must be followed by a key"),
        ("2*", 1, "'*' must be followed by a key"),
        (" 2 *  ", 3, "'*' must be followed by a key"),
        ("**results", 1, "cannot start with '*'"),
        ("* : dataset", 2, "key is missing"),
        (": dataset", 0, "key is missing"),
        ("[a=1]", 0, "key is missing"),
    ],
)
def test_parse_errors(text, position, fragment):
    with pytest.raises(LogHintError) as info:
        LogHint.parse(text)
    error = info.value
    assert error.position == position
    assert error.hint == text
    message = str(error)
    assert message.startswith(f"invalid log hint {text!r} at position {position}: ")
    assert fragment in message
    # The caret line points at the position under the (indented) hint.
    lines = message.split("\n")
    assert lines[-1] == "  " + " " * position + "^"
    assert len(lines[-2]) == 2 + len(text)


def test_error_message_format():
    with pytest.raises(LogHintError) as info:
        LogHint.parse("data : dataset[format=parquet]")
    assert str(info.value) == (
        "invalid log hint 'data : dataset[format=parquet]' at position 22: "
        "'parquet' is not a Python literal (quote strings: format=\"parquet\")\n"
        "  data : dataset[format=parquet]\n"
        "                        ^"
    )


def test_log_hint_error_is_a_value_error_and_a_packagers_error():
    with pytest.raises(ValueError):
        LogHint.parse("my key")
    with pytest.raises(PackagersError):
        LogHint.parse("my key")


def test_code_in_a_value_is_never_run(monkeypatch):
    def boom(*args, **kwargs):  # pragma: no cover - reaching it is the failure
        raise AssertionError("the hint ran code")

    monkeypatch.setattr(os, "system", boom)
    hint = 'data[x=__import__("os").system("echo hi")]'
    with pytest.raises(LogHintError) as info:
        LogHint.parse(hint)
    assert info.value.position == 7
    assert "not a Python literal" in str(info.value)


@pytest.mark.parametrize("depth", [50, 5000])
def test_deeply_nested_values_do_not_crash(depth):
    text = "d[x=" + "[" * depth + "]" * depth + "]"
    try:
        hint = LogHint.parse(text)
    except LogHintError as error:
        assert error.position == 4
    else:
        assert hint.key == "d"
