"""Log hints: how a returned value should be logged, from a dict or a one-line shortcut.

:class:`LogHint` is the validated hint; the shortcut's grammar and the key rule live in
:mod:`packagers._log_hint_shortcut` and are re-exported here, where callers look for them.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from packagers._errors import LogHintError
from packagers._log_hint_shortcut import (
    KEY_PATTERN,
    KEY_RULE,
    MAX_KEY_LENGTH,
    TYPE_PATTERN,
    TYPE_RULE,
    hint_error,
    is_valid_key,
    parse_shortcut,
    round_trips,
)

__all__ = [
    "KEY_PATTERN",
    "KEY_RULE",
    "MAX_KEY_LENGTH",
    "TYPE_PATTERN",
    "TYPE_RULE",
    "LogHint",
    "is_valid_key",
]

_DICT_FIELDS = ("packing_kwargs", "labels", "extra_data", "metrics")


def _unknown_fields_error(names: list[Any], where: str) -> LogHintError:
    accepted = ", ".join(f.name for f in dataclasses.fields(LogHint))
    unknown = ", ".join(repr(name) for name in names)
    return hint_error(
        f"unknown log hint field(s) {unknown} in {where}; accepted fields: {accepted}"
    )


@dataclass(frozen=True, eq=False)
class LogHint:
    """How to log one returned value; build it with :meth:`parse` from what the user wrote.

    ``itemized`` is ``True`` (unlimited depth), ``False`` or an int >= 1 (that many levels);
    ``True`` and ``1`` are different hints. Dict fields are copied, never shared with the caller.
    """

    key: str
    artifact_type: str | None = None
    tag: str = ""
    itemized: bool | int = False
    packing_kwargs: dict[str, Any] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)
    extra_data: dict[str, Any] = field(default_factory=dict)
    metrics: dict[str, Any] = field(default_factory=dict)

    # The dict fields make a hash meaningless.
    __hash__ = None  # type: ignore[assignment]

    def __post_init__(self) -> None:
        if not is_valid_key(self.key):
            raise hint_error(f"invalid log hint key {self.key!r}: {KEY_RULE}")
        if self.artifact_type is not None and not (
            isinstance(self.artifact_type, str) and TYPE_PATTERN.fullmatch(self.artifact_type)
        ):
            raise hint_error(
                f"invalid artifact type {self.artifact_type!r} for log hint {self.key!r}: "
                f"{TYPE_RULE}, or None"
            )
        if not isinstance(self.tag, str):
            raise hint_error(f"the tag of log hint {self.key!r} must be a str, not {self.tag!r}")
        itemized = self.itemized
        if not isinstance(itemized, bool):
            if not isinstance(itemized, int) or itemized < 1:
                raise hint_error(
                    f"itemized of log hint {self.key!r} must be True, False or an int >= 1, "
                    f"not {itemized!r}"
                )
            object.__setattr__(self, "itemized", int(itemized))
        for name in _DICT_FIELDS:
            value = getattr(self, name)
            if not isinstance(value, Mapping):
                raise hint_error(
                    f"{name} of log hint {self.key!r} must be a dict, not {type(value).__name__}"
                )
            bad_keys = [k for k in value if not isinstance(k, str)]
            if bad_keys:
                raise hint_error(f"{name} of log hint {self.key!r} has non-str keys: {bad_keys!r}")
            object.__setattr__(self, name, dict(value))
        bad_labels = {k: v for k, v in self.labels.items() if not isinstance(v, str)}
        if bad_labels:
            raise hint_error(f"labels of log hint {self.key!r} must be str values: {bad_labels!r}")

    def __eq__(self, other: object) -> bool:
        # ``True == 1`` in Python, but unlimited depth is not one level.
        if not isinstance(other, LogHint):
            return NotImplemented
        return (
            type(self.itemized) is type(other.itemized)
            and self.key == other.key
            and self.artifact_type == other.artifact_type
            and self.tag == other.tag
            and self.itemized == other.itemized
            and self.packing_kwargs == other.packing_kwargs
            and self.labels == other.labels
            and self.extra_data == other.extra_data
            and self.metrics == other.metrics
        )

    def __str__(self) -> str:
        if self.itemized is True:
            prefix = "*"
        elif self.itemized is False:
            prefix = ""
        else:
            prefix = f"{self.itemized}*"
        text = prefix + self.key
        if self.artifact_type is not None:
            text += f" : {self.artifact_type}"
        if self.packing_kwargs:
            text += "[" + ", ".join(f"{k}={v!r}" for k, v in self.packing_kwargs.items()) + "]"
        return text

    @property
    def depth(self) -> int | None:
        """How many levels to itemize: None for unlimited, 0 when not itemized."""
        if self.itemized is True:
            return None
        if self.itemized is False:
            return 0
        return self.itemized

    @property
    def shortcut_expressible(self) -> bool:
        """Whether ``str(self)`` loses nothing, i.e. ``LogHint.parse(str(self)) == self``."""
        if self.tag or self.labels or self.extra_data or self.metrics:
            return False
        try:
            return all(
                name.isidentifier() and round_trips(value)
                for name, value in self.packing_kwargs.items()
            )
        except RecursionError:  # a container that holds itself
            return False

    def replace(self, **changes: Any) -> LogHint:
        """A validated copy with some fields changed (the hint itself is frozen)."""
        unknown = [name for name in changes if name not in _FIELD_NAMES]
        if unknown:
            raise _unknown_fields_error(unknown, "replace()")
        return dataclasses.replace(self, **changes)

    @classmethod
    def parse(cls, value: str | Mapping[str, Any] | LogHint) -> LogHint:
        """Accept whatever form a user may write a hint in and return one validated LogHint."""
        if isinstance(value, LogHint):
            return value
        if isinstance(value, str):
            return cls(**parse_shortcut(value))
        if isinstance(value, Mapping):
            unknown = [name for name in value if name not in _FIELD_NAMES]
            if unknown:
                raise _unknown_fields_error(unknown, f"log hint dict {dict(value)!r}")
            if "key" not in value:
                raise hint_error(f"log hint dict {dict(value)!r} has no 'key'")
            return cls(**value)
        raise hint_error(
            f"a log hint is a str, a dict or a LogHint, not {type(value).__name__}: {value!r}"
        )


_FIELD_NAMES = frozenset(f.name for f in dataclasses.fields(LogHint))
