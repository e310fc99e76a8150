"""Members of the core's enums stay plain strings: in JSON, messages, tables, sets and SQL."""

from __future__ import annotations

import json
import pickle
import sqlite3

from packagers._str_enum import StrEnum


class Colour(StrEnum):
    RED = "red"
    DARK_BLUE = "dark-blue"


def test_a_member_is_its_value_wherever_it_is_written() -> None:
    member = Colour.DARK_BLUE
    assert member == "dark-blue" and isinstance(member, str)
    logged = "%s" % member  # noqa: UP031  # as logging formats it
    assert (str(member), f"{member}", f"{member:>10}", logged) == (
        "dark-blue",
        "dark-blue",
        " dark-blue",
        "dark-blue",
    )
    assert repr(member) == "'dark-blue'" and f"{member!r}" == "'dark-blue'"
    assert json.dumps({member: [member]}) == '{"dark-blue": ["dark-blue"]}'
    assert type(str(member)) is str


def test_a_value_read_back_finds_its_member() -> None:
    assert "red" in {Colour.RED} and Colour.RED in {"red"}
    assert {"red": 1}[Colour.RED] == 1
    assert Colour("red") is Colour.RED
    assert pickle.loads(pickle.dumps(Colour.RED)) is Colour.RED
    with sqlite3.connect(":memory:") as connection:
        (row,) = connection.execute("SELECT ?, typeof(?)", (Colour.RED, Colour.RED))
    assert row == ("red", "text")
