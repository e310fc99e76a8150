"""Scalars typed as text (a shell argument, a YAML string) read as the type a parameter wants.

Shared by ``packagers run -p`` (converted by the function's type hints) and project entry points
(converted by their declared types), so ``-p n=1e3`` or ``-P flag=yes`` mean the same in both.
"""

from __future__ import annotations

import math

__all__ = ["TextValueError", "to_bool", "to_float", "to_int"]

_TRUE = frozenset({"true", "yes", "on", "1"})
_FALSE = frozenset({"false", "no", "off", "0"})


class TextValueError(ValueError):
    """The text is not a value of the type; the message completes "the value ..."."""


def to_int(value: str | int) -> int:
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise TextValueError("is not an integer")
    try:
        return int(value)
    except ValueError:
        raise TextValueError("is not an integer") from None


def to_float(value: str | int | float) -> float:
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise TextValueError("is not a number")
    try:
        number = float(value)
    except ValueError:
        raise TextValueError("is not a number") from None
    if not math.isfinite(number):
        raise TextValueError("is not a finite number (nan and inf are refused)")
    return number


def to_bool(value: str | int | bool) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower() if isinstance(value, (str, int)) else None
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise TextValueError("is not a boolean (true/false, yes/no, on/off, 1/0)")
