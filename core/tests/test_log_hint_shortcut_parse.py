"""Parsing the log-hint shortcut: the documented examples, whitespace, literal kwarg values."""

from __future__ import annotations

import pytest

from packagers.log_hint import LogHint


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("accuracy", LogHint(key="accuracy")),
        (
            'data : dataset[format="parquet"]',
            LogHint(key="data", artifact_type="dataset", packing_kwargs={"format": "parquet"}),
        ),
        ("data : dataset", LogHint(key="data", artifact_type="dataset")),
        ("data:dataset", LogHint(key="data", artifact_type="dataset")),
        ("*results", LogHint(key="results", itemized=True)),
        ("2*results", LogHint(key="results", itemized=2)),
        ("1*results", LogHint(key="results", itemized=1)),
        (
            "  2 * results : dataset [ a = 1 ]",
            LogHint("results", "dataset", itemized=2, packing_kwargs={"a": 1}),
        ),
        ("data[format='csv']", LogHint(key="data", packing_kwargs={"format": "csv"})),
        ("data[]", LogHint(key="data")),
        ("data : dataset[]", LogHint(key="data", artifact_type="dataset")),
        ("data[ ]", LogHint(key="data")),
        ("data[a=1,]", LogHint(key="data", packing_kwargs={"a": 1})),
        ("data[a=1 , b=2 , ]", LogHint(key="data", packing_kwargs={"a": 1, "b": 2})),
        ("* results", LogHint(key="results", itemized=True)),
        ("10 *results", LogHint(key="results", itemized=10)),
        ("2results", LogHint(key="2results")),
        ("2", LogHint(key="2")),
        ("model : my_plugin.model-v2", LogHint(key="model", artifact_type="my_plugin.model-v2")),
        ("\tdata\n:\ndataset\r\n[a=1]\t", LogHint("data", "dataset", packing_kwargs={"a": 1})),
        ("a" * 200, LogHint(key="a" * 200)),
    ],
)
def test_parse_examples(text, expected):
    assert LogHint.parse(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "2*results:dataset[a=1,b='x']",
        "2 * results : dataset [ a = 1 , b = 'x' ]",
        "   2*   results   :   dataset[a=1,   b='x'   ,]   ",
        "2\t*\tresults\t:\tdataset\t[\ta\t=\t1\t,\tb\t=\t'x'\t]",
        "2 *results: dataset[\n  a=1,\n  b='x',\n]",
    ],
)
def test_whitespace_is_allowed_around_every_token(text):
    assert LogHint.parse(text) == LogHint(
        "results", "dataset", itemized=2, packing_kwargs={"a": 1, "b": "x"}
    )


@pytest.mark.parametrize(
    ("literal", "value"),
    [
        ("'x'", "x"),
        ('"x"', "x"),
        ("''", ""),
        ("'a,b'", "a,b"),
        ("'a:b'", "a:b"),
        ("'a]b'", "a]b"),
        ("'[a'", "[a"),
        ("'a=b'", "a=b"),
        ("'}{)('", "}{)("),
        (r"'it\'s'", "it's"),
        (r'"say \"hi\""', 'say "hi"'),
        ('"it\'s"', "it's"),
        (r"'back\\slash'", "back\\slash"),
        (r"'back\\'", "back\\"),
        ("'''tri'ple'''", "tri'ple"),
        ('"""a "b" c"""', 'a "b" c'),
        ("b'bytes'", b"bytes"),
        ("r'\\d+'", "\\d+"),
        ("'unicode é ü 中'", "unicode é ü 中"),
        ("0", 0),
        ("42", 42),
        ("-7", -7),
        ("+7", 7),
        ("1_000", 1000),
        ("0x10", 16),
        ("100000000000000000000", 10**20),
        ("1.5", 1.5),
        ("-2.5", -2.5),
        ("1e3", 1000.0),
        ("-1E-3", -0.001),
        (".5", 0.5),
        ("1j", 1j),
        ("(1+2j)", 1 + 2j),
        ("True", True),
        ("False", False),
        ("None", None),
        ("[]", []),
        ("[1, 2, 3]", [1, 2, 3]),
        ("[1, [2, [3, []]]]", [1, [2, [3, []]]]),
        ("()", ()),
        ("(1,)", (1,)),
        ("(1, 'a', None)", (1, "a", None)),
        ("{}", {}),
        ("{'a': 1, 'b': [1, 2]}", {"a": 1, "b": [1, 2]}),
        ("{'a': {'b': {'c': (1, 'x,y]')}}}", {"a": {"b": {"c": (1, "x,y]")}}}),
        ("{1, 2}", {1, 2}),
        ("set()", set()),
        ("[{'k': ('v', -1.5, True)}, None]", [{"k": ("v", -1.5, True)}, None]),
        ("[ 1 , 2 ]", [1, 2]),
    ],
)
def test_literal_values(literal, value):
    hint = LogHint.parse(f"data : dataset[x={literal}, y=1]")
    assert hint.packing_kwargs == {"x": value, "y": 1}
    assert type(hint.packing_kwargs["x"]) is type(value)


def test_several_kwargs_keep_their_order():
    hint = LogHint.parse("d[z=1, a='2', m=[3]]")
    assert list(hint.packing_kwargs) == ["z", "a", "m"]
    assert str(hint) == "d[z=1, a='2', m=[3]]"
