"""Settings of packagers: one table, filled from code, ``MLRUN_PACKAGERS__*`` variables or defaults.

Precedence is value set in code > environment variable > default. The environment is parsed
once, on the first read (and again on ``config.reload()``); the effective values are then
stored as plain instance attributes, so hot paths pay no more than an attribute lookup.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from packagers._errors import ConfigError
from packagers._warnings import warn

__all__ = ["ENV_PREFIX", "SETTINGS", "Config", "Setting", "config"]

ENV_PREFIX = "MLRUN_PACKAGERS__"
"""Every variable under this prefix must name a setting; ``__`` separates nesting levels."""

_TRUE = frozenset({"true", "1", "yes", "on"})
_FALSE = frozenset({"false", "0", "no", "off"})
_INVALID = object()  # a parser's "cannot coerce": lets one place build the error message
_UNSET = object()  # "no value set in code", distinct from a code-set None


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
        "archive.max_size",
        "int",
        32 << 30,
        "Most bytes extracting one directory archive may write.",
        minimum=1,
    ),
    Setting(
        "archive.max_ratio",
        "int",
        200,
        "Most times its own size an archive may extract to.",
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

_BY_PATH = {s.path: s for s in SETTINGS}
_BY_ENV = {s.env_var: s for s in SETTINGS}


def _unknown(what: str, name: str, key: str, known: list[str]) -> ConfigError:
    """An error for a misspelt name (``key`` is its normalised form), suggesting a close one."""
    import difflib  # only on the error path, to keep `import packagers` cheap

    close = difflib.get_close_matches(key, known, n=1)
    hint = f" (did you mean {close[0]}?)" if close else ""
    return ConfigError(f"{name!r} is not a known {what}{hint}; known: {', '.join(known)}")


#: Names that look meant for packagers but miss the prefix: ``PACKAGERS__X``, one underscore ...
_NEAR_PREFIX = re.compile(r"(?:MLRUN_*PACKAGERS?|PACKAGERS?__)_*(.*)\Z", re.DOTALL)


def _near_miss(name: str) -> str | None:
    """Why a variable whose prefix is misspelt is ignored, naming the right variable when the
    rest names a setting (underscores counted loosely); None for other variables."""
    matched = _NEAR_PREFIX.match(name.upper())
    if matched is None:
        return None
    rest = re.sub("_+", "_", matched[1])
    wanted = [s.env_var for s in SETTINGS if re.sub("[._]+", "_", s.path.upper()) == rest]
    guess = f"; did you mean {wanted[0]}?" if wanted else ""
    return (
        f"the environment variable {name} is ignored: packagers reads only variables named "
        f"{ENV_PREFIX}<SETTING>, with two underscores between levels{guess}"
    )


def _read_env() -> tuple[dict[str, tuple[str, Any]], list[str]]:
    """Parse every ``MLRUN_PACKAGERS__*`` variable: setting path -> (variable name, value), and
    warnings about variables that were probably meant for packagers but are ignored."""
    found: dict[str, tuple[str, Any]] = {}
    notes: list[str] = []
    for name, raw in os.environ.items():
        upper = name.upper()
        if not upper.startswith(ENV_PREFIX):
            note = _near_miss(name)
            if note is not None:
                notes.append(note)
            continue
        setting = _BY_ENV.get(upper)
        if setting is None:
            raise _unknown("packagers environment variable", name, upper, list(_BY_ENV))
        value = setting.parse(raw, name)
        previous = found.get(setting.path)
        # Only possible where the environment is case-sensitive (not on Windows).
        if previous is not None and previous[1] != value:
            raise ConfigError(
                f"{previous[0]} and {name} both set {setting.env_var} to different values "
                f"({previous[1]!r} and {value!r}); keep one"
            )
        found[setting.path] = (name, value)
    return found, notes


class _Group:
    """A node of the settings tree; its settings become plain attributes once the env is read."""

    _root: Config
    _label: str
    _leaves: dict[str, Setting]
    _groups: dict[str, _Group]

    def __init__(self, root: Config, path: str) -> None:
        object.__setattr__(self, "_root", root)
        object.__setattr__(self, "_label", f"config.{path}" if path else "config")
        object.__setattr__(self, "_leaves", {})  # attribute name -> Setting
        object.__setattr__(self, "_groups", {})  # attribute name -> _Group

    def __getattr__(self, name: str) -> Any:
        # Only called on a miss: either the environment has not been read yet, or a bad name.
        if name.startswith("_"):
            raise AttributeError(name)
        if name in self._leaves:
            self._root._load()
            return self.__dict__[name]
        raise AttributeError(f"{self._label} has no setting {name!r}; known: {self._known()}")

    def __setattr__(self, name: str, value: Any) -> None:
        setting = self._leaves.get(name)
        if setting is not None:
            self._root._set(setting.path, value)
        elif name in self._groups:
            example = next(iter(self._groups[name]._leaves))
            raise ConfigError(
                f"{self._label}.{name} is a group of settings; assign one of them, "
                f"e.g. {self._label}.{name}.{example}"
            )
        else:
            raise ConfigError(f"{self._label} has no setting {name!r}; known: {self._known()}")

    def __delattr__(self, name: str) -> None:
        raise ConfigError(
            f"cannot delete {self._label}.{name}; use config.reset() or config.override()"
        )

    def _known(self) -> str:
        return ", ".join([*self._leaves, *self._groups])


class Config(_Group):
    """The root of the settings tree (``packagers.config``), built from :data:`SETTINGS`."""

    _code: dict[str, Any]
    _env: dict[str, tuple[str, Any]] | None
    _nodes: dict[str, tuple[_Group, str]]

    def __init__(self) -> None:
        super().__init__(self, "")
        object.__setattr__(self, "_code", {})  # path -> value set in code
        object.__setattr__(self, "_env", None)  # path -> (variable, value); None until read
        nodes: dict[str, tuple[_Group, str]] = {}
        for setting in SETTINGS:
            *groups, leaf = setting.path.split(".")
            node: _Group = self
            for i, part in enumerate(groups):
                if part not in node._groups:
                    child = _Group(self, ".".join(groups[: i + 1]))
                    node._groups[part] = child
                    object.__setattr__(node, part, child)
                node = node._groups[part]
            node._leaves[leaf] = setting
            nodes[setting.path] = (node, leaf)
        object.__setattr__(self, "_nodes", nodes)

    def _load(self) -> dict[str, tuple[str, Any]]:
        """Read the environment if it is not cached and publish every effective value."""
        env = self._env
        if env is None:
            env, notes = _read_env()
            # Publish before caching: a concurrent reader that sees the cache finds every value.
            for path, (node, leaf) in self._nodes.items():
                object.__setattr__(node, leaf, self._effective(path, env))
            try:
                for note in notes:  # once the values are published: warn() reads `strict`
                    warn(note, ConfigError)
            except BaseException:
                self._forget_env()  # strict mode: every read raises until the variable is fixed
                raise
            object.__setattr__(self, "_env", env)
        return env

    def _forget_env(self) -> None:
        """Drop the cached environment and the published values, so the next read loads."""
        object.__setattr__(self, "_env", None)
        for node, leaf in self._nodes.values():
            node.__dict__.pop(leaf, None)

    def _publish(self, path: str) -> None:
        """Store the effective value of ``path`` as an attribute, once the environment is read."""
        if self._env is not None:
            node, leaf = self._nodes[path]
            object.__setattr__(node, leaf, self._effective(path, self._env))

    def _effective(self, path: str, env: dict[str, tuple[str, Any]]) -> Any:
        if path in self._code:
            return self._code[path]
        if path in env:
            return env[path][1]
        return _BY_PATH[path].default_value()

    def _set(self, path: str, value: Any) -> None:
        self._code[path] = _BY_PATH[path].parse(value, f"config.{path}")
        self._publish(path)

    @contextlib.contextmanager
    def override(self, **changes: Any) -> Iterator[Config]:
        """Set values in code for a block, then restore the previous code-set values.

        Nested names use ``__`` (``pickle__policy="deny"``) or dots via a dict
        (``**{"pickle.policy": "deny"}``). Every value is validated before any is applied.
        """
        parsed: dict[str, Any] = {}
        for key, value in changes.items():
            path = key.replace("__", ".")
            if path not in _BY_PATH:
                raise _unknown("setting", key, path, list(_BY_PATH))
            parsed[path] = _BY_PATH[path].parse(value, f"config.{path}")
        saved = {path: self._code.get(path, _UNSET) for path in parsed}
        for path, value in parsed.items():
            self._code[path] = value
            self._publish(path)
        try:
            yield self
        finally:
            for path, value in saved.items():
                if value is _UNSET:
                    self._code.pop(path, None)
                else:
                    self._code[path] = value
                self._publish(path)

    def reset(self) -> None:
        """Forget values set in code and the cached environment; the next read re-reads it."""
        self._code.clear()
        self._forget_env()

    def reload(self) -> None:
        """Re-read the environment now (code-set values are kept); raises on a bad variable."""
        self._forget_env()
        self._load()

    def as_dict(self) -> dict[str, Any]:
        """The effective settings as a nested dict (lists copied), for display and debugging."""
        env = self._load()
        tree: dict[str, Any] = {}
        for path in self._nodes:
            *groups, leaf = path.split(".")
            node = tree
            for part in groups:
                node = node.setdefault(part, {})
            value = self._effective(path, env)
            node[leaf] = list(value) if isinstance(value, list) else value
        return tree

    def sources(self) -> dict[str, str]:
        """Where each effective value comes from: ``code``, ``env:<VARIABLE>`` or ``default``."""
        env = self._load()
        sources = {}
        for path in self._nodes:
            if path in self._code:
                sources[path] = "code"
            elif path in env:
                sources[path] = f"env:{env[path][0]}"
            else:
                sources[path] = "default"
        return sources

    def describe(self) -> tuple[Setting, ...]:
        """The settings table (path, type, default, env var, help) that docs and errors use."""
        return SETTINGS


config = Config()
"""The process-wide settings, exposed as ``packagers.config``."""
