"""``map``: one function over many inputs and parameter sets, as a parent run with child runs.

Only a window of runs is in flight at a time (never one future per item up front), so a sweep of
a hundred thousand items costs the memory of the window. Each child is an ordinary run record
with ``parent_id`` and ``item``, the item's identity (the function's code, its input digests and
its params), which is what ``resume=True`` matches: an item with a completed child anywhere in
the project is not run again.
"""

from __future__ import annotations

import hashlib
import inspect
import itertools
import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from packagers.run_states import RunState
from packagers.runner.checks import run_identity
from packagers.runner.errors import RunArgumentError
from packagers.runner.executors import get_executor
from packagers.runner.job import prepare_job, retry_policy
from packagers.runner.record import RunRecord, new_run_id
from packagers.store.uri import is_store_uri

if TYPE_CHECKING:
    from packagers.log_hint import LogHint
    from packagers.runner.executors import Executor
    from packagers.runner.handler import Hints
    from packagers.runner.inputs import InputValue
    from packagers.runner.job import RunJob
    from packagers.store import Store

__all__ = ["MapRecord", "map"]


@dataclass
class MapRecord(RunRecord):
    """The parent run of a ``map``: its own record, plus its children's (not saved with it)."""

    children: list[RunRecord] = field(default_factory=list, repr=False)


def map(
    fn: Callable[..., Any] | str,
    *,
    over: list[dict[str, Any]] | dict[str, list[Any]],
    params: dict[str, Any] | None = None,
    inputs: dict[str, InputValue] | None = None,
    returns: Hints | None = None,
    project: str | None = None,
    store: Store | str | None = None,
    executor: str | Executor = "local",
    executor_options: dict[str, Any] | None = None,
    max_in_flight: int | None = None,
    max_errors: int | None = None,
    retries: int = 0,
    retry_on: Iterable[type[BaseException] | str] = (),
    timeout: float | None = None,
    best: str | None = None,
    resume: bool = False,
    name: str | None = None,
    labels: Mapping[str, str] | None = None,
) -> MapRecord:
    """Run ``fn`` once per item of ``over``; the parent record, with ``.children``.

    ``over`` is a list of items (dicts of arguments) or a dict of lists, whose every combination
    is an item (a grid); a value of that dict may be the ``store://`` URI of an itemized output
    (a dataset logged in parts as ``"*parts"``), whose members are then its list. An item's
    store URIs (``store://...``) and data items are inputs, its other values params; ``params``
    and ``inputs`` are given to every item. At most ``max_in_flight`` runs go at once (default:
    the executor's, one for ``local``); after ``max_errors`` failed children no new one starts
    and the parent ends in ``error``.
    ``best="max:accuracy"`` (or ``min:``) names the child with the best result in the parent's
    ``results["best"]``. The parent logs ``status``, a table of every item's run and state.
    ``resume=True`` skips the items that already have a completed child in the project (those
    children, of an earlier parent, are among this parent's ``children``). When the map itself
    fails (the cluster is lost, an interrupt), the parent is saved in state ``error`` and the
    exception raised again. ``name`` and ``labels`` are recorded on the parent and every child.
    """
    runner = get_executor(executor, **(executor_options or {}))
    items = _items(over, store)
    retries, retry_on_names, timeout = retry_policy(retries, retry_on, timeout)
    selector = _selector(best)
    identity = run_identity(name, labels)
    window = max_in_flight if max_in_flight is not None else runner.default_window()
    for name, value in (("max_in_flight", window), ("max_errors", max_errors)):
        if value is not None and (
            isinstance(value, bool) or not isinstance(value, int) or value < 1
        ):
            raise RunArgumentError(f"{name} must be an int >= 1, not {value!r}")
    code: dict[str, str] = {}  # the function's code digest, made once
    jobs = [
        _child_job(fn, item, params, inputs, returns, project, store, code) for item in items
    ]  # every item is checked before the first one runs
    first = jobs[0] if jobs else prepare_job(fn, inputs, params, returns, project, store)
    _check_selected(selector, first.returns)
    parent = _open_parent(first, runner.name, len(jobs))
    for field_name, value in identity.items():
        setattr(parent, field_name, value)
    done: dict[str, RunRecord] = {}
    if resume:
        done = _completed_children(
            first.store, parent.project, {job.record_fields["item"] for job in jobs}
        )
    first.store.save_run(parent.to_dict())
    children: list[RunRecord | None] = [done.get(job.record_fields["item"]) for job in jobs]
    for job in jobs:
        job.record_fields["parent_id"] = parent.id
        job.record_fields.update(identity)
        job.retries, job.retry_on, job.timeout = retries, retry_on_names, timeout
    try:
        errors = _run_items(runner, jobs, children, window, max_errors)
    except BaseException as error:
        parent.fail(error)
        parent.finish()
        first.store.save_run(parent.to_dict())
        raise
    return _close_parent(parent, jobs, children, errors, max_errors, selector)


def _run_items(
    runner: Executor,
    jobs: list[RunJob],
    children: list[RunRecord | None],
    window: int,
    max_errors: int | None,
) -> int:
    """Run the items without a child yet, ``window`` at a time; fills ``children``, returns how
    many failed."""
    pending = iter([index for index, child in enumerate(children) if child is None])
    in_flight = runner.window()
    position: dict[str, int] = {}  # run id -> item index
    errors = 0
    while True:
        batch: list[int] = []
        while len(in_flight) + len(batch) < window and (max_errors is None or errors < max_errors):
            index = next(pending, None)
            if index is None:
                break
            batch.append(index)
        started = runner.submit_many([jobs[index] for index in batch])
        for index, handle in zip(batch, started, strict=True):
            position[handle.id] = index
            in_flight.add(handle)
        if not len(in_flight):
            break
        for handle in in_flight.take():
            record = handle.wait()
            children[position.pop(handle.id)] = record
            errors += record.state != RunState.COMPLETED
    return errors


def _items(over: Any, store: Store | str | None) -> list[dict[str, Any]]:
    if isinstance(over, dict):
        names = list(over)
        over = {name: _partitions(name, values, store) for name, values in over.items()}
        for name, values in over.items():
            if not isinstance(values, (list, tuple)):
                raise RunArgumentError(
                    f"over[{name!r}] must be a list of values to take every combination of, or "
                    f"the store URI of an itemized output, not {type(values).__name__}"
                )
        return [
            dict(zip(names, values, strict=True)) for values in itertools.product(*over.values())
        ]
    if isinstance(over, (list, tuple)):
        for position, item in enumerate(over):
            if not isinstance(item, dict):
                raise RunArgumentError(
                    f"over[{position}] must be a dict of arguments, not {type(item).__name__}"
                )
        return [dict(item) for item in over]
    raise RunArgumentError(
        f"over must be a list of dicts (one per item) or a dict of lists (a grid), not "
        f"{type(over).__name__}"
    )


def _partitions(name: str, values: Any, store: Store | str | None) -> Any:
    """``values``, or the exact URIs of the members of the stored bundle ``values`` names.

    A dataset logged in parts (``"*parts"``: one member per partition) is mapped over by its
    URI: each child gets one partition as its input, by reference, so no data passes through
    the parent.
    """
    if not is_store_uri(values):
        return values
    from packagers.store import Store, get_store
    from packagers.store.errors import StoreError

    try:
        manifest = (store if isinstance(store, Store) else get_store(store)).manifest(values)
    except StoreError as error:
        raise RunArgumentError(f"over[{name!r}]: {error}") from None
    bundle = manifest.get("bundle")
    if not bundle:
        raise RunArgumentError(
            f"over[{name!r}]: {values} is a single {manifest.get('artifact_type')!r}, not an "
            'itemized output; log the partitions with an itemized hint ("*parts") to map over '
            "them, or pass a list"
        )
    return [member["uri"] for member in bundle["members"]]


def _child_job(
    fn: Callable[..., Any] | str,
    item: dict[str, Any],
    params: dict[str, Any] | None,
    inputs: dict[str, InputValue] | None,
    returns: Hints | None,
    project: str | None,
    store: Store | str | None,
    code: dict[str, str],
) -> RunJob:
    from packagers.data_item import DataItem
    from packagers.runner.envelope import input_digests
    from packagers.runner.inputs import input_url

    item_inputs = dict(inputs or {})
    item_params = dict(params or {})
    for name, value in item.items():
        is_input = isinstance(value, DataItem) or is_store_uri(value)
        (item_inputs if is_input else item_params)[name] = value
    job = prepare_job(fn, item_inputs, item_params, returns, project, store)
    digests = input_digests(job)
    identity = {
        "code": code.get("digest") or code.setdefault("digest", _code_digest(job.fn)),
        "inputs": {
            name: digests[name] or input_url(value) for name, value in sorted(job.inputs.items())
        },
        "params": job.params,
    }
    text = json.dumps(identity, sort_keys=True, default=repr)
    job.record_fields["item"] = hashlib.sha256(text.encode()).hexdigest()[:32]
    return job


def _code_digest(fn: Callable[..., Any]) -> str:
    """What identifies the function's code: its source, else its bytecode and constants."""
    try:
        text = inspect.getsource(fn).encode()
    except (OSError, TypeError):
        code = getattr(fn, "__code__", None)
        text = repr((code.co_code, code.co_consts) if code else fn).encode()
    return hashlib.sha256(text).hexdigest()


def _selector(best: str | None) -> tuple[str, str] | None:
    if best is None:
        return None
    direction, sep, key = best.partition(":")
    if not sep or direction not in ("max", "min") or not key:
        raise RunArgumentError(
            f"best must be 'max:RESULT' or 'min:RESULT' (e.g. 'max:accuracy'), not {best!r}"
        )
    return direction, key


def _check_selected(selector: tuple[str, str] | None, hints: tuple[LogHint, ...]) -> None:
    """Refuse a ``best`` result no log hint logs, before any item runs (a typo would pick none).

    Itemized hints and auto-packed outputs make keys only the values tell, so those pass.
    """
    from packagers._config import config

    if selector is None or config.auto_pack_outputs or any(hint.itemized for hint in hints):
        return
    keys = [hint.key for hint in hints]
    if selector[1] in keys:
        return
    from packagers._suggest import did_you_mean

    known = f"the log hints' keys: {', '.join(keys)}" if keys else "there are no log hints"
    raise RunArgumentError(
        f"best={':'.join(selector)!r}: no log hint logs a result {selector[1]!r} ({known})"
        + did_you_mean(selector[1], keys)
    )


def _open_parent(job: RunJob, executor: str, count: int) -> MapRecord:
    from packagers.runner.local import open_record

    child = open_record(job, executor)
    now = datetime.now(timezone.utc)
    return MapRecord(
        id=new_run_id(now),
        name=child.name,
        project=child.project,
        function=child.function,
        executor=executor,
        params={"items": count},
        started=now.isoformat(),
    )


def _completed_children(
    store: Store, project: str, wanted: set[str | None]
) -> dict[str, RunRecord]:
    """The completed child runs of the project whose item is wanted, by item (newest kept)."""
    found: dict[str, RunRecord] = {}
    for data in reversed(store.list_runs(project)):  # oldest first: the newest one wins
        item = data.get("item")
        if item in wanted and data.get("state") == RunState.COMPLETED and data.get("parent_id"):
            found[item] = RunRecord.from_dict(data)
    return found


def _close_parent(
    parent: MapRecord,
    jobs: list[RunJob],
    children: list[RunRecord | None],
    errors: int,
    max_errors: int | None,
    selector: tuple[str, str] | None,
) -> MapRecord:
    """Count the children's states, name the best, log the status table, save the parent."""
    finished = [child for child in children if child is not None]
    counts: dict[str, int] = {}
    for child in finished:
        counts[child.state] = counts.get(child.state, 0) + 1
    counts["not_run"] = len(children) - len(finished)
    parent.children = finished
    parent.results = {"counts": counts}
    if selector is not None:
        direction, key = selector
        scored = [c for c in finished if c.ok and isinstance(c.results.get(key), (int, float))]
        if scored:
            pick = max if direction == "max" else min
            winner = pick(scored, key=lambda child: child.results[key])
            parent.results["best"] = {"run_id": winner.id, key: winner.results[key]}
    store = jobs[0].store if jobs else None
    if store is not None:
        parent.artifacts["status"] = _log_status(store, parent, jobs, children)
    if max_errors is not None and errors >= max_errors and counts["not_run"]:
        parent.state = RunState.ERROR
        parent.error = {
            "type": "MapStopped",
            "message": f"stopped after {errors} failed items (max_errors={max_errors}); "
            f"{counts['not_run']} items were not run (map again with resume=True)",
            "traceback": "",
        }
    else:
        parent.state = RunState.COMPLETED
    parent.finish()
    if store is not None:
        store.save_run(parent.to_dict())
    return parent


def _status_rows(jobs: list[RunJob], children: list[RunRecord | None]) -> Iterator[dict[str, Any]]:
    for index, (job, child) in enumerate(zip(jobs, children, strict=True)):
        yield {
            "item": index,
            "run_id": child.id if child else None,
            "state": child.state if child else "not_run",
            "error": (child.error or {}).get("type") if child else None,
            "params": json.dumps(job.params, sort_keys=True, default=repr),
            **{key: value for key, value in (child.results if child else {}).items()},
        }


def _log_status(
    store: Store, parent: MapRecord, jobs: list[RunJob], children: list[RunRecord | None]
) -> Any:
    """The status table as a dataset when pandas is installed, else as a JSON file of rows."""
    import importlib.util

    from packagers.manager import PackagersManager

    rows: Any = list(_status_rows(jobs, children))
    hint = "status : file"
    if importlib.util.find_spec("pandas") is not None:
        import pandas

        rows, hint = pandas.DataFrame(rows), "status : dataset"
    with PackagersManager() as manager:
        package = manager.pack(rows, hint)
        refs = store.log_packages([package], project=parent.project, run_id=parent.id)
    return refs["status"]
