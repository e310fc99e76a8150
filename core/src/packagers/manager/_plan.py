"""Planning what a run logs: returned values matched to log hints, itemized outputs split.

Everything is planned, and every key checked, before anything is packed, so a bad itemization
writes nothing.
"""

from __future__ import annotations

import re
import types
from collections.abc import Generator, Iterator
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from packagers._config import config
from packagers._errors import PackingError
from packagers._warnings import warn
from packagers.artifacts import ArtifactType
from packagers.log_hint import LogHint, is_valid_key
from packagers.type_hints import type_name

if TYPE_CHECKING:
    from packagers.manager.dispatch import Dispatch
    from packagers.manifest import Bundle

__all__ = ["Node", "check_keys", "match_outputs", "plan"]


@dataclass
class Node:
    """One planned package: a leaf object, or a container split into named children.

    ``container`` is what the bundle's manifest records about a split container: its kind and,
    for a packager's type, the packager that rebuilds it; None for a leaf.
    """

    key: str
    hint: LogHint
    obj: Any = None
    container: Bundle | None = None
    children: list[tuple[Any, Node]] = field(default_factory=list)

    def walk(self) -> Iterator[Node]:
        for _, child in self.children:
            yield from child.walk()
        yield self


def match_outputs(
    returned: Any, hints: list[LogHint], auto_key_prefix: str
) -> list[tuple[Any, LogHint]]:
    """Pair a function's return value with its log hints, warning about what is not logged."""
    hints = list(hints)
    if isinstance(returned, tuple) and not config.pack_tuples:
        values = list(returned)
    elif returned is None and len(hints) != 1:
        values = []
    else:
        values = [returned]
    if len(hints) > len(values):
        missing = [hint.key for hint in hints[len(values) :]]
        warn(
            f"the function returned {_count(len(values), 'value')} for "
            f"{_count(len(hints), 'log hint')}; "
            f"nothing is logged for: {', '.join(missing)}",
            PackingError,
        )
    if len(values) > len(hints):
        if config.auto_pack_outputs:
            prefix = _key_part(auto_key_prefix)
            base = f"{prefix}-" if prefix else ""
            hints.extend(
                LogHint(key=f"{base}{config.auto_pack_key}-{index}")
                for index in range(len(hints), len(values))
            )
        elif hints:
            warn(
                f"the function returned {len(values)} values for "
                f"{_count(len(hints), 'log hint')}; {_unhinted(len(hints), len(values))} "
                "(add hints, or set auto_pack_outputs)",
                PackingError,
            )
        else:
            warn(
                f"the function returned {_count(len(values), 'value')} and has no log hints, "
                "so nothing is logged; name the outputs with returns=[...] (@handler(returns="
                "...), packagers run -r HINT) or set auto_pack_outputs",
                PackingError,
            )
    pairs = []
    for value, hint in zip(values, hints, strict=False):  # a mismatch was warned above
        if value is None and hint.artifact_type is None:  # what the function said: null
            hint = replace(hint, artifact_type=ArtifactType.RESULT)
        pairs.append((value, hint))
    return pairs


def plan(dispatch: Dispatch, obj: Any, hint: LogHint, depth: int | None = None) -> Node:
    """The package tree of one output: itemized containers split down to ``hint.depth``."""
    if depth is None:  # -1: no depth limit
        depth = -1 if hint.depth is None else hint.depth
    node = Node(key=hint.key, hint=hint, obj=obj)
    if depth == 0 or isinstance(obj, (str, bytes, bytearray)):
        return node
    container, items = _unbundle(dispatch, obj)
    if container is None:
        return node
    node.obj = None
    node.container = container
    child_hint = hint.replace(itemized=False, extra_data={}, metrics={})
    remaining = -1 if depth < 0 else depth - 1
    for name, item in items:
        key = f"{hint.key}_{name}"
        if not is_valid_key(key):
            raise PackingError(
                f"itemizing {hint.key!r} gives the key {key!r}, which is not a valid key "
                "(letters, digits, '_', '.', '-'); nothing was logged"
            )
        child = plan(dispatch, item, child_hint.replace(key=key), remaining)
        node.children.append((name, child))
    return node


def check_keys(nodes: list[Node]) -> None:
    """Refuse two planned packages under one key, naming the outputs they come from."""
    seen: dict[str, str] = {}  # key -> the output it comes from
    for root in nodes:
        for node in root.walk():
            if node.key in seen:
                sources = sorted({seen[node.key], root.key})
                raise PackingError(
                    f"two outputs would be logged under the key {node.key!r} (from "
                    f"{' and '.join(map(repr, sources))}); rename one of them; nothing was "
                    "logged"
                )
            seen[node.key] = root.key


def _unbundle(dispatch: Dispatch, obj: Any) -> tuple[Bundle | None, list[tuple[Any, Any]]]:
    """How ``obj`` is recorded as a container, and its named items; None for a leaf.

    ``"collection"`` is the manifest's key for the container's kind (see :class:`Bundle`).
    """
    if isinstance(obj, dict) and type(obj) is dict:
        return {"collection": "dict"}, list(obj.items())
    if type(obj) in (list, tuple):
        return {"collection": type(obj).__name__}, list(enumerate(obj))
    if isinstance(obj, (Generator, types.GeneratorType)):
        return {"collection": "list"}, list(enumerate(obj))
    for packager in dispatch.packagers_for(type(obj)):
        if packager.BUNDLE_FROM_DICT or packager.BUNDLE_FROM_LIST:
            items = packager.unbundle(obj)
            container: Bundle = {
                "collection": "packager",
                "packager": packager.qualified_name(),
                "object_type": type_name(type(obj)),
            }
            if isinstance(items, dict):
                return container, list(items.items())
            return container, list(enumerate(items))
        break
    return None, []


def _unhinted(first: int, end: int) -> str:
    """``value 1 has no log hint and is not logged``, or the plural for several values."""
    if end - first == 1:
        return f"value {first} has no log hint and is not logged"
    indices = [str(index) for index in range(first, end)]
    listed = f"{', '.join(indices[:-1])} and {indices[-1]}"
    return f"values {listed} have no log hint and are not logged"


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def _key_part(name: str) -> str:
    """``name`` (a function's, ``<lambda>`` included) made fit to start a key."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", name).strip("_.-")[:64]
