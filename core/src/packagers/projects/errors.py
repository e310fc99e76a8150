"""Errors of projects: each names the file, parameter, source or environment that was wrong.

All of them are raised before a run record exists; what fails once a project run started ends in
a record in state ``error`` instead.
"""

from __future__ import annotations

from packagers._errors import PackagersError, PackagersWarning

__all__ = [
    "EntryPointNotFoundError",
    "ProjectEnvironmentError",
    "ProjectError",
    "ProjectFileError",
    "ProjectFileWarning",
    "ProjectParameterError",
    "ProjectRunError",
    "ProjectSourceError",
    "WorkflowError",
]


class ProjectError(PackagersError):
    """Base class of the errors of projects."""


class ProjectFileError(ProjectError, ValueError):
    """An ``MLproject`` file is malformed; the message names the file, the key and the line."""


class EntryPointNotFoundError(ProjectError, LookupError):
    """The project has no entry point of that name and no script at that path."""


class ProjectParameterError(ProjectError, ValueError):
    """A parameter value does not fit its type, or a required one is missing."""


class ProjectRunError(ProjectError):
    """What a run record keeps when an entry point's process failed to start, exited non-zero
    or was killed; it is recorded, never raised."""


class ProjectSourceError(ProjectError):
    """A project's source (a directory or a git repository) cannot be fetched."""


class ProjectEnvironmentError(ProjectError):
    """A project's software environment cannot be prepared."""


class WorkflowError(ProjectError):
    """A workflow's steps do not form a valid graph, or a step could not run."""


class ProjectFileWarning(PackagersWarning):
    """Something in an ``MLproject`` file is ignored (an unknown key, an unknown type)."""
