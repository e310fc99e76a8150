"""Previews: the small look at an artifact that a viewer shows without loading or unpickling it.

A packager returns a preview from its optional :meth:`~packagers.Packager.preview`; the manager
asks for it right after packing (so it cannot change the artifact), or just before for a preview
its packager says is bounded (it only reads a fixed sample), bounds it in time and size here,
and the store writes it beside the manifest. A preview is a JSON object with a ``kind``:

- ``table``: ``shape``, ``columns``, ``dtypes``, ``rows``, ``index``, ``stats``, ``truncated``
- ``image``: ``png`` (base64 thumbnail), ``width``, ``height``, ``mode``, ``format``
- ``array``: ``shape``, ``dtype``, ``min``, ``max``, ``mean``, ``nan_count``, ``first``,
  ``histogram``
- ``json``: ``text``, ``truncated``, ``length``
- ``text``: ``text``, ``truncated``, ``size``

and ``schema`` (:data:`SCHEMA`), which the manager adds. The builders below are the shared pieces
(no data library needed): plugins use them so every family bounds text and values alike.
"""

from __future__ import annotations

import functools
import json
import math
import os
import queue
import threading
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable

    from packagers.packager import Packager

__all__ = [
    "KINDS",
    "MAX_BINS",
    "MAX_BYTES",
    "MAX_CELL_CHARS",
    "MAX_COLUMNS",
    "MAX_ROWS",
    "MAX_TEXT_BYTES",
    "SAMPLE_SIZE",
    "SCHEMA",
    "THUMBNAIL_SIZE",
    "TIME_LIMIT",
    "bounded_preview",
    "check_preview",
    "clip",
    "json_preview",
    "json_scalar",
    "make_preview",
    "text_preview",
]

#: Bumped when a kind's fields change incompatibly.
SCHEMA = 1
KINDS = frozenset({"table", "image", "array", "json", "text"})
#: The whole preview as JSON; a larger one is dropped.
MAX_BYTES = 256 * 1024
#: The text of ``json`` and ``text`` previews, in UTF-8 bytes.
MAX_TEXT_BYTES = 4 * 1024
#: Rows of a table, values of an array.
MAX_ROWS = 20
#: Columns of a table shown (with their dtypes and statistics).
MAX_COLUMNS = 50
MAX_BINS = 20
#: Values of an array, rows of a table, that statistics and histograms are computed over: a
#: larger object is sampled evenly and its preview says so (``sampled``: the number used), so a
#: preview costs well under a millisecond whatever the size of what is packed. At 8 bytes a value
#: a sample's temporaries stay at 64 KiB, under glibc's 128 KiB trim threshold: twice as many
#: made every preview hand its temporaries back to the system and fault them in again (130 page
#: faults, several hundred microseconds, per preview of an array of floats).
SAMPLE_SIZE = 8_192
#: Characters of one table cell, column name or statistic shown as text.
MAX_CELL_CHARS = 100
#: The longest side of an image thumbnail, in pixels.
THUMBNAIL_SIZE = 256
#: Seconds a packager's preview may take before it is dropped (the pack goes on without it).
TIME_LIMIT = 2.0

#: Nodes of a container converted for a ``json`` preview: far more than 4 KiB of text can show.
_JSON_NODES = 2048
_JSON_DEPTH = 32
#: Integers longer than this many bits are summarised (``str`` refuses very long ones).
_INT_BITS = 1024


def clip(text: str, limit: int = MAX_CELL_CHARS) -> str:
    """``text`` cut to ``limit`` characters, an ellipsis marking the cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def json_scalar(value: Any) -> Any:
    """A value as a standard JSON scalar: NaN is null, infinities and other objects are text."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        return _int(value)
    if isinstance(value, float):
        if math.isfinite(value):
            return value
        return None if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    return clip(value if isinstance(value, str) else str(value))


def text_preview(text: str) -> dict[str, Any]:
    """A ``text`` preview: the first :data:`MAX_TEXT_BYTES` and the length in characters."""
    head = _utf8_head(text)
    return {
        "kind": "text",
        "text": head,
        "truncated": len(head) < len(text),
        "size": len(text),
    }


def json_preview(value: Any) -> dict[str, Any]:
    """A ``json`` preview of a container: its JSON text, cut to :data:`MAX_TEXT_BYTES`.

    Only the first items are converted (keys and values JSON has no form for become text), so a
    huge container costs no more than a small one.
    """
    budget = [_JSON_NODES]
    tree, cut = _jsonable(value, budget, 0)
    text = json.dumps(tree, ensure_ascii=False)
    head = _utf8_head(text)
    return {
        "kind": "json",
        "text": head,
        "truncated": cut or len(head) < len(text),
        "length": len(value) if hasattr(value, "__len__") else None,
    }


def check_preview(preview: Any) -> str | None:
    """What makes ``preview`` unusable (not a dict, unknown kind, not JSON, too large), or None."""
    if not isinstance(preview, dict):
        return f"a preview is a dict, not a {type(preview).__name__}"
    if preview.get("kind") not in KINDS:
        return f"kind {preview.get('kind')!r} is not one of {', '.join(sorted(KINDS))}"
    if preview.get("schema", SCHEMA) != SCHEMA:
        return f"schema {preview.get('schema')!r} is not {SCHEMA}"
    try:
        size = len(json.dumps(preview, allow_nan=False).encode())
    except (TypeError, ValueError) as error:
        return f"not standard JSON: {error}"
    if size > MAX_BYTES:
        return f"{size} bytes of JSON, over the bound of {MAX_BYTES}"
    return None


def make_preview(
    packager: Packager,
    obj: Any,
    artifact_type: str,
    *,
    key: str,
    artifact_format: str | None = None,
) -> dict[str, Any] | None:
    """The packager's preview of ``obj``, checked and stamped; None when it has none or fails.

    The preview runs on a helper thread for at most :data:`TIME_LIMIT` seconds (a bounded one is
    made by the manager on its own thread first, :func:`bounded_preview`). A preview that raises,
    runs late or breaks the bounds is dropped with a debug-level log record (logger
    ``packagers.previews``), never an error: a preview must not fail the pack it describes.
    """
    from packagers.packager import Packager

    if type(packager).preview is Packager.preview:
        return None
    outcome: list[Any] = []

    def work() -> None:
        try:
            outcome.append(packager.preview(obj, artifact_type))
        except BaseException as error:  # SystemExit too: the helper thread serves on
            outcome.append(error)

    _run_on_helper(work, TIME_LIMIT)
    return _finished(packager, key, outcome, artifact_format)


def bounded_preview(
    packager: Packager, obj: Any, artifact_type: str, *, key: str
) -> Callable[[str | None], dict[str, Any] | None] | None:
    """The preview made now, on this thread, when the packager says it is bounded; else None.

    Bounded (:meth:`~packagers.Packager.preview_is_bounded`): a few microseconds of reading,
    less than the wake-ups of a hand-over to the helper thread. The manager makes such a preview
    before packing, while the object is still in the processor's caches (after a large write it
    costs twice as much). Call the result with the artifact's format for the checked preview.
    """
    from packagers.packager import Packager

    if type(packager).preview is Packager.preview:
        return None
    if not (_vouched(type(packager)) and packager.preview_is_bounded(obj)):
        return None
    outcome: list[Any] = []
    try:  # Ctrl-C interrupts the pack here as anywhere else on this thread
        outcome.append(packager.preview(obj, artifact_type))
    except Exception as error:
        outcome.append(error)
    return functools.partial(_finished, packager, key, outcome)


def _finished(
    packager: Packager, key: str, outcome: list[Any], artifact_format: str | None
) -> dict[str, Any] | None:
    """The preview in ``outcome``, checked and stamped, or None with the reason logged."""
    if not outcome:
        return _dropped(key, packager, f"it took longer than {TIME_LIMIT} s")
    preview = outcome[0]
    if isinstance(preview, BaseException):
        return _dropped(key, packager, f"it raised {type(preview).__name__}: {preview}")
    if preview is None:
        return None
    if isinstance(preview, dict):
        preview = {**preview, "schema": preview.get("schema", SCHEMA)}
        if preview.get("kind") == "image":
            preview.setdefault("format", artifact_format)
    problem = check_preview(preview)
    if problem is not None:
        return _dropped(key, packager, problem)
    return preview  # type: ignore[no-any-return]


@functools.cache
def _vouched(cls: type) -> bool:
    """Whether the class that defines ``cls``'s ``preview`` also says when it is bounded: a
    subclass overriding ``preview`` alone gets the helper thread again."""
    owner = next(c for c in cls.__mro__ if "preview" in vars(c))
    return "preview_is_bounded" in vars(owner)


#: Helper threads waiting for a preview. A pack reuses one rather than starting a thread (whose
#: start and join cost more than most previews); one still busy with a late preview is not here,
#: so a preview never waits behind another.
_IDLE: list[_Helper] = []
_IDLE_LOCK = threading.Lock()
#: Seconds a helper waits for another preview before it ends: a burst of packs shares one
#: thread, and a process that packs now and then does not keep a thread between (a fork from a
#: process with threads risks deadlocks in the child, and Python 3.12+ warns of it).
_IDLE_SECONDS = 1.0


class _Helper:
    """A daemon thread that runs previews one after another, idle in :data:`_IDLE` between."""

    def __init__(self) -> None:
        self._jobs: queue.SimpleQueue[tuple[Callable[[], None], threading.Lock]] = (
            queue.SimpleQueue()
        )
        threading.Thread(target=self._serve, name="packagers-preview", daemon=True).start()

    def submit(self, job: Callable[[], None], done: threading.Lock) -> None:
        self._jobs.put((job, done))

    def _serve(self) -> None:
        while True:
            try:
                job, done = self._jobs.get(timeout=_IDLE_SECONDS)
            except queue.Empty:
                with _IDLE_LOCK:
                    if self in _IDLE:  # nobody took it meanwhile: nobody will submit to it
                        _IDLE.remove(self)
                        return
                continue  # taken just now: its job is on the way
            job()  # never raises: the job keeps the preview's error as its outcome
            with _IDLE_LOCK:
                _IDLE.append(self)  # before the release: the next preview finds it idle
            done.release()


def _run_on_helper(job: Callable[[], None], timeout: float) -> None:
    """Run ``job`` on an idle helper thread (a new one when none is idle), waiting ``timeout``."""
    with _IDLE_LOCK:
        helper = _IDLE.pop() if _IDLE else None
    if helper is None:
        helper = _Helper()
    done = threading.Lock()
    done.acquire()
    helper.submit(job, done)
    done.acquire(timeout=timeout)


def _forget_helpers() -> None:
    """In a forked child: none of the parent's threads exist there, nor may its lock be free."""
    global _IDLE_LOCK
    _IDLE_LOCK = threading.Lock()
    _IDLE.clear()


os.register_at_fork(after_in_child=_forget_helpers)


def _dropped(key: str, packager: Packager, reason: str) -> dict[str, Any] | None:
    """No preview, and a debug record saying why (a preview is optional: never a warning)."""
    import logging

    logging.getLogger(__name__).debug(
        "no preview for %r: %s's preview was dropped because %s",
        key,
        packager.qualified_name(),
        reason,
    )
    return None


def _int(value: int) -> int | str:
    bits = value.bit_length()
    return value if bits <= _INT_BITS else f"<{'-' if value < 0 else ''}{bits}-bit int>"


def _utf8_head(text: str) -> str:
    """The longest start of ``text`` within :data:`MAX_TEXT_BYTES` of UTF-8 (never a half char)."""
    head = text[:MAX_TEXT_BYTES].encode("utf-8", "replace")[:MAX_TEXT_BYTES]
    return head.decode("utf-8", "ignore")


def _jsonable(value: Any, budget: list[int], depth: int) -> tuple[Any, bool]:
    """A JSON-ready copy of the start of ``value`` and whether anything was left out."""
    budget[0] -= 1
    if isinstance(value, (str, bytes, bytearray)):
        text = value if isinstance(value, str) else repr(bytes(value[:MAX_TEXT_BYTES]))
        return clip(text, MAX_TEXT_BYTES), len(value) > MAX_TEXT_BYTES
    if value is None or isinstance(value, (bool, float)):
        return value, False
    if isinstance(value, int):
        return _int(value), False
    if isinstance(value, dict):
        items: Any = value.items()
    elif isinstance(value, (list, tuple, set, frozenset)):
        items = value
    else:
        return clip(str(value)), False
    if depth >= _JSON_DEPTH:
        return "…", True
    is_dict = isinstance(value, dict)
    tree: Any = {} if is_dict else []
    cut = False
    for item in items:
        if budget[0] <= 0:
            return tree, True
        if is_dict:
            name, inner = item
            if not (name is None or isinstance(name, (str, bool, float))):
                name = _int(name) if isinstance(name, int) else clip(str(name))
            tree[name], inner_cut = _jsonable(inner, budget, depth + 1)
        else:
            converted, inner_cut = _jsonable(item, budget, depth + 1)
            tree.append(converted)
        cut = cut or inner_cut
    return tree, cut
