"""What lets a workflow skip a step: the digest of the project's code, the key of a step's run
(code, entry point, parameters, input contents, environment manager) and the workflow runs
recorded earlier, whose completed steps with the same key are reused instead of run again."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from packagers._json import json_safe
from packagers.projects.errors import WorkflowError
from packagers.projects.workflow_graph import WORKFLOW_FILE
from packagers.run_states import RunState
from packagers.store.uri import is_store_uri

if TYPE_CHECKING:
    from packagers.store import Store

__all__ = ["WORKFLOW_EXECUTOR", "EarlierRuns", "code_digest", "reuse_key"]

#: The executor a workflow's own run record names: how earlier workflow runs are found.
WORKFLOW_EXECUTOR = "workflow"
_KEY_SCHEMA = 1


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


def reuse_key(
    store: Store, code: str, entry_point: str, env_manager: str, params: dict[str, Any]
) -> str:
    """What makes a step's result the same: code, entry point, params, input contents."""
    from packagers._digest import new_hasher, text

    content = {
        "schema": _KEY_SCHEMA,
        "code": code,
        "entry_point": entry_point,
        "env_manager": env_manager,
        "params": {name: _content(store, value) for name, value in params.items()},
    }
    hasher = new_hasher()
    hasher.update(json.dumps(content, sort_keys=True, default=repr).encode())
    return text(hasher)


def _content(store: Store, value: Any) -> Any:
    """A store URI stands for the digest of what it names (a new version of the same data
    is the same input); anything else for itself."""
    if is_store_uri(value):
        from packagers.store.errors import StoreError

        try:
            return store.manifest(value).get("digest") or value
        except StoreError:
            return value
    return json_safe(value)


class EarlierRuns:
    """What earlier workflow runs of the project recorded: reusable steps, latest outputs."""

    def __init__(self, store: Store, project: str, name: str) -> None:
        self._store = store
        self._project = project
        self.by_key: dict[str, str] = {}
        self.latest_by_step: dict[str, str] = {}
        for record in store.list_runs(project):  # newest first
            if record.get("executor") != WORKFLOW_EXECUTOR:
                continue
            details = record.get("project_run") or {}
            steps = (details.get("workflow") or {}).get("steps") or {}
            for step, info in steps.items():
                if info.get("state") != RunState.COMPLETED or not info.get("run_id"):
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
        return record if record.get("state") == RunState.COMPLETED else None

    def latest(self, step: str, source: str) -> dict[str, Any]:
        run_id = self.latest_by_step.get(step)
        record = None if run_id is None else self.record(run_id)
        if record is None:
            raise WorkflowError(
                f"{source}: step {step!r} is needed but not run, and no earlier workflow run "
                "completed it; run the workflow without --from first"
            )
        return record
