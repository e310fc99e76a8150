"""Workflows: a project's entry points run as steps, later steps reading earlier steps' outputs.

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

The whole graph is checked before any step runs. Each step is a project run whose record names
the workflow's own run as ``parent_id``. A step whose code (the digest of the project's files),
entry point, parameters, input contents and environment manager equal those of a step completed
earlier is not run again: the earlier run is reused, and the workflow's record says so.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from packagers._json import json_safe
from packagers.projects.errors import ProjectError, WorkflowError
from packagers.runner.record import COMPLETED, ERROR, RunRecord, error_info, new_run_id
from packagers.store.uri import SCHEME

if TYPE_CHECKING:
    from packagers.projects.spec import Project
    from packagers.store import Store

__all__ = [
    "WORKFLOW_FILE",
    "Step",
    "Workflow",
    "code_digest",
    "read_workflow",
    "run_workflow",
]

#: The file a workflow is read from when ``MLproject`` has no ``workflow:`` entry.
WORKFLOW_FILE = "workflow.yaml"
_REFERENCE = re.compile(r"\{steps\.([A-Za-z0-9_-]+)\.outputs\.([A-Za-z0-9_.-]+)\}")
_STEP_NAME = re.compile(r"^[A-Za-z0-9_-]+$")
_STEP_KEYS = ("entry_point", "params", "after")
_EXECUTOR = "workflow"
_KEY_SCHEMA = 1


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
    needs = dict.fromkeys([*after, *(step for step, _ in _references(params))])
    return Step(name, entry_point, params, tuple(needs))


def _references(value: Any) -> list[tuple[str, str]]:
    """Every ``(step, output)`` a parameter value refers to, in nested lists and mappings too."""
    if isinstance(value, str):
        return [(m.group(1), m.group(2)) for m in _REFERENCE.finditer(value)]
    if isinstance(value, dict):
        return [ref for item in value.values() for ref in _references(item)]
    if isinstance(value, list):
        return [ref for item in value for ref in _references(item)]
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


def code_digest(root: Path, project_file: Path | None = None) -> str:
    """The digest of a project's files: names and contents, hidden entries and caches excluded.

    Directories starting with ``.`` (``.git``, a local store ``.packagers``, ``.venv``) and
    ``__pycache__`` are left out: they change without the code changing. So is the workflow
    itself (``workflow.yaml``, the ``workflow:`` entry of ``project_file``): editing one step's
    parameters must not make every step's code look changed.
    """
    from packagers._digest import file_digest, new_hasher, text

    hasher = new_hasher()
    for directory, subdirectories, files in os.walk(root):
        subdirectories[:] = sorted(
            d for d in subdirectories if not d.startswith(".") and d != "__pycache__"
        )
        for name in sorted(files):
            path = os.path.join(directory, name)
            relative = os.path.relpath(path, root).replace(os.sep, "/")
            if name.startswith(".") or name.endswith(".pyc") or relative == WORKFLOW_FILE:
                continue
            if project_file is not None and Path(path) == project_file:
                digest = _without_workflow(project_file)
            else:
                digest = file_digest(path)[0]
            hasher.update(f"{relative}\0{digest}\0".encode())
    return text(hasher)


def _without_workflow(project_file: Path) -> str:
    """The project file's content as data, its ``workflow`` entry left out."""
    import yaml

    data = yaml.safe_load(project_file.read_text(encoding="utf-8"))
    if isinstance(data, dict):
        data.pop("workflow", None)
    return json.dumps(data, sort_keys=True, default=str)


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
    from packagers.projects.spec import Project, load
    from packagers.store import Store, get_store

    loaded = uri if isinstance(uri, Project) else load(uri, version)
    workflow = read_workflow(loaded)
    selected = _select(workflow, from_step, until_step)
    target = store if isinstance(store, Store) else get_store(store)
    home = project or config.project
    earlier = _Earlier(target, home, loaded.name)
    borrowed = {}
    for step in workflow.steps:
        needed = any(step.name in s.needs for s in workflow.steps if s.name in selected)
        if step.name not in selected and needed:
            borrowed[step.name] = earlier.latest(step.name, workflow.source)
    runner = _Runner(loaded, workflow, target, home, env_manager, earlier)
    return runner.run(selected, borrowed, from_step, until_step)


def _select(workflow: Workflow, from_step: str | None, until_step: str | None) -> list[str]:
    """The names of the steps to run, in order."""
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


class _Earlier:
    """What earlier workflow runs of the project recorded: reusable steps, latest outputs."""

    def __init__(self, store: Store, project: str, name: str) -> None:
        self._store = store
        self._project = project
        self.by_key: dict[str, str] = {}
        self.latest_by_step: dict[str, str] = {}
        for record in store.list_runs(project):  # newest first
            if record.get("executor") != _EXECUTOR:
                continue
            details = record.get("project_run") or {}
            steps = (details.get("workflow") or {}).get("steps") or {}
            for step, info in steps.items():
                if info.get("state") != COMPLETED or not info.get("run_id"):
                    continue
                if info.get("reuse_key"):
                    self.by_key.setdefault(info["reuse_key"], info["run_id"])
                if details.get("name") == name:
                    self.latest_by_step.setdefault(step, info["run_id"])

    def record(self, run_id: str) -> dict[str, Any] | None:
        """The record of an earlier step run, when it is still there and completed."""
        from packagers.store.errors import StoreError

        try:
            record = self._store.get_run(run_id, self._project)
        except StoreError:
            return None
        return record if record.get("state") == COMPLETED else None

    def latest(self, step: str, source: str) -> dict[str, Any]:
        run_id = self.latest_by_step.get(step)
        record = None if run_id is None else self.record(run_id)
        if record is None:
            raise WorkflowError(
                f"{source}: step {step!r} is needed but not run, and no earlier workflow run "
                "completed it; run the workflow without --from first"
            )
        return record


class _Runner:
    """One run of a workflow: the parent record, and each step run or reused in turn."""

    def __init__(
        self,
        project: Project,
        workflow: Workflow,
        store: Store,
        home: str,
        env_manager: str | None,
        earlier: _Earlier,
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
            executor=_EXECUTOR,
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
            self.steps[name] = {"state": COMPLETED, "run_id": record["id"], "reused": "earlier"}
        try:
            for name in selected:
                if not self._step(self.workflow.step(name), code):
                    break
            else:
                self.record.state = COMPLETED
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
        from packagers.projects.running import run

        where = f"{self.workflow.source}: step {step.name!r}"
        params = {name: self._resolve(value, where) for name, value in step.params.items()}
        key = self._reuse_key(step, params, code)
        reused_id = self.earlier.by_key.get(key)
        reused = None if reused_id is None else self.earlier.record(reused_id)
        if reused is not None:
            self.outputs[step.name] = _outputs(reused)
            self.steps[step.name] = {
                "state": COMPLETED,
                "run_id": reused["id"],
                "reused": "unchanged",
                "reuse_key": key,
            }
            return True
        entry = {"state": ERROR, "run_id": None, "reused": None, "reuse_key": key}
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
        if result.state != COMPLETED:
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
        whole = _REFERENCE.fullmatch(value)
        if whole is not None:
            return self._output(whole.group(1), whole.group(2), where)
        return _REFERENCE.sub(lambda m: str(self._output(m.group(1), m.group(2), where)), value)

    def _output(self, step: str, key: str, where: str) -> Any:
        outputs = self.outputs[step]
        if key not in outputs:
            raise WorkflowError(
                f"{where}: step {step!r} has no output {key!r}; its outputs: "
                f"{', '.join(outputs) or 'none'}"
            )
        return outputs[key]

    def _reuse_key(self, step: Step, params: dict[str, Any], code: str) -> str:
        """What makes a step's result the same: code, entry point, params, input contents."""
        from packagers._digest import new_hasher, text
        from packagers.projects.environments import default_manager

        content = {
            "schema": _KEY_SCHEMA,
            "code": code,
            "entry_point": step.entry_point,
            "env_manager": self.env_manager or default_manager(self.project.environment),
            "params": {name: self._content(value) for name, value in params.items()},
        }
        hasher = new_hasher()
        hasher.update(json.dumps(content, sort_keys=True, default=repr).encode())
        return text(hasher)

    def _content(self, value: Any) -> Any:
        """A store URI stands for the digest of what it names (a new version of the same data
        is the same input); anything else for itself."""
        if isinstance(value, str) and value.startswith(SCHEME):
            from packagers.store.errors import StoreError

            try:
                return self.store.manifest(value).get("digest") or value
            except StoreError:
                return value
        return json_safe(value)


def _outputs(record: Mapping[str, Any]) -> dict[str, Any]:
    """A step run's outputs by key: artifacts as their exact URIs, results as their values."""
    artifacts = record.get("artifacts") or {}
    return {
        **(record.get("results") or {}),
        **{key: ref["uri"] for key, ref in artifacts.items()},
    }
