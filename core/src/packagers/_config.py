"""Settings of packagers: one tree, filled from code, ``MLRUN_PACKAGERS__*`` variables or defaults.

Precedence is value set in code > environment variable > default. The environment is parsed
once, on the first read (and again on ``config.reload()``); the effective values are then
stored as plain instance attributes, so hot paths pay no more than an attribute lookup. What
settings exist, and what values each takes, is the table in :mod:`packagers._settings`.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Iterator
from typing import Any

from packagers._errors import ConfigError, PackagersWarning
from packagers._reporting import report
from packagers._settings import ENV_PREFIX, SETTINGS, Setting
from packagers._suggest import did_you_mean, suggestion

__all__ = ["HIDDEN", "Config", "config"]

#: What a secret setting that is set shows as in ``as_dict``.
HIDDEN = "<hidden>"

_UNSET = object()  # "no value set in code", distinct from a code-set None

_BY_PATH = {s.path: s for s in SETTINGS}
_BY_ENV = {s.env_var: s for s in SETTINGS}


def _unknown(what: str, name: str, key: str, known: list[str]) -> ConfigError:
    """An error for a misspelt name (``key`` is its normalised form), suggesting a close one."""
    hint = did_you_mean(key, known)
    return ConfigError(f"{name!r} is not a known {what} (known: {', '.join(known)}){hint}")


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
    guess = suggestion(wanted[:1])
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
                for note in notes:  # once the values are published, `strict` included
                    report(note, ConfigError, PackagersWarning, strict=self.strict)
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

    def as_dict(self, *, reveal_secrets: bool = False) -> dict[str, Any]:
        """The effective settings as a nested dict (lists copied), for display and debugging.

        A secret that is set (``pickle.signing_key``) reads ``HIDDEN`` so that printing the
        settings cannot leak it; ``reveal_secrets`` is for handing them to a worker process.
        """
        env = self._load()
        tree: dict[str, Any] = {}
        for path in self._nodes:
            *groups, leaf = path.split(".")
            node = tree
            for part in groups:
                node = node.setdefault(part, {})
            value = self._effective(path, env)
            if value is not None and _BY_PATH[path].secret and not reveal_secrets:
                value = HIDDEN
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
