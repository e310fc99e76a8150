"""The one place that reduces and matches type hints, so every caller agrees on what they mean."""

from __future__ import annotations

import importlib
import sys
import types
import typing
from collections.abc import Callable
from typing import Any

__all__ = [
    "hint_metadata",
    "hint_origin",
    "import_type",
    "resolve_type_hints",
    "split_hint",
    "type_name",
]

_UNION_TYPES: tuple[Any, ...] = (typing.Union, types.UnionType)
#: How many times a string annotation is evaluated again while it still gives a string.
_MAX_QUOTING = 3


def resolve_type_hints(fn: Callable[..., Any]) -> dict[str, Any]:
    """The function's hints with string annotations evaluated against its module.

    An annotation naming a type that cannot be resolved stays a string, so one unknown hint does
    not hide the others; matching then treats it as a dotted type name.
    """
    import inspect

    target = inspect.unwrap(fn)
    try:
        return typing.get_type_hints(target, include_extras=True)
    except Exception:
        pass
    module = sys.modules.get(getattr(target, "__module__", "") or "")
    namespace = dict(vars(module)) if module else {}
    namespace.update(getattr(target, "__globals__", {}))
    hints: dict[str, Any] = {}
    for name, annotation in getattr(target, "__annotations__", {}).items():
        # A quoted hint under postponed evaluation (``x: "Model"``) is a string of a string.
        for _ in range(_MAX_QUOTING):
            if not isinstance(annotation, str):
                break
            try:
                annotation = eval(annotation, namespace)
            except Exception:
                break
        hints[name] = annotation
    return hints


def split_hint(hint: Any, *, keep_annotated: bool = False) -> tuple[Any, ...]:
    """Union and Optional members in written order.

    ``Annotated`` is removed unless ``keep_annotated``, which keeps each member's extras (an
    ``Optional[Annotated[pd.DataFrame, Columns("a")]]`` member still carries ``Columns``).
    """
    if _is_class(hint):  # the common hint, answered without the typing introspection
        return (hint,)
    stripped = _strip_annotated(hint)
    if typing.get_origin(stripped) in _UNION_TYPES:
        # ``Annotated[Optional[X], m]``: the extras are about every member, so each keeps them.
        extras = hint_metadata(hint) if keep_annotated else ()
        members: list[Any] = []
        for member in typing.get_args(stripped):
            if extras:
                member = typing.Annotated[tuple([member, *extras])]
            members.extend(split_hint(member, keep_annotated=keep_annotated))
        return tuple(members)
    return (hint if keep_annotated else stripped,)


def hint_metadata(hint: Any) -> tuple[Any, ...]:
    """The ``Annotated`` extras of a hint (``Annotated[pd.DataFrame, Columns("a")]``)."""
    if typing.get_origin(hint) is typing.Annotated:
        return tuple(hint.__metadata__)
    return ()


def hint_origin(hint: Any) -> Any:
    """The runtime class a hint asks for: ``list[int]`` and ``typing.List`` give ``list``.

    ``Any`` gives ``object``; ``None`` gives ``NoneType``; a string stays a string (a type name).
    """
    if _is_class(hint):
        return hint
    hint = _strip_annotated(hint)
    if hint is Any:
        return object
    if hint is None:
        return type(None)
    if _is_type_alias(hint):
        return hint_origin(hint.__value__)
    origin = typing.get_origin(hint)
    if origin is not None and origin not in _UNION_TYPES:
        return hint_origin(origin.__value__) if _is_type_alias(origin) else origin
    return hint


def _is_type_alias(hint: Any) -> bool:
    """A ``type X = ...`` alias (Python 3.12+), as ``numpy.typing.NDArray`` is from numpy 2.5.

    Its subscription's origin is the alias itself, not the class it stands for.
    """
    return type(hint).__name__ == "TypeAliasType" and hasattr(hint, "__value__")


def type_name(tp: type) -> str:
    """The importable name of a class: ``pandas.core.frame.DataFrame``."""
    return f"{tp.__module__}.{tp.__qualname__}"


def import_type(name: str, *, only_if_imported: bool = False) -> type | None:
    """The class a dotted name points at, or None when it does not resolve.

    With ``only_if_imported`` the top-level module must already be imported: an object of a
    library nobody imported cannot exist, so there is nothing to match and nothing to import.
    """
    top = name.split(".", 1)[0]
    if only_if_imported and top not in sys.modules:
        return None
    module_name, _, attribute_path = name.rpartition(".")
    while module_name:
        try:
            target: Any = _imported(module_name) or importlib.import_module(module_name)
        except ImportError:
            module_name, _, head = module_name.rpartition(".")
            attribute_path = f"{head}.{attribute_path}"
            continue
        for part in attribute_path.split("."):
            target = getattr(target, part, None)
            if target is None:
                return None
        return target if isinstance(target, type) else None
    return None


def _imported(module_name: str) -> Any:
    """The module when it is imported and done initialising (as ``import`` itself checks), else
    None: importing again only to find it in ``sys.modules`` is most of a dispatch's cost."""
    module = sys.modules.get(module_name)
    if module is None or getattr(getattr(module, "__spec__", None), "_initializing", False):
        return None
    return module


def _is_class(hint: Any) -> bool:
    """A plain class: not ``list[int]`` (which Python 3.10 calls a type), nor ``Any`` (a class
    from Python 3.11, which asks for ``object``)."""
    return isinstance(hint, type) and hint is not Any and not isinstance(hint, types.GenericAlias)


def _strip_annotated(hint: Any) -> Any:
    while typing.get_origin(hint) is typing.Annotated:
        hint = hint.__origin__
    return hint
