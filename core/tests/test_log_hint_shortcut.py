"""The log-hint shortcut: keys, the grammar, literals, error positions and round-trips."""

from __future__ import annotations

import os
import random
import string

import pytest

from packagers._errors import LogHintError, PackagersError
from packagers.log_hint import (
    KEY_PATTERN,
    KEY_RULE,
    MAX_KEY_LENGTH,
    LogHint,
    is_valid_key,
)

try:
    import hypothesis
    from hypothesis import strategies as st
except ImportError:  # pragma: no cover - the randomized fallback below covers the round-trip
    hypothesis = None


# --- keys -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "key",
    [
        "a",
        "A",
        "0",
        "_",
        "accuracy",
        "my-key",
        "my.key",
        "v1.2-rc_3",
        "_private",
        "9lives",
        "a" * 200,
    ],
)
def test_valid_keys(key):
    assert is_valid_key(key)
    assert KEY_PATTERN.fullmatch(key)


@pytest.mark.parametrize(
    "key",
    [
        "",
        ".hidden",
        "-x",
        "a/b",
        "a b",
        "a:b",
        "a*b",
        "é",
        "a\n",
        "a" * 201,
        "a\\b",
        "[a]",
        None,
        3,
    ],
)
def test_invalid_keys(key):
    assert not is_valid_key(key)


def test_key_rule_text_explains_the_rule():
    assert "letter, digit or '_'" in KEY_RULE
    assert str(MAX_KEY_LENGTH) in KEY_RULE


# --- the examples and equivalences ----------------------------------------------------------------


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


# --- literal values -------------------------------------------------------------------------------


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


# --- errors ---------------------------------------------------------------------------------------


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


# --- str and round-trips --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("hint", "text"),
    [
        (LogHint("accuracy"), "accuracy"),
        (
            LogHint("data", "dataset", packing_kwargs={"format": "parquet"}),
            "data : dataset[format='parquet']",
        ),
        (LogHint("results", itemized=True), "*results"),
        (LogHint("results", itemized=2), "2*results"),
        (LogHint("data", packing_kwargs={"format": "csv"}), "data[format='csv']"),
        (LogHint("d", packing_kwargs={"b": [1, (2,)], "a": None}), "d[b=[1, (2,)], a=None]"),
    ],
)
def test_str(hint, text):
    assert str(hint) == text
    assert repr(hint).startswith("LogHint(key=")


@pytest.mark.parametrize(
    ("hint", "expressible"),
    [
        (LogHint("x"), True),
        (LogHint("x", "t", itemized=3, packing_kwargs={"a": [1, {"b": (2.5, -1j, b"x")}]}), True),
        (LogHint("x", packing_kwargs={"a": {1, 2}}), True),
        (LogHint("x", tag="v1"), False),
        (LogHint("x", labels={"a": "b"}), False),
        (LogHint("x", extra_data={"a": 1}), False),
        (LogHint("x", metrics={"a": 1}), False),
        (LogHint("x", packing_kwargs={"a": ...}), False),
        (LogHint("x", packing_kwargs={"a": object()}), False),
        (LogHint("x", packing_kwargs={"a": float("inf")}), False),
        (LogHint("x", packing_kwargs={"a": float("nan")}), False),
        (LogHint("x", packing_kwargs={"a": set()}), True),
        (LogHint("x", packing_kwargs={"a": frozenset({1})}), False),
        (LogHint("x", packing_kwargs={"a": [1, [object()]]}), False),
        (LogHint("x", packing_kwargs={"not-a-name": 1}), False),
    ],
)
def test_shortcut_expressible(hint, expressible):
    assert hint.shortcut_expressible is expressible


def test_self_containing_value_is_not_expressible():
    value: list = []
    value.append(value)
    assert not LogHint("x", packing_kwargs={"a": value}).shortcut_expressible


ROUND_TRIP_HINTS = [
    LogHint("accuracy"),
    LogHint("a" * 200, "t" * 50),
    LogHint("x", itemized=True),
    LogHint("x", itemized=1),
    LogHint("x", itemized=123456789),
    LogHint("data", "dataset", packing_kwargs={"format": "parquet"}),
    LogHint("data", packing_kwargs={"s": "a,b:c]d[e=f'g\"h\\i\n\t\x00é中"}),
    LogHint("data", packing_kwargs={"s": "'''", "t": '"""', "u": "\\", "v": "'\""}),
    LogHint("n", packing_kwargs={"a": -1, "b": -2.5, "c": 1e300, "d": -0.0, "e": 10**40}),
    LogHint("n", packing_kwargs={"a": True, "b": False, "c": None, "d": 1j, "e": b"\x00\xff'"}),
    LogHint("c", packing_kwargs={"a": [], "b": (), "c": {}, "d": (1,), "e": {1, "x"}, "f": set()}),
    LogHint("c", packing_kwargs={"a": {"k": [1, (2, {"z": None})], (1, 2): {3}}}),
]


@pytest.mark.parametrize("hint", ROUND_TRIP_HINTS, ids=lambda hint: hint.key)
def test_round_trip(hint):
    assert hint.shortcut_expressible
    assert LogHint.parse(str(hint)) == hint


def _random_literal(rng: random.Random, depth: int = 0):
    kinds = ["str", "int", "float", "bool", "none", "bytes", "complex"]
    if depth < 3:
        kinds += ["list", "tuple", "dict", "set"]
    kind = rng.choice(kinds)
    if kind == "str":
        alphabet = string.printable + "'\"\\[](){},:=*é中"
        return "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12)))
    if kind == "int":
        return rng.randint(-(10**20), 10**20)
    if kind == "float":
        return rng.choice([rng.uniform(-1e6, 1e6), rng.random() * 10 ** rng.randint(-300, 300)])
    if kind == "bool":
        return rng.random() < 0.5
    if kind == "none":
        return None
    if kind == "bytes":
        return bytes(rng.randrange(256) for _ in range(rng.randint(0, 6)))
    if kind == "complex":
        return complex(rng.uniform(-9, 9), rng.uniform(-9, 9))
    items = [_random_literal(rng, depth + 1) for _ in range(rng.randint(0, 4))]
    if kind == "list":
        return items
    if kind == "tuple":
        return tuple(items)
    if kind == "set":
        return {rng.choice(["a", "b,]", 1, -2.5, (1, "x")]) for _ in range(rng.randint(0, 3))}
    return {
        str(rng.randint(0, 99)) if rng.random() < 0.5 else rng.randint(0, 99): item
        for item in items
    }


def _random_hint(rng: random.Random) -> LogHint:
    key_chars = string.ascii_letters + string.digits + "_.-"
    key = rng.choice(string.ascii_letters + string.digits + "_") + "".join(
        rng.choice(key_chars) for _ in range(rng.randint(0, 20))
    )
    artifact_type = None
    if rng.random() < 0.6:
        artifact_type = rng.choice(string.ascii_letters + "_") + "".join(
            rng.choice(key_chars) for _ in range(rng.randint(0, 10))
        )
    itemized = rng.choice([False, True, rng.randint(1, 5), 1])
    names = [rng.choice(string.ascii_letters + "_") + str(i) for i in range(rng.randint(0, 4))]
    kwargs = {name: _random_literal(rng) for name in names}
    return LogHint(key, artifact_type, itemized=itemized, packing_kwargs=kwargs)


def _respace(rng: random.Random, text: str) -> str:
    """Insert whitespace where the grammar allows it: around ':' '*' '[' ']' and at the ends."""
    spaced = text
    for token in (" : ", "*", "["):
        spaced = spaced.replace(
            token,
            rng.choice(["", " ", "\t", "  \n"]) + token.strip() + rng.choice(["", " ", "\n "]),
            1,
        )
    return rng.choice(["", "  ", "\t"]) + spaced + rng.choice(["", " ", "\n"])


def test_randomized_round_trip():
    rng = random.Random(0)
    for _ in range(500):
        hint = _random_hint(rng)
        assert hint.shortcut_expressible, hint
        text = str(hint)
        assert LogHint.parse(text) == hint, text
        if not hint.packing_kwargs:  # no string values that could contain the tokens we respace
            assert LogHint.parse(_respace(rng, text)) == hint, text


def test_randomized_garbage_fails_cleanly():
    rng = random.Random(0)
    alphabet = "ab1_ .-*:[]=,'\"(){}\\0x"
    for _ in range(3000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 16)))
        try:
            LogHint.parse(text)
        except LogHintError as error:
            assert error.hint == text
            assert 0 <= error.position <= len(text)


if hypothesis is not None:
    from hypothesis import given, settings

    _names = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,8}", fullmatch=True)
    _scalars = (
        st.none()
        | st.booleans()
        | st.integers()
        | st.floats(allow_nan=False, allow_infinity=False)
        | st.text(max_size=10)
        | st.binary(max_size=6)
        | st.complex_numbers(allow_nan=False, allow_infinity=False)
    )
    _hashables = st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=5),
        lambda inner: st.tuples(inner, inner),
        max_leaves=4,
    )
    _literals = st.recursive(
        _scalars,
        lambda inner: (
            st.lists(inner, max_size=3)
            | st.tuples(inner, inner)
            | st.dictionaries(_hashables, inner, max_size=3)
            | st.sets(_hashables, max_size=3)
        ),
        max_leaves=10,
    )
    _hints = st.builds(
        LogHint,
        key=st.from_regex(r"[A-Za-z0-9_][A-Za-z0-9_.\-]{0,30}", fullmatch=True),
        artifact_type=st.none() | st.from_regex(r"[A-Za-z_][A-Za-z0-9_.\-]{0,12}", fullmatch=True),
        itemized=st.booleans() | st.integers(min_value=1, max_value=10**100),
        packing_kwargs=st.dictionaries(_names, _literals, max_size=4),
    )

    @settings(max_examples=300, deadline=None, database=None)
    @given(_hints)
    def test_property_round_trip(hint):
        assert hint.shortcut_expressible
        assert LogHint.parse(str(hint)) == hint

    @settings(max_examples=500, deadline=None, database=None)
    @given(st.text(alphabet="ab1_ .-*:[]=,'\"(){}\\0\t", max_size=24) | st.text(max_size=24))
    def test_property_any_text_parses_or_fails_cleanly(text):
        try:
            hint = LogHint.parse(text)
        except LogHintError as error:
            assert error.hint == text
            assert 0 <= error.position <= len(text)
            assert repr(text) in str(error)
        else:
            assert LogHint.parse(str(hint)) == hint
