"""Errors ``run`` raises before a run starts: the arguments are wrong, nothing was executed.

A failing user function is not one of them: it gives a run record in state ``error``.
"""

from __future__ import annotations

from packagers._errors import PackagersError

__all__ = ["ExecutorError", "FunctionReferenceError", "RunArgumentError", "RunError"]


class RunError(PackagersError):
    """Base class of the errors of ``packagers.run``."""


class FunctionReferenceError(RunError, ValueError):
    """A function reference cannot be loaded, or a function cannot be referenced by name."""


class RunArgumentError(RunError, ValueError):
    """``inputs``, ``params`` or ``returns`` do not fit the function or the executor."""


class ExecutorError(RunError):
    """An unknown executor, or one that could not run the function at all."""
