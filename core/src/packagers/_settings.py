"""The settings table: one ``Setting`` row per setting, from which everything else is made.

Each row says a setting's path, type, default, help and the rule its values follow; the settings
tree (:mod:`packagers._config`), its environment variables, its error messages and the settings
docs (checked by tests/test_docs.py) are all read from :data:`SETTINGS`. Adding a setting is
adding a row here.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from packagers._errors import ConfigError

__all__ = ["ENV_PREFIX", "SETTINGS", "Setting"]

ENV_PREFIX = "MLRUN_PACKAGERS__"
"""Every variable under this prefix must name a setting; ``__`` separates nesting levels."""

_TRUE = frozenset({"true", "1", "yes", "on"})
_FALSE = frozenset({"false", "0", "no", "off"})
_INVALID = object()  # a parser's "cannot coerce": lets one place build the error message


def _parse_bool(value: object) -> Any:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        text = value.strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
    return _INVALID


def _parse_int(value: object) -> Any:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str):
        text = value.strip()
        digits = text[1:] if text[:1] in ("+", "-") else text
        # int() alone would also take "1_000" and non-ASCII digits; "decimal" means [0-9]+.
        if digits.isascii() and digits.isdigit():
            return int(text)
    return _INVALID


def _parse_str(value: object) -> Any:
    if isinstance(value, str) and value.strip():
        return value.strip()
    return _INVALID


def _parse_optional_str(value: object) -> Any:
    # An empty variable is the usual way to unset a value without removing the variable.
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return _parse_str(value)


def _parse_str_list(value: object) -> Any:
    items: object = value
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            try:
                items = json.loads(text)
            except ValueError:
                return _INVALID
        else:
            items = text.split(",")
    if not isinstance(items, (list, tuple)) or not all(isinstance(i, str) for i in items):
        return _INVALID
    return [item.strip() for item in items if item.strip()]


_PARSERS = {
    "bool": _parse_bool,
    "int": _parse_int,
    "str": _parse_str,
    "str | None": _parse_optional_str,
    "list[str]": _parse_str_list,
}

_ACCEPTED = {
    "bool": "a boolean: true/false/1/0/yes/no/on/off",
    "int": "a decimal integer",
    "str": "a non-empty string",
    "str | None": "a string (empty or None to unset)",
    "list[str]": 'a list of names: comma-separated (a,b) or a JSON array of strings (["a", "b"])',
}


def _is_key(value: str) -> bool:
    from packagers.log_hint import is_valid_key

    return is_valid_key(value)


@dataclass(frozen=True)
class Setting:
    """One row of the settings table, the single definition the tree, docs and errors use."""

    path: str
    type: str  # a key of _PARSERS, spelled as the Python annotation the docs show
    default: Any  # lists are given as tuples so the table stays immutable
    help: str
    choices: tuple[str, ...] = ()
    minimum: int | None = None
    dotted_name: bool = False
    #: The value becomes part of log hint keys (or store paths), so it must be a key itself.
    key: bool = False
    #: For ``str | None``: blank text is an error rather than a way to unset the value.
    blank_is_error: bool = False
    #: Why a well-formed value still cannot be used (the rule the type cannot say), or None.
    check: Callable[[Any], str | None] | None = None
    #: A credential: shown as ``HIDDEN`` wherever settings are displayed, so it stays out of logs.
    secret: bool = False

    @property
    def env_var(self) -> str:
        """The canonical environment variable name (matching is case-insensitive)."""
        return ENV_PREFIX + self.path.replace(".", "__").upper()

    @property
    def accepted(self) -> str:
        """What a valid value looks like, in words."""
        if self.choices:
            return "one of " + ", ".join(self.choices)
        if self.dotted_name:
            return "an importable dotted module name (e.g. cloudpickle or package.module)"
        if self.minimum is not None:
            return f"a decimal integer >= {self.minimum}"
        if self.key:
            from packagers.log_hint import KEY_RULE

            return KEY_RULE.replace("a key is", "a key:", 1)
        if self.blank_is_error:
            return "a non-empty string (unset the variable, or assign None, to unset it)"
        return _ACCEPTED[self.type]

    def parse(self, value: object, where: str) -> Any:
        """Coerce a raw env string or a code-set value; on failure name ``where`` and the rule."""
        parsed = _PARSERS[self.type](value)
        if isinstance(parsed, str) and self.choices:
            parsed = parsed.lower()
        if self.blank_is_error and isinstance(value, str) and not value.strip():
            parsed = _INVALID
        if (
            parsed is _INVALID
            or (self.choices and parsed not in self.choices)
            or (self.minimum is not None and parsed < self.minimum)
            or (self.dotted_name and not all(p.isidentifier() for p in parsed.split(".")))
            or (self.key and not _is_key(parsed))
        ):
            raise ConfigError(f"{where}: invalid value {value!r}; expected {self.accepted}")
        problem = None if self.check is None or parsed is None else self.check(parsed)
        if problem is not None:
            raise ConfigError(f"{where}: invalid value {value!r}: {problem}")
        return parsed

    def default_value(self) -> Any:
        """The default as users see it (a fresh list for list settings)."""
        return list(self.default) if self.type == "list[str]" else self.default


def _check_logging_worker(worker: int) -> str | None:
    """A logging worker beyond the last rank would make a run that logs nothing."""
    from packagers.runner.rank import world_size

    known = world_size()
    if known is None or worker < known[1]:
        return None
    name, size = known
    return f"there is no such rank: {name}={size} numbers the workers 0 to {size - 1}"


_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]+)://(.*)\Z", re.DOTALL)


def _check_store_url(url: str) -> str | None:
    """A URL must name a place; a local store must be a directory that exists or can be made."""
    matched = _SCHEME.match(url)
    if matched is not None and matched[1].lower() != "file":
        if not matched[2].strip("/"):
            return (
                f"the {matched[1]}:// URL names no bucket or path "
                f"(e.g. {matched[1]}://bucket/prefix)"
            )
        return None
    path = os.path.abspath(os.path.expanduser(matched[2] if matched else url))
    if os.path.exists(path):
        return None if os.path.isdir(path) else f"{path} is a file, not a directory"
    parent = os.path.dirname(path)
    while not os.path.exists(parent):
        parent = os.path.dirname(parent)
    if not os.path.isdir(parent):
        return f"the store directory {path} cannot be created: {parent} is a file"
    if not os.access(parent, os.W_OK | os.X_OK):
        return f"the store directory {path} cannot be created: {parent} is not writable"
    return None


def _check_pickle_module(name: str) -> str | None:
    """The module must pickle: a module without ``dumps``/``loads`` fails only at the first pickle.

    One that cannot be imported here is left to the pickle that needs it, which says so.
    """
    import importlib

    try:
        module = importlib.import_module(name)
    except ImportError:
        return None
    missing = [f for f in ("dumps", "loads") if not callable(getattr(module, f, None))]
    if not missing:
        return None
    return (
        f"module {name!r} has no {' or '.join(missing)}, so it cannot pickle; name a "
        "pickle-compatible module (pickle, cloudpickle, dill ...)"
    )


SETTINGS: tuple[Setting, ...] = (
    Setting("enabled", "bool", True, "Master switch for automatic unpacking/packing in runs."),
    Setting(
        "auto_unpack_inputs",
        "bool",
        False,
        "Unpack un-hinted inputs that were packed by packagers.",
    ),
    Setting("auto_pack_outputs", "bool", False, "Pack returned values that have no log hint."),
    Setting("auto_pack_key", "str", "artifact", "Base key of auto-packed outputs.", key=True),
    Setting(
        "pack_tuples",
        "bool",
        False,
        "A returned tuple is one object instead of several outputs.",
    ),
    Setting(
        "logging_worker",
        "int",
        0,
        "In multi-worker runs only this rank logs.",
        minimum=0,
        check=_check_logging_worker,
    ),
    Setting("strict", "bool", False, "Every packagers warning becomes an error (for CI)."),
    Setting("project", "str", "default", "Default project name.", key=True),
    Setting(
        "store.url",
        "str",
        ".packagers",
        "Where the embedded store lives (local path or any fsspec URL).",
        check=_check_store_url,
    ),
    Setting(
        "store.durability",
        "str",
        "process",
        "What a local store's writes survive: the writer crashing, or a power loss too (fsync).",
        choices=("process", "power"),
    ),
    Setting(
        "archive.max_size",
        "int",
        32 << 30,
        "Most bytes reading one archive (a directory's zip or tar, an npz) may expand to.",
        minimum=1,
    ),
    Setting(
        "archive.max_ratio",
        "int",
        200,
        "Most times its own size an archive may expand to, once 64 MiB are out.",
        minimum=1,
    ),
    Setting(
        "dask.address",
        "str | None",
        None,
        "Scheduler of the dask executor (tcp://host:8786); unset: a LocalCluster on demand.",
    ),
    Setting(
        "dask.shared_path",
        "bool",
        False,
        "A local-directory store is shared by every dask worker (a network mount).",
    ),
    Setting(
        "dask.envelope_limit",
        "int",
        65536,
        "Most bytes a dask task's envelope may take; larger values go through the store.",
        minimum=1024,
    ),
    Setting("plugins.autoload", "bool", True, "Collect plugins from entry points."),
    Setting("plugins.mandatory", "list[str]", (), "Plugin (entry-point) names that must load."),
    Setting("plugins.blocked", "list[str]", (), "Plugin names never loaded."),
    Setting(
        "preview.enabled",
        "bool",
        True,
        "Packagers make a small preview of each artifact they pack, stored beside its manifest.",
    ),
    Setting(
        "pickle.module",
        "str",
        "cloudpickle",
        "Module used to pickle/unpickle fallback objects.",
        dotted_name=True,
        check=_check_pickle_module,
    ),
    Setting(
        "pickle.policy",
        "str",
        "warn",
        "What happens when an artifact needs unpickling.",
        choices=("allow", "warn", "deny"),
    ),
    Setting(
        "pickle.signing_key",
        "str | None",
        None,
        "When set, pickles are HMAC-signed and unsigned ones refused.",
        blank_is_error=True,
        secret=True,
    ),
    Setting(
        "projects.env_dir",
        "str | None",
        None,
        "Where project environments are built and cached (unset: the user cache directory).",
    ),
    Setting(
        "projects.source_dir",
        "str | None",
        None,
        "Where git sources of projects are cloned and cached (unset: the user cache directory).",
    ),
    Setting(
        "projects.cache_days",
        "int",
        30,
        "Cached environments and clones unused for this many days are removed.",
        minimum=1,
    ),
)
