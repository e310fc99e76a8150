"""Errors of projects: each names the file, parameter, source or environment that was wrong."""

from __future__ import annotations

from packagers._errors import PackagersError

__all__ = [
    "ProjectEnvironmentError",
    "ProjectError",
    "ProjectFileError",
    "ProjectParameterError",
    "ProjectSourceError",
    "WorkflowError",
]


class ProjectError(PackagersError):
    """Base class of the errors of projects."""


class ProjectFileError(ProjectError):
    """An ``MLproject`` file (or a file it names) is malformed."""


class ProjectParameterError(ProjectError):
    """A parameter value does not fit its declared type."""


class ProjectSourceError(ProjectError):
    """A project's source (directory or git repository) cannot be fetched."""


class ProjectEnvironmentError(ProjectError):
    """A project's software environment cannot be prepared."""


class WorkflowError(ProjectError):
    """A workflow's steps do not form a valid graph, or a step could not run."""
