"""Projects: MLproject-compatible directories and git repositories, run with one command.

``load(uri)`` reads a project (its ``MLproject`` file: entry points with typed parameters and a
command or a handler, an environment, a workflow); ``run(uri, entry_point, params)`` checks the
parameters, prepares the environment and runs the entry point as a process, recorded like any
other run. See ``docs/projects.md``.
"""

from __future__ import annotations

from packagers.projects.errors import (
    EntryPointNotFoundError,
    ProjectEnvironmentError,
    ProjectError,
    ProjectFileError,
    ProjectFileWarning,
    ProjectParameterError,
    ProjectRunError,
    ProjectSourceError,
    WorkflowError,
)
from packagers.projects.loading import load
from packagers.projects.parameters import PARAMETER_TYPES, Parameter
from packagers.projects.running import ProjectRun, run
from packagers.projects.spec import EntryPoint, Project

__all__ = [
    "PARAMETER_TYPES",
    "EntryPoint",
    "EntryPointNotFoundError",
    "Parameter",
    "Project",
    "ProjectEnvironmentError",
    "ProjectError",
    "ProjectFileError",
    "ProjectFileWarning",
    "ProjectParameterError",
    "ProjectRun",
    "ProjectRunError",
    "ProjectSourceError",
    "WorkflowError",
    "load",
    "run",
]
