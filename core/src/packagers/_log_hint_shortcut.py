"""The one-line shortcut of a log hint: what a key and an artifact type may be, and its parser.

The grammar (spaces are allowed around every token, never inside a key or a type)::

    [prefix] key [ ":" type ] [ "[" name "=" literal { "," name "=" literal } [","] "]" ]

``prefix`` is ``*`` (itemize at every depth) or ``N*`` (itemize N levels). Literals are read
with :func:`ast.literal_eval`, so a hint can never run code. :class:`packagers.log_hint.LogHint`
validates what the parser reads; the key rule is the store's too (keys become file names).
"""

from __future__ import annotations

import ast
import math
import re
from typing import Any

from packagers._errors import LogHintError

__all__ = [
    "KEY_PATTERN",
    "KEY_RULE",
    "MAX_KEY_LENGTH",
    "TYPE_PATTERN",
    "TYPE_RULE",
    "hint_error",
    "is_valid_key",
    "parse_shortcut",
    "round_trips",
]

MAX_KEY_LENGTH = 200
# Keys become file names in a store, hence ASCII only and no separators.
KEY_PATTERN = re.compile(rf"[A-Za-z0-9_][A-Za-z0-9_.\-]{{0,{MAX_KEY_LENGTH - 1}}}")
KEY_RULE = (
    "a key is letters, digits, '_', '.', '-', starting with a letter, digit or '_', "
    f"at most {MAX_KEY_LENGTH} characters"
)
# Plugins may invent artifact types, so only the shape is checked, not a closed list.
TYPE_PATTERN = re.compile(r"[A-Za-z_][A-Za-z0-9_.\-]*")
TYPE_RULE = "an artifact type is letters, digits, '_', '.', '-', starting with a letter or '_'"

_KEY_START = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_")
_KEY_CHARS = _KEY_START | frozenset(".-")
_TYPE_START = _KEY_START - frozenset("0123456789")

_WHITESPACE = re.compile(r"\s*")
_PREFIX = re.compile(r"(?:(-?[0-9]+)\s*)?\*")
_KEY_RUN = re.compile(r"[^\s:\[\]]+")
_TYPE_RUN = re.compile(r"[^\s\[\]]+")
_NAME_RUN = re.compile(r"[^\s=,\[\]]+")
# Inside a value only quotes, brackets and the value terminators matter; skip the rest at once.
_VALUE_PLAIN = re.compile(r"[^'\"()\[\]{},]+")
_OPENERS = {"(": ")", "[": "]", "{": "}"}
_CLOSERS = frozenset(")]}")
# Common spellings from other languages, answered with the Python literal they meant.
_FOREIGN_LITERALS = {"true": "True", "false": "False", "null": "None", "none": "None"}


def is_valid_key(key: str) -> bool:
    """Whether ``key`` can name an artifact (see :data:`KEY_RULE`)."""
    return isinstance(key, str) and KEY_PATTERN.fullmatch(key) is not None


def hint_error(message: str, hint: str | None = None, position: int | None = None) -> LogHintError:
    """Every log hint error carries ``.hint`` and ``.position`` so callers can point at it."""
    error = LogHintError(message)
    error.hint = hint
    error.position = position
    return error


def _syntax_error(hint: str, position: int, reason: str) -> LogHintError:
    """A parse error quotes the hint and puts a caret under the offending character."""
    shown = "".join(char if char.isprintable() else " " for char in hint)
    message = (
        f"invalid log hint {hint!r} at position {position}: {reason}\n"
        f"  {shown}\n"
        f"  {' ' * position}^"
    )
    return hint_error(message, hint, position)


def round_trips(value: Any) -> bool:
    """Whether ``literal_eval(repr(value)) == value``, judged by type so no repr is guessed at."""
    kind = type(value)
    if kind in (str, bytes, bool, int) or value is None:
        return True
    if kind is float:
        return math.isfinite(value)
    if kind is complex:
        return math.isfinite(value.real) and math.isfinite(value.imag)
    if kind in (list, tuple, set):
        return all(round_trips(item) for item in value)
    if kind is dict:
        return all(round_trips(k) and round_trips(v) for k, v in value.items())
    return False


def parse_shortcut(hint: str) -> dict[str, Any]:
    """The fields a shortcut string gives (``key``, ``artifact_type``, ``itemized``,
    ``packing_kwargs``), or a :class:`LogHintError` pointing at the offending character."""
    return _Parser(hint).parse()


class _Parser:
    """One pass over a shortcut string; each step reads a token and returns where it stopped."""

    __slots__ = ("end", "hint")

    def __init__(self, hint: str) -> None:
        self.hint = hint
        self.end = len(hint)

    def fail(self, position: int, reason: str) -> LogHintError:
        return _syntax_error(self.hint, position, reason)

    def skip(self, pos: int) -> int:
        return _WHITESPACE.match(self.hint, pos).end()  # type: ignore[union-attr]

    def parse(self) -> dict[str, Any]:
        hint = self.hint
        pos = self.skip(0)
        if pos == self.end:
            raise self.fail(0, "the log hint is empty")
        itemized, pos = self.prefix(pos)
        key, pos = self.key(pos)
        last = "the key"
        artifact_type = None
        if pos < self.end and hint[pos] == ":":
            artifact_type, pos = self.type(pos)
            last = "the artifact type"
        packing_kwargs: dict[str, Any] = {}
        if pos < self.end and hint[pos] == "[":
            packing_kwargs, pos = self.kwargs(pos)
            last = "the closing ']'"
        if pos < self.end:
            if hint[pos] == "]":
                raise self.fail(pos, "unbalanced ']' (no '[' opened it)")
            raise self.fail(pos, f"unexpected {hint[pos:]!r} after {last}")
        return {
            "key": key,
            "artifact_type": artifact_type,
            "itemized": itemized,
            "packing_kwargs": packing_kwargs,
        }

    def prefix(self, pos: int) -> tuple[bool | int, int]:
        match = _PREFIX.match(self.hint, pos)
        if match is None:
            return False, pos
        itemized: bool | int = True
        if match.group(1) is not None:
            try:
                itemized = int(match.group(1))
            except ValueError:  # more digits than int() converts
                raise self.fail(pos, "the itemize depth is too large") from None
            if itemized < 1:
                raise self.fail(pos, f"the itemize depth must be >= 1, not {itemized}")
        after = self.skip(match.end())
        if after == self.end:
            raise self.fail(match.end() - 1, "'*' must be followed by a key")
        return itemized, after

    def key(self, pos: int) -> tuple[str, int]:
        hint = self.hint
        match = _KEY_RUN.match(hint, pos)
        if match is None:
            raise self.fail(pos, f"a key is missing ({KEY_RULE})")
        key = match.group()
        if key[0] not in _KEY_START:
            raise self.fail(pos, f"a key cannot start with {key[0]!r} ({KEY_RULE})")
        for offset, char in enumerate(key):
            if char not in _KEY_CHARS:
                raise self.fail(pos + offset, f"{char!r} is not allowed in a key ({KEY_RULE})")
        if len(key) > MAX_KEY_LENGTH:
            raise self.fail(
                pos + MAX_KEY_LENGTH, f"the key is {len(key)} characters long ({KEY_RULE})"
            )
        after = self.skip(match.end())
        if after > match.end() and after < self.end and hint[after] in _KEY_CHARS:
            raise self.fail(match.end(), "spaces are not allowed inside a key")
        return key, after

    def type(self, colon: int) -> tuple[str, int]:
        hint = self.hint
        pos = self.skip(colon + 1)
        match = _TYPE_RUN.match(hint, pos)
        if match is None:
            raise self.fail(colon, "an artifact type must follow ':'")
        name = match.group()
        if name[0] not in _TYPE_START:
            raise self.fail(pos, f"an artifact type cannot start with {name[0]!r} ({TYPE_RULE})")
        for offset, char in enumerate(name):
            if char not in _KEY_CHARS:
                raise self.fail(
                    pos + offset, f"{char!r} is not allowed in an artifact type ({TYPE_RULE})"
                )
        after = self.skip(match.end())
        if after > match.end() and after < self.end and hint[after] in _KEY_CHARS:
            raise self.fail(match.end(), "spaces are not allowed inside an artifact type")
        return name, after

    def kwargs(self, opening: int) -> tuple[dict[str, Any], int]:
        hint = self.hint
        kwargs: dict[str, Any] = {}
        pos = self.skip(opening + 1)
        while True:
            if pos == self.end:
                raise self.fail(opening, "unbalanced '[' (no ']' closes it)")
            if hint[pos] == "]":
                return kwargs, self.skip(pos + 1)
            match = _NAME_RUN.match(hint, pos)
            if match is None:
                raise self.fail(pos, f"expected a keyword name, found {hint[pos]!r}")
            name = match.group()
            if not name.isidentifier():
                raise self.fail(pos, f"{name!r} is not a valid keyword name")
            if name in kwargs:
                raise self.fail(pos, f"{name!r} is given twice")
            pos = self.skip(match.end())
            if pos == self.end or hint[pos] != "=":
                raise self.fail(match.end(), f"expected '=' after {name!r} ({name}=<literal>)")
            kwargs[name], pos = self.value(name, self.skip(pos + 1), opening)
            if hint[pos] == ",":
                pos = self.skip(pos + 1)

    def value(self, name: str, start: int, opening: int) -> tuple[Any, int]:
        """Find where the value ends with a quote/bracket stack, then let ``ast`` judge it."""
        hint = self.hint
        stack: list[int] = []  # positions of the open brackets
        pos = start
        while True:
            match = _VALUE_PLAIN.match(hint, pos)
            if match is not None:
                pos = match.end()
            if pos == self.end:
                if stack:
                    raise self.fail(stack[-1], f"unbalanced {hint[stack[-1]]!r} (never closed)")
                raise self.fail(opening, "unbalanced '[' (no ']' closes it)")
            char = hint[pos]
            if char in "'\"":
                pos = self.string_end(pos)
            elif char in _OPENERS:
                stack.append(pos)
                pos += 1
            elif char in _CLOSERS and stack:
                expected = _OPENERS[hint[stack[-1]]]
                if char != expected:
                    raise self.fail(
                        pos, f"{char!r} does not close {hint[stack[-1]]!r} (expected {expected!r})"
                    )
                stack.pop()
                pos += 1
            elif char == "]" or (char == "," and not stack):
                break
            elif char in _CLOSERS:
                raise self.fail(pos, f"unbalanced {char!r} (nothing opened it)")
            else:  # a comma inside brackets
                pos += 1
        text = hint[start:pos].strip()
        if not text:
            raise self.fail(start, f"{name!r} has no value ({name}=<literal>)")
        return self.literal(name, text, start), pos

    def string_end(self, quote_at: int) -> int:
        """Position just after the string literal opening at ``quote_at`` (triple quotes too)."""
        hint = self.hint
        quote = hint[quote_at]
        if hint.startswith(quote * 3, quote_at):
            closing = quote * 3
            pos = quote_at + 3
        else:
            closing = quote
            pos = quote_at + 1
        while pos < self.end:
            char = hint[pos]
            if char == "\\":
                pos += 2
            elif hint.startswith(closing, pos):
                return pos + len(closing)
            else:
                pos += 1
        raise self.fail(quote_at, "unterminated string")

    def literal(self, name: str, text: str, position: int) -> Any:
        try:
            value = ast.literal_eval(ast.parse(text, mode="eval"))
        except (SyntaxError, ValueError, TypeError, MemoryError, RecursionError):
            pass
        else:
            # ``...`` and ``1e999`` (inf) evaluate, but could not be written back by ``str()``.
            if round_trips(value):
                return value
            raise self.fail(position, f"{text!r} evaluates to {value!r}, which is not a literal")
        reason = f"{text!r} is not a Python literal"
        if text.lower() in _FOREIGN_LITERALS:
            reason += f" (did you mean {name}={_FOREIGN_LITERALS[text.lower()]}?)"
        elif text.isidentifier():
            reason += f' (quote strings: {name}="{text}")'
        raise self.fail(position, reason)
