"""Running functions: typed inputs in, logged outputs out, and a record of every run.

``run(fn, inputs=..., params=..., returns=...)`` runs here (``executor="local"``), in a fresh
process (``"process"``) or on a Dask cluster (``"dask"``, an optional extra); ``submit`` returns
a handle without waiting; ``@handler(returns=[...])`` declares a function's log hints. The
package is ``packagers.runner`` so that ``packagers.run`` can stay the plain function.
"""

from __future__ import annotations

from packagers.runner.errors import (
    DuplicateKeyError,
    ExecutorError,
    FunctionReferenceError,
    InputNotFoundError,
    MissingParameterError,
    ParamTypeError,
    RunArgumentError,
    RunError,
    UnknownArtifactTypeError,
)
from packagers.runner.executors import (
    Executor,
    LocalExecutor,
    ProcessExecutor,
    ProcessRun,
    executor_names,
    get_executor,
    register_executor,
)
from packagers.runner.fanout import MapRecord, map
from packagers.runner.handle import CompletedRun, RunHandle, RunTimeoutError
from packagers.runner.handler import handler
from packagers.runner.job import RunJob
from packagers.runner.launch import run, submit
from packagers.runner.record import RunRecord

__all__ = [
    "CompletedRun",
    "DuplicateKeyError",
    "Executor",
    "ExecutorError",
    "FunctionReferenceError",
    "InputNotFoundError",
    "LocalExecutor",
    "MapRecord",
    "MissingParameterError",
    "ParamTypeError",
    "ProcessExecutor",
    "ProcessRun",
    "RunArgumentError",
    "RunError",
    "RunHandle",
    "RunJob",
    "RunRecord",
    "RunTimeoutError",
    "UnknownArtifactTypeError",
    "executor_names",
    "get_executor",
    "handler",
    "map",
    "register_executor",
    "run",
    "submit",
]
