"""Where a run happens: a registry of executors, with ``local`` and ``process`` built in.

An executor receives a checked :class:`~packagers.runner.runner.RunJob` and returns its record. The
``process`` executor is the model for remote ones: only JSON crosses the boundary (a function
reference, input URIs, params, log hints, the store URL, the settings in effect and the custom
packagers registered in code), and the other side ends in the same in-process run as ``local``.
"""

from __future__ import annotations

import json
import os
import sys
import time
from abc import ABC, abstractmethod
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, ClassVar

from packagers.runner.errors import ExecutorError, RunArgumentError
from packagers.runner.functions import function_reference
from packagers.runner.handler import hint_to_json
from packagers.runner.inputs import input_url
from packagers.runner.local import close_record, execute, open_record
from packagers.runner.record import ERROR, RunRecord

if TYPE_CHECKING:
    from packagers.log_hint import LogHint
    from packagers.runner.runner import RunJob
    from packagers.store import Store

__all__ = [
    "Executor",
    "LocalExecutor",
    "ProcessExecutor",
    "executor_names",
    "get_executor",
    "register_executor",
    "worker_request",
]


class Executor(ABC):
    """Runs a checked job somewhere and returns its record (it raises only for its own failures)."""

    #: The name ``run(..., executor=name)`` selects it by; set by :func:`register_executor`.
    name: ClassVar[str] = ""

    @abstractmethod
    def execute(self, job: RunJob) -> RunRecord:
        """Run the job and return its final record."""


class LocalExecutor(Executor):
    """In this process: the fastest, and the function can take any Python object as a param."""

    def execute(self, job: RunJob) -> RunRecord:
        return execute(job, self.name)


class ProcessExecutor(Executor):
    """In a fresh Python process that receives only JSON, as a remote worker would.

    The worker saves the run record itself; when it dies without one (a crash, a kill), the
    record is completed here in state ``error`` so the run never stays ``running``.
    """

    def execute(self, job: RunJob) -> RunRecord:
        import subprocess
        import tempfile

        request = self.request(job)
        record = open_record(job, self.name)
        request["run_id"] = record.id
        start = time.perf_counter()
        descriptor, output = tempfile.mkstemp(prefix="packagers-run-", suffix=".json")
        os.close(descriptor)
        try:
            completed = subprocess.run(
                [sys.executable, "-m", "packagers.runner._worker", output],
                input=json.dumps(request),
                text=True,
                check=False,
            )
            with open(output, encoding="utf-8") as stream:
                text = stream.read()
        finally:
            os.remove(output)
        if not text:
            record.fail(
                ExecutorError(
                    f"the worker process exited with code {completed.returncode} without a run "
                    "record (see its output above)"
                )
            )
            close_record(job, record, start, announced=True)  # the worker may have announced it
            return record
        reply = json.loads(text)
        if "error" in reply:  # the job did not even start in the worker
            record.state, record.error = ERROR, reply["error"]
            close_record(job, record, start)
            return record
        return RunRecord.from_dict(reply["record"])

    def request(self, job: RunJob) -> dict[str, Any]:
        """The JSON the worker gets; refuses what would not arrive as it was given."""
        return worker_request(
            executor=self.name,
            function=job.reference or function_reference(job.fn),
            inputs={name: input_url(value) for name, value in job.inputs.items()},
            params=job.params,
            returns=job.returns,
            project=job.project,
            store=job.store,
        )


def worker_request(
    *,
    executor: str,
    function: str,
    inputs: dict[str, str],
    params: dict[str, Any],
    returns: Iterable[LogHint] | None,
    project: str,
    store: Store,
) -> dict[str, Any]:
    """The JSON request of ``python -m packagers.runner._worker`` (``returns=None``: the
    function's own ``@handler`` hints); refuses what would not arrive as it was given.

    The caller adds ``run_id``, and may replace ``sys_path`` and ``custom_packagers`` (a project
    runs in its own environment, with its own path) or add ``record_fields`` (fields the record
    starts with) and ``save: False`` (the caller completes and saves the final record).
    """
    from packagers._config import config

    url = getattr(store, "url", None)
    if not isinstance(url, str) or url.startswith("memory://"):
        raise RunArgumentError(
            f"the store {url or store!r} lives in this process only, and the worker "
            "process cannot reach it; use a directory or a bucket URL"
        )
    for name, value in params.items():
        if not _survives_json(value):
            raise RunArgumentError(
                f"param {name!r} ({type(value).__name__}) does not survive JSON unchanged, "
                f"which executor={executor!r} sends params as; store it and pass it as "
                "an input, or use executor='local'"
            )
    storage_options = getattr(store, "storage_options", {})
    if not _survives_json(storage_options):
        raise RunArgumentError(
            f"the storage options of {url} do not survive JSON unchanged, which the worker "
            "gets them as; give them as plain values, or set them in the environment "
            "(fsspec's FSSPEC_* variables)"
        )
    return {
        "executor": executor,
        "function": function,
        "inputs": inputs,
        "params": params,
        "returns": None if returns is None else [hint_to_json(hint) for hint in returns],
        "project": project,
        "store": url,
        "storage_options": storage_options,
        "config": _flatten(config.as_dict()),
        "custom_packagers": _custom_packagers(),
        "sys_path": [entry for entry in sys.path if entry],
    }


_registry: dict[str, type[Executor]] = {}


def register_executor(name: str, executor: type[Executor]) -> None:
    """Make ``executor`` selectable as ``run(..., executor=name)`` (replacing one of that name)."""
    if not (isinstance(executor, type) and issubclass(executor, Executor)):
        raise ExecutorError(f"{executor!r} is not an Executor subclass")
    executor.name = name
    _registry[name] = executor


def get_executor(name: str) -> Executor:
    """An instance of the executor registered as ``name``."""
    executor = _registry.get(name)
    if executor is None:
        raise ExecutorError(
            f"unknown executor {name!r}; known executors: {', '.join(executor_names())}"
        )
    return executor()


def executor_names() -> list[str]:
    return sorted(_registry)


def _survives_json(value: Any) -> bool:
    try:
        return bool(json.loads(json.dumps(value)) == value)
    except (TypeError, ValueError):
        return False


def _custom_packagers() -> list[dict[str, Any]]:
    """The custom packagers registered in code here, which the worker must register too.

    A ``PackagersManager`` there collects from entry points and its own registrations only; a
    packager added with ``add_custom_packager`` in this process would silently be missing.
    """
    from packagers.plugins.collection import ACTIVE, CUSTOM_PLUGIN, list_packagers

    return [
        {"name": record.name, "priority": record.priority}
        for record in list_packagers()
        if record.plugin == CUSTOM_PLUGIN and record.state == ACTIVE
    ]


def _flatten(tree: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """``{"store": {"url": u}}`` -> ``{"store.url": u}``: the form ``config.override`` takes."""
    flat: dict[str, Any] = {}
    for name, value in tree.items():
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{prefix}{name}."))
        else:
            flat[f"{prefix}{name}"] = value
    return flat


register_executor("local", LocalExecutor)
register_executor("process", ProcessExecutor)
