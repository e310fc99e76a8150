"""The filter expressions of the runs page, parsed by a small grammar into parameterised SQL.

A user's text is never evaluated as code and never spliced into SQL: field names are checked
against the grammar, and every name and value reaches SQLite as a bound parameter::

    expression := term ("or" term)*
    term       := factor ("and" factor)*
    factor     := "not" factor | "(" expression ")" | field OP value
    field      := COLUMN | ("params" | "results") "." NAME
    OP         := "==" | "=" | "!=" | "<" | "<=" | ">" | ">=" | "~"     ("~": contains, for text)
    value      := NUMBER | 'text' | "text" | true | false | null

For example ``params.lr > 0.01 and state == "completed"``, ``results.acc >= 0.9 or not
(function ~ "train")``. A field a run lacks is null: it matches only ``== null``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from packagers.store.index_schema import RUN_COLUMNS, json_path
from packagers.ui.errors import FilterError

__all__ = ["SECTIONS", "Where", "parse_filter"]

#: The JSON columns of a run that a dotted field reads.
SECTIONS = ("params", "results")
_OPERATORS = {"==": "=", "=": "=", "!=": "!=", "<": "<", "<=": "<=", ">": ">", ">=": ">=", "~": "~"}
_TOKEN = re.compile(
    r"""\s*(?:
        (?P<number>-?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)
      | (?P<string>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')
      | (?P<op><=|>=|==|!=|[<>=~])
      | (?P<paren>[()])
      | (?P<name>[A-Za-z_][A-Za-z0-9_\-]*(?:\.[A-Za-z_][A-Za-z0-9_\-]*)?)
    )""",
    re.VERBOSE,
)
_WORDS = {"true": True, "false": False, "null": None}
_LOGIC = ("and", "or", "not")


@dataclass(frozen=True)
class Where:
    """A parsed filter: the SQL condition over the ``runs`` table and its bound values."""

    sql: str
    values: Sequence[Any]


@dataclass(frozen=True)
class _Token:
    kind: str
    text: str
    at: int


def _tokens(text: str) -> list[_Token]:
    found, position = [], 0
    while position < len(text):
        if text[position:].strip() == "":
            break
        match = _TOKEN.match(text, position)
        if match is None or match.lastgroup is None:
            shown = text[position:].lstrip()[:20]
            raise FilterError(
                f"filter {text!r}: cannot read {shown!r} at character {position + 1}; write "
                "e.g. params.lr > 0.01 and state == 'completed'"
            )
        found.append(
            _Token(match.lastgroup, match.group(match.lastgroup), match.start(match.lastgroup))
        )
        position = match.end()
    return found


class _Parser:
    """Recursive descent over the tokens; each method returns SQL and appends bound values."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = _tokens(text)
        self.position = 0
        self.values: list[Any] = []

    def _peek(self) -> _Token | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def _word(self, word: str) -> bool:
        token = self._peek()
        if token is not None and token.kind == "name" and token.text.lower() == word:
            self.position += 1
            return True
        return False

    def _fail(self, expected: str) -> FilterError:
        token = self._peek()
        found = f"{token.text!r} at character {token.at + 1}" if token else "the end"
        return FilterError(f"filter {self.text!r}: expected {expected}, found {found}")

    def parse(self) -> Where:
        sql = self._expression()
        if self._peek() is not None:
            raise self._fail("'and', 'or' or the end")
        return Where(sql, self.values)

    def _expression(self) -> str:
        parts = [self._term()]
        while self._word("or"):
            parts.append(self._term())
        return parts[0] if len(parts) == 1 else "(" + " OR ".join(parts) + ")"

    def _term(self) -> str:
        parts = [self._factor()]
        while self._word("and"):
            parts.append(self._factor())
        return parts[0] if len(parts) == 1 else "(" + " AND ".join(parts) + ")"

    def _factor(self) -> str:
        if self._word("not"):
            return f"NOT coalesce({self._factor()}, 0)"
        token = self._peek()
        if token is not None and token.text == "(":
            self.position += 1
            inner = self._expression()
            closing = self._peek()
            if closing is None or closing.text != ")":
                raise self._fail("')'")
            self.position += 1
            return inner
        return self._comparison()

    def _comparison(self) -> str:
        field = self._field()
        token = self._peek()
        if token is None or token.kind != "op":
            raise self._fail("a comparison (==, !=, <, <=, >, >=, ~)")
        self.position += 1
        operator = _OPERATORS[token.text]
        value = self._value()
        if value is None:
            if operator not in ("=", "!="):
                raise FilterError(f"filter {self.text!r}: null can only be compared with == or !=")
            return f"{field} IS {'NOT ' if operator == '!=' else ''}NULL"
        if operator == "~":
            if not isinstance(value, str):
                raise FilterError(f"filter {self.text!r}: '~' (contains) takes a quoted text")
            self.values.append(value)
            return f"instr({field}, ?) > 0"
        self.values.append(int(value) if isinstance(value, bool) else value)
        return f"{field} {operator} ?"

    def _field(self) -> str:
        token = self._peek()
        if token is None or token.kind != "name" or token.text.lower() in _LOGIC:
            raise self._fail(
                "a field (params.NAME, results.NAME or " + ", ".join(RUN_COLUMNS) + ")"
            )
        self.position += 1
        section, dot, name = token.text.partition(".")
        if dot and section in SECTIONS:
            self.values.append(json_path(name))
            return f"json_extract({section}, ?)"
        if not dot and section in RUN_COLUMNS:
            return RUN_COLUMNS[section]
        raise FilterError(
            f"filter {self.text!r}: unknown field {token.text!r}; a field is params.NAME, "
            f"results.NAME or one of {', '.join(RUN_COLUMNS)}"
        )

    def _value(self) -> Any:
        token = self._peek()
        if token is None:
            raise self._fail("a value")
        self.position += 1
        if token.kind == "number":
            number = float(token.text)
            return (
                int(number)
                if number.is_integer() and re.fullmatch(r"-?\d+", token.text)
                else number
            )
        if token.kind == "string":
            return re.sub(r"\\(.)", r"\1", token.text[1:-1])
        if token.kind == "name" and token.text.lower() in _WORDS:
            return _WORDS[token.text.lower()]
        self.position -= 1
        raise self._fail("a value (a number, a 'quoted text', true, false or null)")


def parse_filter(text: str) -> Where | None:
    """The SQL condition a filter expression stands for; None for an empty one."""
    if not text.strip():
        return None
    return _Parser(text).parse()
