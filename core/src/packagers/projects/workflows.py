"""Workflows: a project's entry points run as steps, later steps reading earlier steps' outputs.

The workflow's graph (``workflow_graph``) is read and checked before any step runs. Each step is
a project run whose record names the workflow's own run as ``parent_id``. A step whose code,
entry point, parameters, input contents and environment manager equal those of a step completed
earlier is not run again (``_reuse``): the earlier run is reused, and the workflow's record says
so.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from packagers.projects._reuse import WORKFLOW_EXECUTOR, EarlierRuns, code_digest, reuse_key
from packagers.projects.errors import ProjectError, WorkflowError
from packagers.projects.workflow_graph import (
    STEP_REFERENCE,
    Step,
    Workflow,
    read_workflow,
    select_steps,
)
from packagers.run_states import RunState
from packagers.runner.record import RunRecord, error_info, new_run_id

if TYPE_CHECKING:
    from packagers.projects.spec import Project
    from packagers.store import Store

__all__ = ["run_workflow"]


def run_workflow(
    uri: str | os.PathLike[str] | Project,
    from_step: str | None = None,
    until_step: str | None = None,
    *,
    version: str | None = None,
    env_manager: str | None = None,
    project: str | None = None,
    store: Store | str | None = None,
) -> RunRecord:
    """Run the project's workflow (or the part ``from_step`` .. ``until_step``); its record.

    ``from_step`` runs that step and the steps after it that depend on it, taking the outputs
    of the steps it needs from their latest completed runs; ``until_step`` stops after that
    step (only it and the steps it depends on run). A step that fails ends the workflow in
    state ``error``; the returned record is the workflow's, its steps under
    ``project_run["workflow"]["steps"]``.
    """
    from packagers._config import config
    from packagers.projects.loading import load
    from packagers.projects.spec import Project
    from packagers.store import Store, get_store

    loaded = uri if isinstance(uri, Project) else load(uri, version)
    workflow = read_workflow(loaded)
    selected = select_steps(workflow, from_step, until_step)
    target = store if isinstance(store, Store) else get_store(store)
    home = project or config.project
    earlier = EarlierRuns(target, home, loaded.name)
    borrowed = {}
    for step in workflow.steps:
        needed = any(step.name in s.needs for s in workflow.steps if s.name in selected)
        if step.name not in selected and needed:
            borrowed[step.name] = earlier.latest(step.name, workflow.source)
    runner = _Runner(loaded, workflow, target, home, env_manager, earlier)
    return runner.run(selected, borrowed, from_step, until_step)


class _Runner:
    """One run of a workflow: the parent record, and each step run or reused in turn."""

    def __init__(
        self,
        project: Project,
        workflow: Workflow,
        store: Store,
        home: str,
        env_manager: str | None,
        earlier: EarlierRuns,
    ) -> None:
        self.project = project
        self.workflow = workflow
        self.store = store
        self.home = home
        self.env_manager = env_manager
        self.earlier = earlier
        self.outputs: dict[str, dict[str, Any]] = {}
        self.steps: dict[str, dict[str, Any]] = {}

    def run(
        self,
        selected: list[str],
        borrowed: dict[str, dict[str, Any]],
        from_step: str | None,
        until_step: str | None,
    ) -> RunRecord:
        now = datetime.now(timezone.utc)
        code = code_digest(self.project.root, self.project.file)
        self.record = RunRecord(
            id=new_run_id(now),
            name="workflow",
            project=self.home,
            executor=WORKFLOW_EXECUTOR,
            params={"from": from_step, "until": until_step},
            started=now.isoformat(),
            project_run={
                "name": self.project.name,
                "uri": self.project.uri,
                "version": self.project.version,
                "commit": self.project.commit,
                "subdirectory": self.project.subdirectory,
                "workflow": {"source": self.workflow.source, "code": code, "steps": self.steps},
            },
        )
        self.store.save_run(self.record.to_dict())
        for name, record in borrowed.items():
            self.outputs[name] = _outputs(record)
            self.steps[name] = {
                "state": RunState.COMPLETED,
                "run_id": record["id"],
                "reused": "earlier",
            }
        try:
            for name in selected:
                if not self._step(self.workflow.step(name), code):
                    break
            else:
                self.record.state = RunState.COMPLETED
        except BaseException as error:
            self.record.fail(error)
            if not isinstance(error, Exception):
                raise
        finally:
            self.record.finish()
            self.store.save_run(self.record.to_dict())
        return self.record

    def _step(self, step: Step, code: str) -> bool:
        """Run or reuse one step; False when it failed (the workflow's record says why)."""
        from packagers.projects.environments import default_manager
        from packagers.projects.running import run

        where = f"{self.workflow.source}: step {step.name!r}"
        params = {name: self._resolve(value, where) for name, value in step.params.items()}
        manager = self.env_manager or default_manager(self.project.environment)
        key = reuse_key(self.store, code, step.entry_point, manager, params)
        reused_id = self.earlier.by_key.get(key)
        reused = None if reused_id is None else self.earlier.record(reused_id)
        if reused is not None:
            self.outputs[step.name] = _outputs(reused)
            self.steps[step.name] = {
                "state": RunState.COMPLETED,
                "run_id": reused["id"],
                "reused": "unchanged",
                "reuse_key": key,
            }
            return True
        entry = {"state": RunState.ERROR, "run_id": None, "reused": None, "reuse_key": key}
        self.steps[step.name] = entry
        try:
            handle = run(
                self.project,
                step.entry_point,
                params,
                env_manager=self.env_manager,
                project=self.home,
                store=self.store,
                parent_id=self.record.id,
            )
        except ProjectError as error:
            entry["error"] = error_info(error)["message"]
            self.record.fail(WorkflowError(f"{where} could not start: {error}"))
            return False
        result = handle.wait()
        entry.update(state=result.state, run_id=result.id)
        if result.state != RunState.COMPLETED:
            cause = (result.error or {}).get("message", result.state)
            self.record.fail(WorkflowError(f"{where} ended {result.state}: {cause}"))
            return False
        self.outputs[step.name] = _outputs(result.to_dict())
        return True

    def _resolve(self, value: Any, where: str) -> Any:
        """A parameter value with every ``{steps.X.outputs.Y}`` replaced by that output."""
        if isinstance(value, dict):
            return {k: self._resolve(v, where) for k, v in value.items()}
        if isinstance(value, list):
            return [self._resolve(v, where) for v in value]
        if not isinstance(value, str):
            return value
        whole = STEP_REFERENCE.fullmatch(value)
        if whole is not None:
            return self._output(whole.group(1), whole.group(2), where)
        return STEP_REFERENCE.sub(lambda m: str(self._output(m.group(1), m.group(2), where)), value)

    def _output(self, step: str, key: str, where: str) -> Any:
        outputs = self.outputs[step]
        if key not in outputs:
            raise WorkflowError(
                f"{where}: step {step!r} has no output {key!r}; its outputs: "
                f"{', '.join(outputs) or 'none'}"
            )
        return outputs[key]


def _outputs(record: Mapping[str, Any]) -> dict[str, Any]:
    """A step run's outputs by key: artifacts as their exact URIs, results as their values."""
    artifacts = record.get("artifacts") or {}
    return {
        **(record.get("results") or {}),
        **{key: ref["uri"] for key, ref in artifacts.items()},
    }
