"""``run``: check the arguments against the function, then hand the job to an executor.

Everything that can be wrong with the arguments is found here, before a run record exists, and
raised; what goes wrong once the run started (an input that does not unpack, the function
raising, an output that does not pack) ends in a record in state ``error``.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from packagers.data_item import DataItem
from packagers.runner.errors import FunctionReferenceError, RunArgumentError
from packagers.runner.executors import get_executor
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
    from packagers.runner.record import RunRecord
    from packagers.store import Store

__all__ = ["RunJob", "prepare_job", "run"]


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


def run(
    fn: Callable[..., Any] | str,
    *,
    inputs: dict[str, InputValue] | None = None,
    params: dict[str, Any] | None = None,
    returns: Hints | None = None,
    project: str | None = None,
    store: Store | str | None = None,
    executor: str = "local",
    progress: Callable[[str, int, int], None] | None = None,
) -> RunRecord:
    """Run ``fn`` with typed inputs, log what it returns, and return the run record.

    ``inputs`` are store URIs, local paths or fsspec URLs, unpacked by the parameters' type
    hints; ``params`` are passed as they are; ``returns`` are log hints (by default those of
    ``@handler``). A function that raises gives a record in state ``error``; bad arguments raise
    a :class:`~packagers.runner.RunError`. ``progress(key, done, total)`` is called while the
    outputs of an in-process run stream into the store (for progress bars).
    """
    runner = get_executor(executor)
    job = prepare_job(fn, inputs, params, returns, project, store)
    job.progress = progress
    return runner.execute(job)


def prepare_job(
    fn: Callable[..., Any] | str,
    inputs: dict[str, InputValue] | None,
    params: dict[str, Any] | None,
    returns: Hints | None,
    project: str | None,
    store: Store | str | None,
) -> RunJob:
    """Load the function, match the argument names to its parameters and open the store."""
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
    return RunJob(
        fn=fn,
        info=info,
        reference=reference,
        inputs=inputs,
        params=params,
        returns=hints,
        project=project,
        store=store if isinstance(store, Store) else get_store(store),
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
