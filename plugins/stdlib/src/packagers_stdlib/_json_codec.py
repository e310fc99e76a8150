"""The typed JSON encoding: plain JSON wherever JSON can say it, a one-key tag where it cannot.

Container files hold JSON-native trees (objects with string keys, arrays, strings, finite numbers,
booleans, null), so any JSON, YAML or TOML reader opens them. A value JSON has no word for becomes
an object with a single key naming its type::

    {"$tuple": [...]}   {"$set": [...]}   {"$frozenset": [...]}
    {"$bytes": "<base64>"}   {"$bytearray": "<base64>"}
    {"$dict": [[key, value], ...]}   a dict with a key that is not a str (keys keep their type)
    {"$float": "nan" | "inf" | "-inf"}   so files stay strict JSON
    {"$int": "<hex>"}   an int too large for the format (TOML: 64 bits; JSON: ~3600 digits)

A user's dict that would read as a tag (one key, and that key is a tag name) is written as
``$dict`` so it is never mistaken for one. Tags are only read back when the instructions name
:data:`CODEC`: a JSON file a user wrote by hand is read as plain JSON, whatever its keys.
"""

from __future__ import annotations

import base64
import math
from collections.abc import Callable, Iterable
from typing import Any

__all__ = [
    "CODEC",
    "JSON_MAX_INT_BITS",
    "CodecError",
    "NullError",
    "decode",
    "encode",
    "encode_items",
    "ordered",
    "untag",
]

#: Recorded in the instructions of every file written with tags; bump it on incompatible change.
CODEC = "stdlib-typed-json/1"

#: Larger ints are tagged: CPython refuses int <-> decimal text beyond 4300 digits.
JSON_MAX_INT_BITS = 12_000


class CodecError(ValueError):
    """A value has no typed-JSON form; ``where`` is filled in while the error unwinds."""

    def __init__(self, problem: str) -> None:
        super().__init__(problem)
        self.problem = problem
        self.parts: list[str] = []

    @property
    def where(self) -> str:
        """Where the value sits, as Python subscripts: ``["a"][3]`` (empty at the top level)."""
        return "".join(reversed(self.parts))

    def __str__(self) -> str:
        return f"value{self.where}: {self.problem}" if self.parts else self.problem


class NullError(CodecError):
    """A None where the format has no null (TOML)."""


def ordered(items: Iterable[Any]) -> list[Any]:
    """Set items sorted when they compare, so equal sets give equal files (and equal digests)."""
    items = list(items)
    try:
        return sorted(items)
    except TypeError:
        return items


class _Encoder:
    def __init__(self, max_int_bits: int, allow_none: bool) -> None:
        self.max_int_bits = max_int_bits
        self.allow_none = allow_none

    def encode(self, obj: Any) -> Any:
        tp = type(obj)
        if tp is str or tp is bool:
            return obj
        if tp is int:
            return obj if obj.bit_length() <= self.max_int_bits else {"$int": hex(obj)}
        if tp is float:
            return obj if math.isfinite(obj) else {"$float": repr(obj)}
        if obj is None:
            if not self.allow_none:
                raise NullError("None has no form in this format")
            return None
        if tp is list:
            return self.items(obj)
        if tp is dict:
            return self.mapping(obj)
        if tp is tuple:
            return {"$tuple": self.items(obj)}
        if tp is set or tp is frozenset:
            return {f"${tp.__name__}": self.items(ordered(obj))}
        if tp is bytes or tp is bytearray:
            return {f"${tp.__name__}": base64.b64encode(obj).decode("ascii")}
        raise CodecError(
            f"a {tp.__module__}.{tp.__qualname__} has no typed-JSON form (only None, bool, int, "
            "float, str, bytes, bytearray, list, tuple, set, frozenset and dict nest)"
        )

    def items(self, items: Iterable[Any], keys: list[Any] | None = None) -> list[Any]:
        """Encoded items; ``keys`` name them in error messages (a dict's keys) instead of indexes.

        The scalar test is inlined: it is the hot path of every large container.
        """
        out: list[Any] = []
        append = out.append
        isfinite = math.isfinite
        max_int_bits = self.max_int_bits
        for index, value in enumerate(items):
            tp = type(value)
            if (
                tp is str
                or tp is bool
                or (tp is float and isfinite(value))
                or (tp is int and value.bit_length() <= max_int_bits)
            ):
                append(value)
                continue
            try:
                append(self.encode(value))
            except CodecError as error:
                error.parts.append(f"[{index}]" if keys is None else f"[{keys[index]!r}]")
                raise
        return out

    def mapping(self, obj: dict[Any, Any]) -> Any:
        keys = list(obj)
        looks_tagged = len(keys) == 1 and keys[0] in _DECODERS
        if not looks_tagged and all(type(key) is str for key in keys):
            return dict(zip(keys, self.items(obj.values(), keys), strict=True))
        pairs = []
        for key, value in obj.items():
            try:
                pairs.append([self.encode(key), self.encode(value)])
            except CodecError as error:
                error.parts.append(f"[{key!r}]")
                raise
        return {"$dict": pairs}


def encode(obj: Any, *, max_int_bits: int = JSON_MAX_INT_BITS, allow_none: bool = True) -> Any:
    """The JSON-native tree of ``obj``; a :class:`CodecError` says where a value has no form."""
    return _Encoder(max_int_bits, allow_none).encode(obj)


def encode_items(
    items: Iterable[Any], *, max_int_bits: int = JSON_MAX_INT_BITS, allow_none: bool = True
) -> list[Any]:
    """A plain JSON array of encoded items: the top level of a list, tuple or set file.

    The packager knows its own type, so the top level needs no tag and the file stays a plain
    array a user can read.
    """
    return _Encoder(max_int_bits, allow_none).items(items)


def _pairs(pairs: list[list[Any]]) -> dict[Any, Any]:
    return {key: value for key, value in pairs}


_DECODERS: dict[str, Callable[[Any], Any]] = {
    "$tuple": tuple,
    "$set": set,
    "$frozenset": frozenset,
    "$bytes": lambda text: base64.b64decode(text, validate=True),
    "$bytearray": lambda text: bytearray(base64.b64decode(text, validate=True)),
    "$dict": _pairs,
    "$float": float,
    "$int": lambda text: int(text, 16),
}


def untag(obj: dict[str, Any]) -> Any:
    """The value a tag object stands for (other objects unchanged): a ``json`` object hook."""
    if len(obj) != 1:
        return obj
    ((tag, payload),) = obj.items()
    decoder = _DECODERS.get(tag)
    return obj if decoder is None else decoder(payload)


def decode(tree: Any) -> Any:
    """Undo :func:`encode` on a tree a YAML or TOML reader returned (JSON uses :func:`untag`)."""
    tp = type(tree)
    if tp is list:
        return [decode(value) for value in tree]
    if tp is dict:
        return untag({key: decode(value) for key, value in tree.items()})
    return tree
