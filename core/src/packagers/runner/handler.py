"""``@handler``: a function declares how its outputs are logged, and stays a plain function."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, TypeVar, overload

from packagers._json import survives_json
from packagers.log_hint import LogHint
from packagers.manager import parse_hint
from packagers.runner.errors import RunArgumentError

__all__ = [
    "RETURNS_ATTRIBUTE",
    "Hints",
    "handler",
    "handler_returns",
    "hint_from_json",
    "hint_to_json",
    "parse_returns",
]

F = TypeVar("F", bound=Callable[..., Any])
Hints = Iterable[str | dict[str, Any] | LogHint] | str | LogHint

#: Where ``@handler`` keeps the parsed log hints on the function object.
RETURNS_ATTRIBUTE = "__packagers_returns__"
#: How a ``...`` link in ``extra_data``/``metrics`` travels as JSON.
_LINK = {"__link__": True}
_LINKED_FIELDS = ("extra_data", "metrics")


@overload
def handler(fn: F, /) -> F: ...
@overload
def handler(*, returns: Hints | None = None) -> Callable[[F], F]: ...


def handler(fn: F | None = None, /, *, returns: Hints | None = None) -> F | Callable[[F], F]:
    """Attach log hints to ``fn`` for :func:`packagers.runner.run`; ``fn`` itself is not wrapped.

    Calling the function directly returns exactly what it always did. The hints are parsed
    here, so a malformed one fails when the module is imported rather than after a long run.
    ``@handler`` without arguments marks the function with no hints (every output is treated
    as ``auto_pack_outputs`` says).
    """
    hints = parse_returns(returns)

    def mark(target: F) -> F:
        setattr(target, RETURNS_ATTRIBUTE, hints)
        return target

    return mark(fn) if fn is not None else mark


def handler_returns(fn: Callable[..., Any]) -> tuple[LogHint, ...] | None:
    """The log hints ``@handler`` attached to ``fn``, or None when it has none."""
    return getattr(fn, RETURNS_ATTRIBUTE, None)


def parse_returns(returns: Hints | None) -> tuple[LogHint, ...]:
    """Validated log hints from what a user may write: one hint, or a list of them."""
    if returns is None:
        return ()
    if isinstance(returns, (str, LogHint, dict)):
        returns = [returns]
    try:
        items = list(returns)
    except TypeError:
        raise RunArgumentError(
            f"returns must be a list of log hints (str, dict or LogHint), not {returns!r}"
        ) from None
    return tuple(parse_hint(item) for item in items)


def hint_to_json(hint: LogHint) -> str | dict[str, Any]:
    """The hint as JSON carries it to another process: its shortcut, or a dict when it has more.

    Refuses what JSON would change on the way (a tuple arriving as a list) rather than letting
    the other side log something else.
    """
    if hint.shortcut_expressible:
        return str(hint)
    data: dict[str, Any] = {"key": hint.key}
    for name in ("artifact_type", "tag", "itemized", "packing_kwargs", "labels", *_LINKED_FIELDS):
        value = getattr(hint, name)
        if value:
            data[name] = value
    for name in _LINKED_FIELDS:
        if name in data:
            data[name] = {k: _LINK if v is ... else v for k, v in data[name].items()}
    if not survives_json(data):
        raise RunArgumentError(
            f"log hint {hint.key!r} holds values JSON cannot carry unchanged to another process "
            f"({data!r:.200}); use plain str/int/float/bool/list/dict values"
        )
    return data


def hint_from_json(data: str | dict[str, Any]) -> LogHint:
    """The inverse of :func:`hint_to_json`."""
    if isinstance(data, dict):
        data = {
            name: {k: ... if v == _LINK else v for k, v in value.items()}
            if name in _LINKED_FIELDS
            else value
            for name, value in data.items()
        }
    return parse_hint(data)
