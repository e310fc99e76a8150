"""What becomes a result: values small enough for a run record, in their plain JSON form.

Results live inside run records, which are JSON and are read by people and UIs, so a value is a
result by default only when it is plain JSON-able and at most :data:`RESULT_MAX_CHARS` characters
of compact JSON. Larger values default to a ``file`` artifact.
"""

from __future__ import annotations

import json
from typing import Any

from packagers_stdlib._json_codec import JSON_MAX_INT_BITS, CodecError, ordered

__all__ = ["RESULT_MAX_CHARS", "fits_result", "to_result"]

#: The largest value (as compact JSON text, escapes not counted) that defaults to a result.
RESULT_MAX_CHARS = 4096

_CONTAINERS = (list, tuple, set, frozenset)
_KEY_TYPES = (int, float, bool, type(None))


def fits_result(obj: Any, limit: int = RESULT_MAX_CHARS) -> bool:
    """Whether ``obj`` is at most ``limit`` characters of JSON with nothing lost but sequence types.

    Dicts must have str keys (JSON would turn other keys into strings) and only the builtin
    scalars and containers may nest. Tuples and sets count: as results they become JSON arrays.
    The walk stops as soon as the budget is spent, so a large container costs next to nothing.
    """
    size = 0
    stack = [obj]
    while stack:
        value = stack.pop()
        tp = type(value)
        if tp is str:
            size += len(value) + 2
        elif tp is bool or value is None:
            size += 5
        elif tp is int:
            if value.bit_length() > JSON_MAX_INT_BITS:
                return False
            size += len(str(value))
        elif tp is float:
            size += len(repr(value))
        elif tp in _CONTAINERS:
            size += len(value) + 1
            stack.extend(value)
        elif tp is dict:
            size += len(value) + 1
            for key, item in value.items():
                if type(key) is not str:
                    return False
                size += len(key) + 3
                stack.append(item)
        else:
            return False
        if size > limit:
            return False
    return True


def to_result(obj: Any) -> Any:
    """The plain JSON value a run record stores for ``obj``: lossy by design.

    Tuples, sets and frozensets become lists (sets sorted when their items compare); int, float,
    bool and None dict keys become strings as ``json`` writes them. Anything without a JSON form
    (bytes, objects, tuple keys) is a :class:`CodecError` saying where it is.
    """
    tp = type(obj)
    if tp in (str, int, float, bool) or obj is None:
        return obj
    if tp is list or tp is tuple or tp is set or tp is frozenset:
        items = ordered(obj) if tp is set or tp is frozenset else obj
        out = []
        for index, value in enumerate(items):
            try:
                out.append(to_result(value))
            except CodecError as error:
                error.parts.append(f"[{index}]")
                raise
        return out
    if tp is dict:
        result = {}
        for key, value in obj.items():
            try:
                result[_result_key(key)] = to_result(value)
            except CodecError as error:
                error.parts.append(f"[{key!r}]")
                raise
        return result
    raise CodecError(f"a {tp.__module__}.{tp.__qualname__} has no JSON form")


def _result_key(key: Any) -> str:
    if type(key) is str:
        return key
    if type(key) in _KEY_TYPES:
        return json.dumps(key)
    raise CodecError(f"a {type(key).__qualname__} key has no JSON form")
