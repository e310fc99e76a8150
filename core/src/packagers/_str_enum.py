"""``StrEnum``: a closed set of names whose members are still plain strings wherever they go.

A member is a ``str``: it equals and hashes like its value, JSON writes it as its value, and
``str()``, f-strings and ``repr()`` show the value too. So a state read back from a JSON record
compares equal to the member, and every message and table reads as it did with string constants.
(``enum.StrEnum`` is missing on Python 3.10 and keeps the enum ``repr``.)
"""

from __future__ import annotations

from enum import Enum

__all__ = ["StrEnum"]


class StrEnum(str, Enum):
    def __str__(self) -> str:
        return str.__str__(self)

    def __format__(self, format_spec: str) -> str:
        return str.__format__(str.__str__(self), format_spec)

    def __repr__(self) -> str:
        return str.__repr__(str.__str__(self))
