"""The text formats container files are written in: json (default), yaml and toml.

Each format writes a JSON-native tree (see :mod:`packagers_stdlib._json_codec`) and reads one back;
with ``tagged`` the typed-JSON tags are turned back into their values. PyYAML and tomli-w are
imported only when their format is used (extras ``packagers-stdlib[yaml]`` / ``[toml]``).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO, Any

from packagers.formats import Format, FormatRegistry
from packagers_stdlib._json_codec import JSON_MAX_INT_BITS, decode, untag

__all__ = ["DEFAULT_FORMAT", "FORMATS", "TextFormat"]


@dataclass(frozen=True, kw_only=True)
class TextFormat(Format):
    """A container file format and what it can hold."""

    #: Larger ints are tagged (TOML integers are 64-bit).
    max_int_bits: int
    holds_none: bool
    #: Only a dict with str keys can be the top level (a TOML document is a table).
    table_only: bool
    _write: Callable[[Any], bytes]
    _read: Callable[[IO[bytes], bool], Any]

    def write(self, tree: Any, path: str) -> None:
        """Encode first, so a missing library or an unwritable value leaves no file behind."""
        data = self._write(tree)
        with open(path, "wb") as stream:
            stream.write(data)

    def read(self, path: str, tagged: bool) -> Any:
        with open(path, "rb") as stream:
            return self._read(stream, tagged)


def _write_json(tree: Any) -> bytes:
    # One C-encoded string (indent would switch json to its pure-Python encoder). Lone surrogates
    # are not UTF-8: fall back to \u escapes, which json reads back exactly.
    text = json.dumps(tree, ensure_ascii=False, allow_nan=False)
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        return json.dumps(tree, allow_nan=False).encode("ascii")


def _read_json(stream: IO[bytes], tagged: bool) -> Any:
    return json.loads(stream.read(), object_hook=untag if tagged else None)


def _yaml() -> Any:
    import yaml

    return yaml


def _write_yaml(tree: Any) -> bytes:
    yaml = _yaml()
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    data: bytes = yaml.dump(
        tree, Dumper=dumper, encoding="utf-8", allow_unicode=True, sort_keys=False
    )
    return data


def _read_yaml(stream: IO[bytes], tagged: bool) -> Any:
    yaml = _yaml()
    tree = yaml.load(stream, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    return decode(tree) if tagged else tree


def _write_toml(tree: Any) -> bytes:
    import tomli_w

    return tomli_w.dumps(tree).encode("utf-8")


def _read_toml(stream: IO[bytes], tagged: bool) -> Any:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on Python 3.10 only
        import tomli as tomllib

    tree = tomllib.load(stream)
    return decode(tree) if tagged else tree


_JSON = TextFormat(
    name="json",
    suffixes=(".json",),
    max_int_bits=JSON_MAX_INT_BITS,
    holds_none=True,
    table_only=False,
    _write=_write_json,
    _read=_read_json,
)
_YAML = TextFormat(
    name="yaml",
    suffixes=(".yaml", ".yml"),
    aliases=("yml",),
    max_int_bits=JSON_MAX_INT_BITS,
    holds_none=True,
    table_only=False,
    library="yaml",
    install="pip install pyyaml (or pip install 'packagers-stdlib[yaml]')",
    _write=_write_yaml,
    _read=_read_yaml,
)
_TOML = TextFormat(
    name="toml",
    suffixes=(".toml",),
    max_int_bits=63,
    holds_none=False,
    table_only=True,
    library="tomli_w",
    install="pip install 'packagers-stdlib[toml]' (tomli-w, and tomli before Python 3.11)",
    _write=_write_toml,
    _read=_read_toml,
)
FORMATS: FormatRegistry[TextFormat] = FormatRegistry("container", (_JSON, _YAML, _TOML))
DEFAULT_FORMAT = "json"
