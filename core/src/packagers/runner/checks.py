"""What makes a run impossible, found before it starts: a run refused here leaves no record.

``prepare_job`` calls :func:`check_job`; each problem raises a :class:`RunArgumentError`
subclass naming what was wrong and how to fix it. ``params_from_text`` converts the text of
``packagers run -p`` by the parameters' type hints, so a record keeps ``10``, not ``"10"``.
"""

from __future__ import annotations

import json
import os
import typing
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from packagers._suggest import did_you_mean
from packagers._text_values import TextValueError, to_bool, to_float, to_int
from packagers.data_item import DataItem, is_url
from packagers.manifest import BUNDLE
from packagers.runner.errors import (
    DuplicateKeyError,
    InputNotFoundError,
    MissingParameterError,
    ParamTypeError,
    UnknownArtifactTypeError,
)

if TYPE_CHECKING:
    from packagers.log_hint import LogHint
    from packagers.runner.functions import FunctionInfo
    from packagers.runner.inputs import InputValue
    from packagers.store import Store

__all__ = ["check_job", "param_from_text", "params_from_text", "run_identity"]

#: Artifact types the manager itself makes, whatever packagers are collected.
_MANAGER_TYPES = frozenset({BUNDLE})


def check_job(
    info: FunctionInfo,
    inputs: Mapping[str, InputValue],
    params: Mapping[str, Any],
    returns: tuple[LogHint, ...],
    store: Store,
) -> None:
    """Raise for the first problem that would make the run fail before its function is called."""
    _check_required(info, inputs, params)
    _check_keys(returns)
    _check_artifact_types(returns)
    for name, value in inputs.items():
        _check_input(name, value, store)


def _check_required(
    info: FunctionInfo, inputs: Mapping[str, Any], params: Mapping[str, Any]
) -> None:
    missing = [name for name in info.required if name not in inputs and name not in params]
    if missing:
        listed = ", ".join(map(repr, missing))
        raise MissingParameterError(
            f"{info.name}() requires {listed}, which {'was' if len(missing) == 1 else 'were'} "
            "not given; pass each as an input (a store URI or a path) or as a param"
        )


def _check_keys(returns: tuple[LogHint, ...]) -> None:
    seen: set[str] = set()
    for hint in returns:
        if hint.key in seen:
            raise DuplicateKeyError(
                f"the log hint key {hint.key!r} is given twice; each returned value needs its "
                "own key"
            )
        seen.add(hint.key)


def _check_artifact_types(returns: tuple[LogHint, ...]) -> None:
    from packagers._config import config

    asked = [hint for hint in returns if hint.artifact_type is not None]
    if not asked or not config.enabled:
        return
    from packagers.plugins.collection import collect

    known = collect().packing_artifact_types | _MANAGER_TYPES
    for hint in asked:
        if hint.artifact_type not in known:
            suggestion = did_you_mean(hint.artifact_type or "", sorted(known))
            raise UnknownArtifactTypeError(
                f"log hint {hint.key!r}: no installed packager packs the artifact type "
                f"{hint.artifact_type!r}{suggestion} (known types: {', '.join(sorted(known))})"
            )


def _check_input(name: str, value: InputValue, store: Store) -> None:
    from packagers.store.errors import StoreError
    from packagers.store.uri import SCHEME

    if isinstance(value, DataItem):
        return
    url = os.fspath(value)
    if url.startswith(SCHEME):
        try:
            store.manifest(url)
        except StoreError as error:
            raise InputNotFoundError(f"input {name!r}: {error}") from None
    elif not is_url(url) and not os.path.exists(url):
        raise InputNotFoundError(
            f"input {name!r}: no file or directory {url!r} ({os.path.abspath(url)}); give an "
            "existing path, a store URI (store://key) or a URL"
        )


def run_identity(name: str | None, labels: Mapping[str, Any] | None) -> dict[str, Any]:
    """The record fields a run's ``name`` and ``labels`` give (checked; label values as text)."""
    from packagers.runner.errors import RunArgumentError

    fields: dict[str, Any] = {}
    if name is not None:
        if not isinstance(name, str) or not name.strip():
            raise RunArgumentError(f"name must be a non-empty str, not {name!r}")
        fields["name"] = name
    if labels:
        if not isinstance(labels, Mapping):
            raise RunArgumentError(f"labels must be a dict of str to str, not {labels!r}")
        for key, value in labels.items():
            if not isinstance(key, str) or not key or not isinstance(value, (str, int, float)):
                raise RunArgumentError(
                    f"labels must map non-empty str keys to str values; {key!r}: {value!r} "
                    "is not one"
                )
        fields["labels"] = {key: str(value) for key, value in labels.items()}
    return fields


def params_from_text(info: FunctionInfo, texts: Mapping[str, str]) -> dict[str, Any]:
    """Params typed on a command line, converted by the function's type hints."""
    hints = info.hints
    return {name: param_from_text(name, text, hints.get(name)) for name, text in texts.items()}


def param_from_text(name: str, text: str, hint: Any) -> Any:
    """``text`` as the value ``hint`` asks for: int, float, bool, JSON for lists and dicts.

    ``str`` (or ``Path``) keeps the text as given; no hint (or one this cannot convert to)
    reads JSON when the text parses as JSON, else keeps the text. ``Optional[X]`` converts as
    ``X``, and ``null`` or ``None`` gives None.
    """
    from packagers.type_hints import hint_origin, split_hint

    if hint is None:
        return _json_or_text(text)
    written = split_hint(hint)
    members = [member for member in written if member is not type(None)]
    if len(members) != len(written) and text in ("null", "None"):
        return None
    target = hint_origin(members[0]) if len(members) == 1 else None
    try:
        if target is bool:
            return to_bool(text)
        if target is int:
            return to_int(text)
        if target is float:
            return to_float(text)
        if target in (list, tuple, set, frozenset, dict):
            return _json_container(text, target, typing.get_args(members[0]))
    except TextValueError as problem:
        raise ParamTypeError(
            f"param {name!r}: the value {text!r} {problem} (the parameter's hint is "
            f"{_hint_text(hint)}); pass -p {name}=VALUE with a value of that type"
        ) from None
    if target is str or (isinstance(target, type) and issubclass(target, os.PathLike)):
        return text
    return _json_or_text(text)


def _json_or_text(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return text


def _json_container(text: str, target: type, args: tuple[Any, ...]) -> Any:
    """The JSON array or object ``text``, its items checked when the hint names a scalar type
    for them (``list[int]``, ``dict[str, float]``, ``tuple[str, ...]``)."""
    expected = dict if target is dict else list
    example = '{"a": 1}' if expected is dict else "[1, 2]"
    try:
        value = json.loads(text)
    except ValueError:
        problem = f"is not JSON: write a {expected.__name__} as JSON, e.g. {example}"
        raise TextValueError(problem) from None
    if not isinstance(value, expected):
        raise TextValueError(
            f"is not a JSON {'object' if expected is dict else 'array'}, e.g. {example}"
        )
    item = _item_hint(target, args)
    if item is not None:
        items = value.values() if isinstance(value, dict) else value
        value = _with_items(value, [_json_item(entry, item) for entry in items])
    return value if target in (list, dict) else target(value)


def _item_hint(target: type, args: tuple[Any, ...]) -> type | None:
    """The scalar type every item (every value, for a dict) must have, or None to take any."""
    if target is dict:
        args = args[1:]
    elif target is tuple:
        args = args[:1] if len(args) == 2 and args[1] is Ellipsis else ()
    item = args[0] if len(args) == 1 else None
    return item if item in _JSON_SCALARS else None


#: JSON scalars by the Python type a hint names (an int is a float; a bool is not an int).
_JSON_SCALARS: dict[Any, tuple[type, ...]] = {
    int: (int,),
    float: (int, float),
    bool: (bool,),
    str: (str,),
}


def _json_item(entry: Any, item: type) -> Any:
    bool_as_number = isinstance(entry, bool) and item is not bool
    if bool_as_number or not isinstance(entry, _JSON_SCALARS[item]):
        raise TextValueError(f"holds {json.dumps(entry)}, which is not a JSON {item.__name__}")
    return float(typing.cast(float, entry)) if item is float else entry


def _with_items(value: list[Any] | dict[str, Any], items: list[Any]) -> Any:
    return dict(zip(value, items, strict=True)) if isinstance(value, dict) else items


def _hint_text(hint: Any) -> str:
    # ``list[int]`` is an instance of ``type`` on Python 3.10: only a class without arguments
    plain = isinstance(hint, type) and typing.get_origin(hint) is None
    return hint.__name__ if plain else str(hint).replace("typing.", "")
