"""Whether JSON can hold a value: one check for manifests, run records and worker envelopes."""

from __future__ import annotations

import json
from typing import Any

__all__ = ["json_error", "json_safe", "survives_json"]

_SCALARS = (str, int, float, bool, type(None))


def json_error(value: Any) -> Exception | None:
    """The error JSON raises for ``value``, or None when it can write it."""
    if type(value) in _SCALARS:
        return None
    try:
        json.dumps(value)
    except (TypeError, ValueError, RecursionError) as error:
        return error
    return None


def json_safe(value: Any) -> Any:
    """``value`` when JSON can hold it, else its (shortened) repr, so a record always saves."""
    if json_error(value) is None:
        return value
    text = repr(value)
    return text if len(text) <= 200 else text[:199] + "…"


def survives_json(value: Any) -> bool:
    """Whether ``value`` comes back from JSON equal (a tuple or an int key does not)."""
    if json_error(value) is not None:
        return False
    return bool(json.loads(json.dumps(value)) == value)
