"""A LogHint as shortcut text: str, when it is expressible, and parse(str(hint)) == hint."""

from __future__ import annotations

import random
import string

import pytest

from packagers._errors import LogHintError
from packagers.log_hint import LogHint

try:
    import hypothesis
    from hypothesis import strategies as st
except ImportError:  # pragma: no cover - the randomized fallback below covers the round-trip
    hypothesis = None


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
