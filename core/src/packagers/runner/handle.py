"""A run that was submitted and may still be going: follow it, wait for it, stop it.

One class for every kind of run, whatever runs it (a function on any executor, a project's
entry point): callers write ``handle.wait()`` and ``handle.cancel()`` without knowing where
the run happens. Subclasses say how to poll, wait and stop; the record they end with is the
one saved in the store.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import TYPE_CHECKING

from packagers.run_states import FINAL_STATES
from packagers.runner.errors import RunError

if TYPE_CHECKING:
    from packagers.runner.record import RunRecord

__all__ = ["CompletedRun", "RunHandle", "RunTimeoutError"]


class RunTimeoutError(RunError, TimeoutError):
    """``wait(timeout=...)`` gave up before the run ended; the run itself goes on."""


class RunHandle(ABC):
    """A submitted run: ``id`` at once, ``state`` and ``record`` as it goes, then the final record.

    ``wait()`` returns the final record (a run that failed is a record in state ``error``, not
    an exception) and raises :class:`RunTimeoutError` only when ``timeout`` seconds pass first.
    ``cancel()`` asks the run to stop and returns whether it was still going; the record then
    ends ``cancelled``.
    """

    @property
    @abstractmethod
    def id(self) -> str:
        """The run id, known as soon as the run is submitted."""

    @property
    @abstractmethod
    def record(self) -> RunRecord:
        """The latest record known here (final once :meth:`done`)."""

    @abstractmethod
    def wait(self, timeout: float | None = None) -> RunRecord:
        """Block until the run ends and return its final record."""

    @abstractmethod
    def cancel(self) -> bool:
        """Stop the run if it is still going; True when this call stopped it."""

    @property
    def state(self) -> str:
        return self.record.state

    def done(self) -> bool:
        return self.state in FINAL_STATES

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.id} [{self.state}]>"


class CompletedRun(RunHandle):
    """The handle of a run that had already ended when it was handed out."""

    def __init__(self, record: RunRecord) -> None:
        self._record = record

    @property
    def id(self) -> str:
        return self._record.id

    @property
    def record(self) -> RunRecord:
        return self._record

    def wait(self, timeout: float | None = None) -> RunRecord:
        return self._record

    def cancel(self) -> bool:
        return False
