"""Typed parameters of entry points: declared in the file, checked before anything is built or run.

MLflow knows four types (``string``, ``float``, ``path``, ``uri``); real files also write
``int`` and ``bool``, and ``store`` names an artifact of the store. Every value is checked and
converted here, and all the problems of one call are reported together, each naming the
parameter, its type and the value. A value is substituted into a command as the text MLflow
would substitute (``str`` of what was given, paths made absolute), while the run record keeps the
converted value.
"""

from __future__ import annotations

import os
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from packagers._text_values import TextValueError, to_bool, to_float, to_int
from packagers.projects.errors import ProjectParameterError

if TYPE_CHECKING:
    from packagers.manifest import Manifest
    from packagers.store import Store

__all__ = [
    "PARAMETER_TYPES",
    "Parameter",
    "ParameterValues",
    "check_default",
    "resolve_parameters",
]

#: Scalars a default may be (YAML gives these; a list or a mapping is not a parameter value).
DefaultValue = str | int | float | bool | None


@dataclass(frozen=True)
class Parameter:
    """One declared parameter. ``default=None`` means required: MLflow reads ``default: null``
    the same way as no default, and so do we."""

    name: str
    type: str = "string"
    default: DefaultValue = None

    @property
    def required(self) -> bool:
        return self.default is None


@dataclass(frozen=True)
class ParameterValues:
    """The checked values of one run of an entry point.

    ``typed``: declared parameters as converted values (what the run record keeps);
    ``substituted``: the same, as the unquoted text a command receives; ``extra``: parameters
    the entry point does not declare, as given; ``stored``: the ``store`` parameters' URIs with
    the version and digest they resolved to.
    """

    typed: dict[str, Any] = field(default_factory=dict)
    substituted: dict[str, str] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)
    stored: dict[str, dict[str, Any]] = field(default_factory=dict)


class _Invalid(Exception):
    """A value does not fit its type; the message says why."""


@dataclass
class _Context:
    base: str
    store: Store | None
    #: The manifests ``store`` values resolved to, by URI.
    manifests: dict[str, Manifest] = field(default_factory=dict)


def _string(value: Any, context: _Context) -> tuple[Any, str]:
    if not isinstance(value, (str, int, float, bool)):
        raise _Invalid(f"a {type(value).__name__} is not a string")
    return str(value), str(value)


def _float(value: Any, context: _Context) -> tuple[Any, str]:
    return _scalar(to_float, value), str(value)


def _int(value: Any, context: _Context) -> tuple[Any, str]:
    return _scalar(to_int, value), str(value)


def _bool(value: Any, context: _Context) -> tuple[Any, str]:
    return _scalar(to_bool, value), str(value)


def _scalar(convert: Callable[[Any], Any], value: Any) -> Any:
    try:
        return convert(value)
    except TextValueError as problem:
        raise _Invalid(str(problem)) from None


def _path(value: Any, context: _Context) -> tuple[Any, str]:
    if not isinstance(value, (str, os.PathLike)):
        raise _Invalid(f"a {type(value).__name__} is not a path")
    text = os.fspath(value)
    parsed = urllib.parse.urlparse(text)
    if parsed.scheme and not (parsed.scheme == "file" and not parsed.netloc):
        raise _Invalid(
            f"is a {parsed.scheme}:// URL; a path parameter takes a local path (declare the "
            "parameter as uri to pass URLs)"
        )
    # As MLflow: file: URLs and %-escapes become the local path they name.
    local = urllib.request.url2pathname(parsed.path if text.startswith("file:") else text)
    absolute = os.path.abspath(os.path.join(context.base, local))
    if not os.path.exists(absolute):
        raise _Invalid(f"does not exist ({absolute})")
    return absolute, absolute


def _uri(value: Any, context: _Context) -> tuple[Any, str]:
    if not isinstance(value, str) or not urllib.parse.urlparse(value).scheme:
        raise _Invalid(
            "has no scheme; a uri parameter takes a URI such as s3://bucket/key or "
            "file:///absolute/path (declare the parameter as path to pass local paths)"
        )
    return value, value


def _store(value: Any, context: _Context) -> tuple[Any, str]:
    from packagers.store.errors import StoreError
    from packagers.store.uri import is_store_uri

    if not is_store_uri(value):
        raise _Invalid("is not a store URI (store://[project/]key[:tag][@version])")
    if context.store is None:
        raise _Invalid("cannot be resolved: no store was given")
    try:
        context.manifests[value] = context.store.manifest(value)
    except StoreError as error:
        raise _Invalid(f"does not resolve: {error}") from None
    return value, value


_PARSERS: dict[str, Callable[[Any, _Context], tuple[Any, str]]] = {
    "string": _string,
    "float": _float,
    "int": _int,
    "bool": _bool,
    "path": _path,
    "uri": _uri,
    "store": _store,
}
#: The types a parameter may declare; any other is read as ``string``, as MLflow does.
PARAMETER_TYPES: tuple[str, ...] = tuple(_PARSERS)
#: Types whose default can be checked when the file is read (the others depend on the run).
_CHECKED_DEFAULTS = frozenset({"float", "int", "bool", "uri"})


def check_default(parameter: Parameter) -> str | None:
    """Why the declared default does not fit the declared type, or None when it does."""
    if parameter.default is None or parameter.type not in _CHECKED_DEFAULTS:
        return None
    try:
        _PARSERS[parameter.type](parameter.default, _Context(base="", store=None))
    except _Invalid as problem:
        return f"the default {parameter.default!r} {problem}"
    return None


def resolve_parameters(
    parameters: Mapping[str, Parameter],
    given: Mapping[str, Any],
    *,
    where: str,
    cwd: str,
    root: str,
    store: Store | None,
) -> ParameterValues:
    """Check and convert every value (given, else the default); raise one error for all problems.

    A relative ``path`` the caller gives is made absolute against ``cwd``; a relative default
    against the project's ``root``, where the entry point runs. A value of None counts as not
    given.
    """
    values = ParameterValues()
    context = _Context(base=cwd, store=store)
    problems = []
    for name, parameter in parameters.items():
        value = given.get(name)
        context.base = cwd
        if value is None:
            value, context.base = parameter.default, root
        if value is None:
            problems.append(
                f"parameter {name!r} ({parameter.type}) has no value and no default; "
                f"give one (-P {name}=VALUE)"
            )
            continue
        parse = _PARSERS.get(parameter.type, _string)
        try:
            typed, text = parse(value, context)
        except _Invalid as problem:
            problems.append(f"parameter {name!r} ({parameter.type}) = {value!r} {problem}")
            continue
        values.typed[name], values.substituted[name] = typed, text
        manifest = context.manifests.get(typed) if parameter.type == "store" else None
        if manifest is not None:
            values.stored[name] = {
                "uri": typed,
                "resolved": manifest["uri"],
                "digest": manifest.get("digest"),
            }
    values.extra.update((k, v) for k, v in given.items() if k not in parameters)
    if len(problems) == 1:
        raise ProjectParameterError(f"{where}: {problems[0]}")
    if problems:
        listed = "\n".join(f"  - {problem}" for problem in problems)
        raise ProjectParameterError(f"{where}: {len(problems)} parameter problems:\n{listed}")
    return values
