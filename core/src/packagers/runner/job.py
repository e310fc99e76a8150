"""``RunJob``: a checked request to run a function, what every executor receives.

``prepare_job`` turns ``run``'s arguments into one. Everything that can be wrong with them is
found there, before a run record exists, and raised; what goes wrong once the run started (an
input that does not unpack, the function raising, an output that does not pack) ends in a record
in state ``error``.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from packagers.data_item import DataItem
from packagers.runner.checks import check_job
from packagers.runner.errors import FunctionReferenceError, RunArgumentError
from packagers.runner.functions import (
    FunctionInfo,
    canonical_reference,
    function_info,
    load_function,
)
from packagers.runner.handler import handler_returns, parse_returns

if TYPE_CHECKING:
    from packagers.log_hint import LogHint
    from packagers.runner.handler import Hints
    from packagers.runner.inputs import InputValue
    from packagers.store import Store

__all__ = ["RunJob", "prepare_job", "retry_policy"]


@dataclass
class RunJob:
    """A checked request to run a function: what executors receive.

    ``reference`` is the ``module:function`` or ``script.py:function`` the user gave (scripts made
    absolute), None when a function object was given.
    """

    fn: Callable[..., Any]
    info: FunctionInfo
    reference: str | None
    inputs: dict[str, InputValue]
    params: dict[str, Any]
    returns: tuple[LogHint, ...]
    project: str
    store: Store
    run_id: str | None = None
    #: Fields the record starts with, beside the function's (a project run's, a parent run).
    record_fields: dict[str, Any] = field(default_factory=dict)
    #: ``progress(key, bytes_done, bytes_total)`` while outputs are written (in-process runs).
    progress: Callable[[str, int, int], None] | None = None
    #: How many times a retryable failure is tried again, and the exception types (qualified
    #: names) raised by the function that count as retryable.
    retries: int = 0
    retry_on: tuple[str, ...] = ()
    #: Seconds the run may take before it ends in state ``timeout``.
    timeout: float | None = None
    #: Checked between phases: the final state to stop in (``cancelled``...), or None to go on.
    should_stop: Callable[[], str | None] | None = None


def retry_policy(
    retries: int, retry_on: Iterable[type[BaseException] | str], timeout: float | None
) -> tuple[int, tuple[str, ...], float | None]:
    """The checked ``retries``, ``retry_on`` (as the qualified names records use) and timeout."""
    if retries == 0 and retry_on == () and timeout is None:  # every plain run: no checks
        return 0, (), None
    from packagers.runner.record import type_name

    if isinstance(retries, bool) or not isinstance(retries, int) or retries < 0:
        raise RunArgumentError(f"retries must be an int >= 0, not {retries!r}")
    if isinstance(retry_on, (str, type)):
        retry_on = (retry_on,)
    names = []
    for kind in retry_on:
        if isinstance(kind, type) and issubclass(kind, BaseException):
            names.append(type_name(kind))
        elif isinstance(kind, str) and kind:
            names.append(kind)
        else:
            raise RunArgumentError(
                f"retry_on takes exception classes (or their qualified names), not {kind!r}"
            )
    if timeout is not None and not (
        isinstance(timeout, (int, float)) and not isinstance(timeout, bool) and timeout > 0
    ):
        raise RunArgumentError(f"timeout must be a number of seconds > 0, not {timeout!r}")
    return retries, tuple(names), timeout


def prepare_job(
    fn: Callable[..., Any] | str,
    inputs: dict[str, InputValue] | None,
    params: dict[str, Any] | None,
    returns: Hints | None,
    project: str | None,
    store: Store | str | None,
    *,
    check: bool = True,
) -> RunJob:
    """Load the function, match the argument names to its parameters and open the store.

    ``check`` refuses a run that cannot work (see ``runner/checks.py``); a worker preparing a
    job its launcher checked already skips it.
    """
    from packagers._config import config
    from packagers.store import Store, get_store
    from packagers.store.errors import StoreError
    from packagers.store.uri import check_name

    reference = None
    if isinstance(fn, str):
        reference = canonical_reference(fn)
        fn = load_function(reference)
    elif not callable(fn):
        raise FunctionReferenceError(
            f"fn must be a function or a 'module:function' string, not {type(fn).__name__}"
        )
    info = function_info(fn)
    inputs = dict(inputs or {})
    params = dict(params or {})
    _check_names(info, inputs, params)
    for name, value in inputs.items():
        if not isinstance(value, (str, os.PathLike, DataItem)):
            raise RunArgumentError(
                f"input {name!r} must be a store URI, a path or a URL, not "
                f"{type(value).__name__} (pass objects through params)"
            )
    hints = parse_returns(returns) if returns is not None else handler_returns(fn) or ()
    try:  # before the function runs, not when its outputs are stored
        project = check_name("project", project or config.project, "run")
    except StoreError as error:
        raise RunArgumentError(str(error)) from None
    opened = store if isinstance(store, Store) else get_store(store)
    if check:
        check_job(info, inputs, params, hints, opened)
    return RunJob(
        fn=fn,
        info=info,
        reference=reference,
        inputs=inputs,
        params=params,
        returns=hints,
        project=project,
        store=opened,
    )


def _check_names(info: FunctionInfo, inputs: dict[str, Any], params: dict[str, Any]) -> None:
    both = sorted(set(inputs) & set(params))
    if both:
        raise RunArgumentError(
            f"{', '.join(map(repr, both))} given both as input and as param; pass each once"
        )
    for kind, names in (("input", inputs), ("param", params)):
        unknown = [name for name in names if not info.accepts(name)]
        if unknown:
            raise RunArgumentError(
                f"{info.name}() has no parameter {', '.join(map(repr, unknown))} (given as "
                f"{kind}); its parameters: {', '.join(info.parameters) or 'none'}"
            )
