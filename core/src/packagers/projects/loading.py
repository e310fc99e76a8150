"""Loading a project: from a local directory, or a git URL fetched first (``sources``).

A directory with an ``MLproject`` file is read by ``project_file``; a directory without one is a
project too, its ``.py`` and ``.sh`` files its entry points.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from packagers.projects.spec import Project, default_environment, find_project_file

__all__ = ["load", "read_project"]


def load(uri: str | os.PathLike[str], version: str | None = None) -> Project:
    """The project at a local directory, or fetched from a git URL (``#subdirectory`` allowed).

    ``version`` is a branch, tag or commit of a git source.
    """
    text = os.fspath(uri)
    if version is None and os.path.isdir(text):
        return read_project(Path(text).resolve())
    from packagers.projects.sources import fetch

    source = fetch(text, version)
    return read_project(
        source.path,
        uri=source.uri,
        version=version,
        commit=source.commit,
        subdirectory=source.subdirectory,
    )


def read_project(
    root: Path,
    *,
    uri: str = "",
    version: str | None = None,
    commit: str | None = None,
    subdirectory: str = "",
) -> Project:
    """Read the project in the local directory ``root`` (see :func:`load` for the arguments)."""
    path = find_project_file(root)
    source: dict[str, Any] = {
        "root": root,
        "uri": uri or str(root),
        "version": version,
        "commit": commit,
        "subdirectory": subdirectory,
    }
    if path is None:
        return Project(name=root.name, environment=default_environment(root), **source)
    from packagers.projects.project_file import ProjectFileReader

    return ProjectFileReader(path, root).read(source)
