"""A workflow's graph: its steps read from the project, checked, in an order that runs each step
after the steps it needs.

A workflow is the ``workflow:`` entry of ``MLproject`` or, when that is absent, a
``workflow.yaml`` file beside it, both of the form::

    steps:
      prep:                      # a step: by default the entry point of the same name
        params: {rows: 100}
      train:
        entry_point: train
        params:
          data: "{steps.prep.outputs.data}"   # prep's artifact, as an exact store:// URI
        after: [prep]            # optional: order without passing data

The whole graph is checked before any step runs: every name known, every reference to an earlier
step, no cycle.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from packagers.projects.errors import ProjectError, WorkflowError

if TYPE_CHECKING:
    from packagers.projects.spec import Project

__all__ = [
    "STEP_REFERENCE",
    "WORKFLOW_FILE",
    "Step",
    "Workflow",
    "read_workflow",
    "select_steps",
    "step_references",
]

#: The file a workflow is read from when ``MLproject`` has no ``workflow:`` entry.
WORKFLOW_FILE = "workflow.yaml"
#: ``{steps.<step>.outputs.<key>}`` in a step's parameter: that output of an earlier step.
STEP_REFERENCE = re.compile(r"\{steps\.([A-Za-z0-9_-]+)\.outputs\.([A-Za-z0-9_.-]+)\}")
_STEP_NAME = re.compile(r"^[A-Za-z0-9_-]+$")
_STEP_KEYS = ("entry_point", "params", "after")


@dataclass(frozen=True)
class Step:
    """One step: the entry point it runs, its parameters (references unresolved), what it needs."""

    name: str
    entry_point: str
    params: Mapping[str, Any]
    needs: tuple[str, ...]


@dataclass(frozen=True)
class Workflow:
    """The steps of a workflow in an order that runs every step after the steps it needs."""

    steps: tuple[Step, ...]
    source: str

    def step(self, name: str) -> Step:
        for step in self.steps:
            if step.name == name:
                return step
        raise WorkflowError(
            f"{self.source}: no step {name!r}; steps: {', '.join(s.name for s in self.steps)}"
        )


def read_workflow(project: Project) -> Workflow:
    """The project's workflow, its graph checked: every name known, every reference earlier."""
    raw, source = project.workflow, str(project.file or project.root)
    file = project.root / WORKFLOW_FILE
    if raw is None and file.is_file():
        import yaml

        try:
            raw, source = yaml.safe_load(file.read_text(encoding="utf-8")), str(file)
        except yaml.YAMLError as error:
            raise WorkflowError(f"{file}: not valid YAML: {error}") from None
    if raw is None:
        raise WorkflowError(
            f"project {project.name!r} ({project.root}) has no workflow: add a 'workflow:' "
            f"entry to its MLproject file or a {WORKFLOW_FILE} file"
        )
    if not isinstance(raw, dict) or set(raw) != {"steps"} or not isinstance(raw["steps"], dict):
        raise WorkflowError(f"{source}: a workflow is a mapping with one key, 'steps: {{name: …}}'")
    if not raw["steps"]:
        raise WorkflowError(f"{source}: the workflow has no steps")
    steps = [_read_step(project, source, name, body) for name, body in raw["steps"].items()]
    return Workflow(tuple(_ordered(steps, source)), source)


def _read_step(project: Project, source: str, name: Any, body: Any) -> Step:
    where = f"{source}: step {name!r}"
    if not isinstance(name, str) or not _STEP_NAME.match(name):
        raise WorkflowError(f"{where}: a step name has only letters, digits, '_' and '-'")
    body = {} if body is None else body
    if not isinstance(body, dict):
        raise WorkflowError(f"{where}: expected a mapping with keys {', '.join(_STEP_KEYS)}")
    unknown = sorted(set(body) - set(_STEP_KEYS))
    if unknown:
        raise WorkflowError(
            f"{where}: unknown key(s) {', '.join(map(repr, unknown))}; "
            f"expected {', '.join(_STEP_KEYS)}"
        )
    entry_point = body.get("entry_point", name)
    params = body.get("params") or {}
    after = body.get("after") or []
    if not isinstance(entry_point, str):
        raise WorkflowError(f"{where}: 'entry_point' must be the name of an entry point")
    if not isinstance(params, dict) or not all(isinstance(k, str) for k in params):
        raise WorkflowError(f"{where}: 'params' must be a mapping of parameter names to values")
    if not isinstance(after, list) or not all(isinstance(s, str) for s in after):
        raise WorkflowError(f"{where}: 'after' must be a list of step names")
    try:
        project.entry_point(entry_point)
    except ProjectError as error:
        raise WorkflowError(f"{where}: {error}") from None
    needs = dict.fromkeys([*after, *(step for step, _ in step_references(params))])
    return Step(name, entry_point, params, tuple(needs))


def step_references(value: Any) -> list[tuple[str, str]]:
    """Every ``(step, output)`` a parameter value refers to, in nested lists and mappings too."""
    if isinstance(value, str):
        return [(m.group(1), m.group(2)) for m in STEP_REFERENCE.finditer(value)]
    if isinstance(value, dict):
        return [ref for item in value.values() for ref in step_references(item)]
    if isinstance(value, list):
        return [ref for item in value for ref in step_references(item)]
    return []


def _ordered(steps: list[Step], source: str) -> list[Step]:
    """The steps in declaration order, moved after what they need; unknown steps and cycles fail."""
    by_name = {step.name: step for step in steps}
    for step in steps:
        for needed in step.needs:
            if needed not in by_name:
                raise WorkflowError(
                    f"{source}: step {step.name!r} refers to step {needed!r}, which does not "
                    f"exist; steps: {', '.join(by_name)}"
                )
    ordered: list[Step] = []
    placed: set[str] = set()
    while len(ordered) < len(steps):
        ready = [s for s in steps if s.name not in placed and placed.issuperset(s.needs)]
        if not ready:
            raise WorkflowError(f"{source}: the steps form a cycle: {_cycle(by_name, placed)}")
        ordered.append(ready[0])
        placed.add(ready[0].name)
    return ordered


def _cycle(by_name: dict[str, Step], placed: set[str]) -> str:
    """One cycle among the steps not placed, as ``a -> b -> a``."""
    path = [next(name for name in by_name if name not in placed)]
    while True:
        following = next(n for n in by_name[path[-1]].needs if n not in placed)
        if following in path:
            return " -> ".join([*path[path.index(following) :], following])
        path.append(following)


def select_steps(workflow: Workflow, from_step: str | None, until_step: str | None) -> list[str]:
    """The names of the steps to run, in order: those ``from_step`` leads to, of those
    ``until_step`` needs (each None for no limit)."""
    names = [step.name for step in workflow.steps]
    chosen = set(names)
    if from_step is not None:
        workflow.step(from_step)
        after = {from_step}
        for step in workflow.steps:
            if after.intersection(step.needs):
                after.add(step.name)
        chosen &= after
    if until_step is not None:
        workflow.step(until_step)
        before = {until_step}
        for step in reversed(workflow.steps):
            if step.name in before:
                before.update(step.needs)
        chosen &= before
    if not chosen:
        raise WorkflowError(
            f"{workflow.source}: no step is both at or after {from_step!r} and at or before "
            f"{until_step!r}"
        )
    return [name for name in names if name in chosen]
