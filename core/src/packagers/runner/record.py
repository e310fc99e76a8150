"""The run record: what ran, with what, what came out, and how long it took, as plain JSON."""

from __future__ import annotations

import os
import platform
import sys
from dataclasses import dataclass, field, fields
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from packagers.run_states import RunState

if TYPE_CHECKING:
    from packagers.store import ArtifactRef

__all__ = [
    "RECORD_SCHEMA",
    "RunRecord",
    "error_info",
    "new_run_id",
    "qualified_names",
    "type_name",
]

#: Bumped when the serialised layout changes incompatibly.
RECORD_SCHEMA = 1


def new_run_id(now: datetime) -> str:
    """A unique id that sorts by start time: ``20250102T030405123456Z-9f86d081``.

    The random part makes ids unique across processes without coordination.
    """
    return f"{now:%Y%m%dT%H%M%S%f}Z-{os.urandom(4).hex()}"


def type_name(kind: type) -> str:
    """``ValueError`` for a builtin, ``package.module.Error`` otherwise: how records name types.

    A class defined in a private module is named where its package exports it
    (``packagers.PackingError``, not ``packagers._errors.PackingError``): the name people can
    import, search for and give to ``retry_on``.
    """
    if kind.__module__ == "builtins":
        return kind.__qualname__
    return f"{_public_module(kind)}.{kind.__qualname__}"


def qualified_names(kind: type) -> tuple[str, ...]:
    """Every name a user may give a class by: its public name and the module defining it."""
    return tuple(dict.fromkeys((type_name(kind), f"{kind.__module__}.{kind.__qualname__}")))


def _public_module(kind: type) -> str:
    """The shortest already imported package exporting ``kind`` when its module is private."""
    parts = kind.__module__.split(".")
    if not any(part.startswith("_") for part in parts):
        return kind.__module__
    for end in range(1, len(parts)):
        package = sys.modules.get(".".join(parts[:end]))
        if package is not None and getattr(package, kind.__qualname__, None) is kind:
            return str(package.__name__)
    return kind.__module__


def error_info(error: BaseException) -> dict[str, str]:
    """What a record keeps of an exception: its type, message and formatted traceback."""
    import traceback

    return {
        "type": type_name(type(error)),
        "message": str(error),
        "traceback": "".join(traceback.format_exception(error)),
    }


@dataclass
class RunRecord:
    """One run of a function, as saved in the store and returned by ``run``.

    ``inputs`` maps each input name to ``{"uri": ...}``, plus ``"resolved"`` (the exact version
    a tag named) and ``"digest"`` when the store knows them; ``results`` holds result values;
    ``artifacts`` the references of what was logged. ``logged`` is False for the workers of a
    multi-worker run that do not log.
    ``name`` is what the caller named the run (default: the function's name); ``labels``
    free ``key: value`` strings to find runs by (``packagers runs ls --label k=v``).
    ``duration`` is the wall time, ``ended`` minus ``started`` (seconds); ``timings`` splits it
    into ``unpack``, ``run``, ``pack`` and ``log``.
    ``parent_id`` links a step to the run it is part of (a workflow's, a map's).
    ``project_run`` is set for runs of a project's entry point: the source (``uri``,
    ``version``, ``commit``, ``subdirectory``), the ``entry_point``, its ``command`` or
    ``handler``, the ``environment`` (``manager``, ``digest``) and how the process ended
    (``exit_code``, ``signal``).
    ``item`` is the identity of a ``map`` item (what ``map(resume=True)`` matches); ``worker``
    where the run happened (a cluster worker's address); ``attempts`` the earlier tries of a
    retried run, oldest first (each: its number, worker, start, end, state and error).
    """

    id: str
    name: str
    project: str
    state: str = RunState.RUNNING
    function: str | None = None
    executor: str = "local"
    params: dict[str, Any] = field(default_factory=dict)
    inputs: dict[str, dict[str, Any]] = field(default_factory=dict)
    results: dict[str, Any] = field(default_factory=dict)
    artifacts: dict[str, ArtifactRef] = field(default_factory=dict)
    error: dict[str, str] | None = None
    logged: bool = True
    rank: int = 0
    started: str = ""
    ended: str | None = None
    duration: float | None = None
    timings: dict[str, float] = field(default_factory=dict)
    python_version: str = field(default_factory=platform.python_version)
    plugins: dict[str, str] = field(default_factory=dict)
    parent_id: str | None = None
    project_run: dict[str, Any] | None = None
    item: str | None = None
    worker: str | None = None
    attempts: list[dict[str, Any]] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """Whether the run completed (what a caller checks before using the outputs)."""
        return self.state == RunState.COMPLETED

    def fail(self, error: BaseException) -> None:
        """Move to state ``error``, keeping the exception (see :func:`error_info`)."""
        self.state = RunState.ERROR
        self.error = error_info(error)

    def finish(self) -> None:
        """Stamp the end now; the duration is end minus start, whichever executor ran it."""
        now = datetime.now(timezone.utc)
        self.ended = now.isoformat()
        if self.started:
            self.duration = (now - datetime.fromisoformat(self.started)).total_seconds()

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (artifact references become dicts), the form the store saves."""
        data = {name: getattr(self, name) for name in _FIELDS}
        data["artifacts"] = {key: ref.to_dict() for key, ref in self.artifacts.items()}
        data["schema"] = RECORD_SCHEMA
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RunRecord:
        """The record a :meth:`to_dict` dict describes; unknown (newer) keys are ignored."""
        values = {name: data[name] for name in _FIELDS if name in data}
        artifacts = values.get("artifacts")
        if artifacts:
            from packagers.store import ArtifactRef

            values["artifacts"] = {key: ArtifactRef(**ref) for key, ref in artifacts.items()}
        return cls(**values)

    def __str__(self) -> str:
        outputs = [*self.results, *self.artifacts]
        return f"run {self.name} {self.id} [{self.state}] outputs: {', '.join(outputs) or 'none'}"


_FIELDS = tuple(f.name for f in fields(RunRecord))
