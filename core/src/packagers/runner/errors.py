"""Errors ``run`` raises before a run starts: the arguments are wrong, nothing was executed.

A failing user function is not one of them: it gives a run record in state ``error``.
"""

from __future__ import annotations

from packagers._errors import PackagersError

__all__ = [
    "DuplicateKeyError",
    "ExecutorError",
    "FunctionReferenceError",
    "InputNotFoundError",
    "MissingParameterError",
    "ParamTypeError",
    "RunArgumentError",
    "RunError",
    "UnknownArtifactTypeError",
]


class RunError(PackagersError):
    """Base class of the errors of ``packagers.run``."""


class FunctionReferenceError(RunError, ValueError):
    """A function reference cannot be loaded, or a function cannot be referenced by name."""


class RunArgumentError(RunError, ValueError):
    """``inputs``, ``params`` or ``returns`` do not fit the function or the executor."""


class MissingParameterError(RunArgumentError):
    """A parameter without a default was given neither as an input nor as a param."""


class DuplicateKeyError(RunArgumentError):
    """Two log hints name the same key: the second output would overwrite the first."""


class InputNotFoundError(RunArgumentError):
    """An input names a store URI that does not resolve, or a local file that does not exist."""


class UnknownArtifactTypeError(RunArgumentError):
    """A log hint asks for an artifact type that no collected packager packs."""


class ParamTypeError(RunArgumentError):
    """A param given as text (``packagers run -p``) does not convert to its parameter's hint."""


class ExecutorError(RunError):
    """An unknown executor, or one that could not run the function at all."""
