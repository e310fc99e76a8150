"""A project run checked and ready to start: the entry point, its parameters, its command or
handler request, and its environment, all found wrong or right before anything is recorded."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from packagers._json import json_safe
from packagers.projects.commands import render_command
from packagers.projects.errors import ProjectParameterError
from packagers.projects.handlers import handler_parameters, handler_reference, read_signature
from packagers.projects.parameters import resolve_parameters

if TYPE_CHECKING:
    from packagers.projects.environments import PreparedEnvironment
    from packagers.projects.spec import EntryPoint, Project
    from packagers.store import Store

__all__ = ["RunPlan", "plan_run", "prepare_environment"]


@dataclass
class RunPlan:
    """A project run checked and ready to start: nothing was built or recorded yet."""

    project: Project
    entry: EntryPoint
    store: Store
    store_project: str
    params: dict[str, Any]
    inputs: dict[str, dict[str, Any]]
    #: The rendered shell command, or None for a handler.
    command: str | None = None
    #: The worker request of a handler (its ``function`` is the handler's reference).
    request: dict[str, Any] | None = None
    details: dict[str, Any] = field(default_factory=dict)


def plan_run(
    project: Project,
    entry_point: str,
    params: dict[str, Any] | None,
    *,
    store_project: str | None = None,
    store: Store | str | None = None,
    cwd: str | None = None,
) -> RunPlan:
    """Check the entry point and its parameters, render its command or handler request.

    ``store_project`` is the store's project the run is recorded in (default: the ``project``
    setting); relative ``path`` values are taken against ``cwd`` (default: this directory).
    """
    from packagers._config import config
    from packagers.runner.envelope import worker_request
    from packagers.runner.handler import parse_returns
    from packagers.store import Store, get_store
    from packagers.store.errors import StoreError
    from packagers.store.uri import check_name

    entry = project.entry_point(entry_point)
    given = dict(params or {})
    where = f"entry point {entry.name!r} of project {project.name!r}"
    try:
        store_project = check_name("project", store_project or config.project, where)
    except StoreError as error:
        raise ProjectParameterError(str(error)) from None
    target = store if isinstance(store, Store) else get_store(store)
    parameters = dict(entry.parameters)
    if entry.handler is not None:
        signature = read_signature(project.root, entry.handler)
        parameters = handler_parameters(entry, signature, given, where)
    values = resolve_parameters(
        parameters,
        given,
        where=where,
        cwd=cwd or os.getcwd(),
        root=str(project.root),
        store=target,
    )
    details: dict[str, Any] = {
        "name": project.name,
        "uri": project.uri,
        "version": project.version,
        "commit": project.commit,
        "subdirectory": project.subdirectory,
        "entry_point": entry.name,
    }
    plan = RunPlan(
        project=project,
        entry=entry,
        store=target,
        store_project=store_project,
        params={name: json_safe(v) for name, v in {**values.typed, **values.extra}.items()},
        inputs=values.stored,
        details=details,
    )
    if entry.command is not None:
        plan.command = details["command"] = render_command(
            entry.command, values.substituted, values.extra
        )
        return plan
    stored = {name for name, parameter in parameters.items() if parameter.type == "store"}
    reference = details["handler"] = handler_reference(project, entry)
    plan.request = worker_request(
        executor="process",
        function=reference,
        inputs={name: values.typed[name] for name in stored},
        params={
            name: value
            for name, value in {**values.typed, **values.extra}.items()
            if name not in stored
        },
        returns=None if entry.returns is None else parse_returns(list(entry.returns)),
        project=store_project,
        store=target,
    )
    # The project's environment has its own packages: only the project itself is added.
    plan.request.update(sys_path=[str(project.root)], custom_packagers=[], save=False)
    return plan


def prepare_environment(project: Project, env_manager: str | None) -> PreparedEnvironment:
    """The environment the entry point runs in (built now unless cached); ``env_manager``
    defaults to ``venv`` when the project declares an environment, else ``local``."""
    from packagers.projects.environments import default_manager, prepare

    manager = env_manager or default_manager(project.environment)
    return prepare(project.environment, project.root, manager)
