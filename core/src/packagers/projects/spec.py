"""Projects: what a project is (its entry points, environment and workflow).

Loading one from a directory or a git URL is ``loading``'s job; reading an ``MLproject`` file is
``project_file``'s. Both build the types defined here.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from packagers.projects.commands import script_command
from packagers.projects.errors import EntryPointNotFoundError
from packagers.projects.parameters import Parameter

if TYPE_CHECKING:
    from packagers.projects.environments import EnvironmentSpec

__all__ = [
    "ENVIRONMENT_KEYS",
    "PROJECT_FILE",
    "EntryPoint",
    "Project",
    "default_environment",
    "find_project_file",
]

#: The name MLflow looks for, in any letter case.
PROJECT_FILE = "mlproject"
#: The environment keys: a project declares at most one of them.
ENVIRONMENT_KEYS = ("python_env", "conda_env", "docker_env")
#: Environment files MLflow uses when the project file names none (in this order).
_DEFAULT_ENVIRONMENTS = (("python_env", "python_env.yaml"), ("conda_env", "conda.yaml"))


@dataclass(frozen=True)
class EntryPoint:
    """Something a project can run: a shell ``command`` or a ``handler`` function (one of them).

    ``handler`` is ``script.py:function`` (relative to the project) or ``module:function``;
    ``returns`` are its log hints, as strings.
    """

    name: str
    parameters: Mapping[str, Parameter] = field(default_factory=dict, hash=False)
    command: str | None = None
    handler: str | None = None
    returns: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Project:
    """A project: where it is, its entry points, its environment and its (raw) workflow.

    ``file`` is the ``MLproject`` file, None for a plain directory. ``uri`` is the source as
    given, ``commit`` the git commit it resolved to (None for a plain directory).
    """

    name: str
    root: Path
    entry_points: Mapping[str, EntryPoint] = field(default_factory=dict, hash=False)
    environment: EnvironmentSpec | None = None
    workflow: Any = field(default=None, hash=False)
    file: Path | None = None
    uri: str = ""
    version: str | None = None
    commit: str | None = None
    subdirectory: str = ""

    def entry_point(self, name: str) -> EntryPoint:
        """The declared entry point ``name``, or the script at that path (``src/train.py``)."""
        declared = self.entry_points.get(name)
        if declared is not None:
            return declared
        command = script_command(name)
        script = (self.root / name).resolve()
        if command is not None and script.is_file() and script.is_relative_to(self.root):
            return EntryPoint(name=name, command=command)
        known = [*self.entry_points, *self.scripts()]
        raise EntryPointNotFoundError(
            f"project {self.name!r} ({self.root}) has no entry point {name!r} and no .py or .sh "
            f"script at that path; entry points: {', '.join(known) or 'none'}"
        )

    def scripts(self) -> list[str]:
        """The scripts at the top of the project, each an entry point by its file name."""
        return sorted(
            entry.name
            for entry in os.scandir(self.root)
            if entry.is_file() and script_command(entry.name) is not None
        )


def find_project_file(directory: Path) -> Path | None:
    """The ``MLproject`` file of ``directory``, whatever its letter case (as MLflow finds it)."""
    for entry in sorted(os.scandir(directory), key=lambda entry: entry.name):
        if entry.name.lower() == PROJECT_FILE and entry.is_file():
            return Path(entry.path)
    return None


def default_environment(root: Path) -> EnvironmentSpec | None:
    """The environment file MLflow picks up in ``root`` when the project file names none."""
    for kind, name in _DEFAULT_ENVIRONMENTS:
        if (root / name).is_file():
            from packagers.projects.environments import EnvironmentSpec

            return EnvironmentSpec(kind=kind, path=root / name)
    return None
