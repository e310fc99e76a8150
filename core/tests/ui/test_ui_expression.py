"""The filter grammar: what it accepts, what it refuses, and that text never becomes SQL."""

from __future__ import annotations

import sqlite3

import pytest

from packagers.ui import FilterError, parse_filter


@pytest.fixture
def runs() -> sqlite3.Connection:
    """A table shaped like the index's ``runs``, with three runs."""
    connection = sqlite3.connect(":memory:")
    connection.execute(
        "CREATE TABLE runs (id TEXT, project TEXT, state TEXT, name TEXT, function TEXT, "
        "executor TEXT, started TEXT, ended TEXT, duration REAL, parent TEXT, params TEXT, "
        "results TEXT)"
    )
    rows = [
        ("a", "completed", 0.5, '{"lr": 0.1, "opt": "adam", "deep": true}', '{"acc": 0.9}'),
        ("b", "completed", 2.0, '{"lr": 0.001, "opt": "sgd"}', '{"acc": 0.95}'),
        ("c", "error", 1.0, '{"lr": 0.01, "weird name": 1}', "{}"),
    ]
    connection.executemany(
        "INSERT INTO runs (id, state, duration, params, results) VALUES (?, ?, ?, ?, ?)", rows
    )
    return connection


def _ids(runs: sqlite3.Connection, text: str) -> list[str]:
    where = parse_filter(text)
    assert where is not None
    found = runs.execute(f"SELECT id FROM runs WHERE {where.sql} ORDER BY id", list(where.values))
    return [row[0] for row in found]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("params.lr > 0.01", ["a"]),
        ("params.lr >= 0.01", ["a", "c"]),
        ("params.lr == 0.001 or results.acc > 0.92", ["b"]),
        ("state = 'completed' and not params.opt == \"sgd\"", ["a"]),
        ("not (state == 'error')", ["a", "b"]),
        ("results.acc == null", ["c"]),
        ("results.acc != null and duration < 1", ["a"]),
        ("params.opt ~ 'ad'", ["a"]),
        ("params.deep == true", ["a"]),
        ("params.missing != 1", []),
        ("not params.missing == 1", ["a", "b", "c"]),
        ("params.lr > 1e-2", ["a"]),
        ("PARAMS.lr > 1 OR state == 'error'", ["c"]),
    ],
)
def test_filters_select_the_runs_they_say(
    runs: sqlite3.Connection, text: str, expected: list[str]
) -> None:
    assert _ids(runs, text.replace("PARAMS", "params")) == expected


def test_names_and_values_are_bound_never_spliced() -> None:
    where = parse_filter("params.x == 'a\\' OR 1=1 --' and state == \"x; DROP TABLE runs\"")
    assert where is not None
    assert "DROP" not in where.sql and "1=1" not in where.sql
    assert "a' OR 1=1 --" in where.values and "x; DROP TABLE runs" in where.values


def test_an_empty_filter_is_none() -> None:
    assert parse_filter("   ") is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("params.lr >", "expected a value"),
        ("params.lr 0.1", "expected a comparison"),
        ("__import__('os') == 1", "unknown field '__import__'"),
        ("os.system == 1", "unknown field 'os.system'"),
        ("colour == 'red'", "unknown field"),
        ("(state == 'x'", "expected ')'"),
        ("state == 'x' state", "expected 'and', 'or' or the end"),
        ("params.lr < null", "null can only"),
        ("params.lr ~ 3", "contains"),
        ("params.lr == 'open", "cannot read"),
    ],
)
def test_bad_filters_say_where_and_what(text: str, message: str) -> None:
    with pytest.raises(FilterError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_filter(text)
