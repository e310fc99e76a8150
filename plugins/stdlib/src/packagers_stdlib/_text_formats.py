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

from packagers_stdlib._json_codec import JSON_MAX_INT_BITS, decode, untag

__all__ = ["DEFAULT_FORMAT", "FORMATS", "TextFormat", "format_for_suffix", "get_format"]


@dataclass(frozen=True)
class TextFormat:
    """A container file format and what it can hold."""

    name: str
    suffixes: tuple[str, ...]
    #: Larger ints are tagged (TOML integers are 64-bit).
    max_int_bits: int
    holds_none: bool
    #: Only a dict with str keys can be the top level (a TOML document is a table).
    table_only: bool
    #: The pip requirement and the packagers-stdlib extra that installs it, when not stdlib.
    requirement: tuple[str, str] | None
    _write: Callable[[Any], bytes]
    _read: Callable[[IO[bytes], bool], Any]

    @property
    def suffix(self) -> str:
        return self.suffixes[0]

    def write(self, tree: Any, path: str) -> None:
        """Encode first, so a missing library or an unwritable value leaves no file behind."""
        data = self._write(tree)
        with open(path, "wb") as stream:
            stream.write(data)

    def read(self, path: str, tagged: bool) -> Any:
        with open(path, "rb") as stream:
            return self._read(stream, tagged)

    def install_hint(self) -> str:
        if self.requirement is None:
            return ""
        package, extra = self.requirement
        return f"the {self.name} format needs {package}: pip install 'packagers-stdlib[{extra}]'"


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
    import yaml  # type: ignore[import-untyped]

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
    "json",
    (".json",),
    max_int_bits=JSON_MAX_INT_BITS,
    holds_none=True,
    table_only=False,
    requirement=None,
    _write=_write_json,
    _read=_read_json,
)
_YAML = TextFormat(
    "yaml",
    (".yaml", ".yml"),
    max_int_bits=JSON_MAX_INT_BITS,
    holds_none=True,
    table_only=False,
    requirement=("pyyaml", "yaml"),
    _write=_write_yaml,
    _read=_read_yaml,
)
_TOML = TextFormat(
    "toml",
    (".toml",),
    max_int_bits=63,
    holds_none=False,
    table_only=True,
    requirement=("tomli-w (and tomli before Python 3.11)", "toml"),
    _write=_write_toml,
    _read=_read_toml,
)
FORMATS: dict[str, TextFormat] = {fmt.name: fmt for fmt in (_JSON, _YAML, _TOML)}
DEFAULT_FORMAT = "json"
_ALIASES = {"yml": "yaml"}


def get_format(name: str) -> TextFormat | None:
    """The format called ``name`` (case-insensitive, ``yml`` for yaml), or None."""
    name = name.lower()
    return FORMATS.get(_ALIASES.get(name, name))


def format_for_suffix(suffix: str) -> TextFormat | None:
    """The format a plain file's suffix names (``.yml``, ``.data.json``), or None."""
    suffix = suffix.lower()
    for fmt in FORMATS.values():
        if suffix.endswith(fmt.suffixes):
            return fmt
    return None
