"""None, int, float and bool: run results (JSON values), or pickles when asked.

Each type has its own packager with ``PACK_SUBCLASSES = False``: ``bool`` is a subclass of ``int``
and must not be logged as ``1``, and an ``IntEnum`` member is not a plain int either (it goes to
the pickle fallback, which keeps its class).
"""

from __future__ import annotations

from typing import Any

from packagers import DefaultPackager
from packagers_stdlib._json_codec import JSON_MAX_INT_BITS

__all__ = ["BoolPackager", "FloatPackager", "IntPackager", "NonePackager", "ScalarPackager"]


class ScalarPackager(DefaultPackager):
    """A value that is its own JSON: ``result`` by default, ``object`` (pickle) on request.

    JSON writes ``nan`` and ``inf`` as ``NaN`` / ``Infinity``: Python's ``json`` reads them back,
    strict JSON parsers refuse them.
    """

    DEFAULT_PACKING_ARTIFACT_TYPE = "result"


class NonePackager(ScalarPackager):
    """``None``: a ``null`` result (the manager logs nothing for a function returning None)."""

    PACKABLE_OBJECT_TYPE = type(None)


class IntPackager(ScalarPackager):
    """``int``, any size; one too large for JSON text (~3600 digits) defaults to ``object``."""

    PACKABLE_OBJECT_TYPE = int

    def get_default_packing_artifact_type(self, obj: Any) -> str:
        return "result" if obj.bit_length() <= JSON_MAX_INT_BITS else "object"


class FloatPackager(ScalarPackager):
    """``float``, including ``-0.0``, ``nan`` and ``inf`` (see :class:`ScalarPackager`)."""

    PACKABLE_OBJECT_TYPE = float


class BoolPackager(ScalarPackager):
    """``bool``: ``true`` / ``false``, never ``1`` / ``0``."""

    PACKABLE_OBJECT_TYPE = bool
