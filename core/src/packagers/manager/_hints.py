"""The parsed-hint cache: a function's log hints are the same strings on every run."""

from __future__ import annotations

import functools
from typing import Any

from packagers.log_hint import LogHint

__all__ = ["parse_hint"]


@functools.lru_cache(maxsize=1024)
def _parse_string_hint(hint: str) -> LogHint:
    return LogHint.parse(hint)


def parse_hint(hint: str | dict[str, Any] | LogHint) -> LogHint:
    """``LogHint.parse`` with the string form cached (hints repeat on every run of a function)."""
    if isinstance(hint, str):
        return _parse_string_hint(hint)
    return LogHint.parse(hint)
