"""Run records: ``runs/<project>/<id>.json`` once final, ``<id>.running.json`` while active.

A final record is a new file, never a rewrite: replacing an existing file costs a data flush on
common filesystems (ext4's rename heuristics), which would dominate a short run. It is created
with ``Backend.create``, which on a local store refuses an existing name in the same step that
names the file, so a save asks nothing first and two writers of one run cannot both win. The
active record is removed once the final one is written; readers prefer the final one when both
exist.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from packagers.run_states import ACTIVE_STATES
from packagers.store.errors import DamagedFileError, RunFinishedError, StoreError
from packagers.store.uri import check_name
from packagers.store.validation import read_run_record

if TYPE_CHECKING:
    from packagers.store.backend import Backend

__all__ = ["ACTIVE_SUFFIX", "RUNS_DIR", "RunIndex"]

RUNS_DIR = "runs"
#: The end of an active record's file name (``<id>.running.json``); a final one ends in ``.json``.
ACTIVE_SUFFIX = ".running.json"


class RunIndex:
    """Saves, finds and lists run records through a backend (each write is atomic)."""

    def __init__(self, backend: Backend) -> None:
        self._backend = backend
        #: Runs whose active record this index wrote: only those have one to remove at the end.
        self._announced: set[tuple[str, str]] = set()

    @staticmethod
    def _path(project: str, run_id: str, active: bool = False) -> str:
        return f"{RUNS_DIR}/{project}/{run_id}{ACTIVE_SUFFIX if active else '.json'}"

    def final(self, project: str, run_id: str) -> dict[str, Any] | None:
        """The final record of ``run_id``, or None while it has none (one read, no listing)."""
        path = self._path(project, run_id)
        try:
            return read_run_record(self._backend.read(path), path, self._backend.url)
        except FileNotFoundError:
            return None

    def save(self, record: dict[str, Any], *, announced: bool = False) -> None:
        run_id = check_name("run id", record.get("id"), "run record")
        project = check_name("project", record.get("project"), f"run record {run_id!r}")
        try:
            data = json.dumps(record).encode()
        except (TypeError, ValueError) as error:
            raise StoreError(f"run record {run_id!r} is not JSON-serialisable: {error}") from error
        final = self._path(project, run_id)
        if record.get("state") in ACTIVE_STATES:
            if self._backend.exists(final):
                self._refuse_change(final, data)
            self._backend.write(self._path(project, run_id, active=True), data)
            self._announced.add((project, run_id))
            return
        if not self._backend.create(final, data):  # saved already: the same record, or none
            self._refuse_change(final, data)
            return
        if announced or (project, run_id) in self._announced:
            self._backend.remove(self._path(project, run_id, active=True))
            self._announced.discard((project, run_id))

    def _refuse_change(self, final: str, data: bytes) -> None:
        """A final record exists at ``final``: saving it again is a no-op, changing it an error."""
        saved = read_run_record(self._backend.read(final), final, self._backend.url)
        if saved == json.loads(data):
            return
        raise RunFinishedError(
            f"run {saved.get('id')!r} of project {saved.get('project')!r} is "
            f"{saved.get('state')!r}, a final state; its record cannot change (start a new run "
            "instead)",
            saved,
        )

    def get(self, run_id: str, project: str | None) -> dict[str, Any]:
        """The record of ``run_id``; with no project, the default one, then any (ids are unique)."""
        from packagers._config import config

        check_name("run id", run_id, "get_run")
        home = check_name("project", project or config.project, "get_run")
        candidates = [home]
        if project is None:
            candidates += sorted(p for p in self._backend.listdir(RUNS_DIR) if p != home)
        for candidate in candidates:
            for active in (False, True):
                path = self._path(candidate, run_id, active)
                try:
                    data = self._backend.read(path)
                except FileNotFoundError:
                    continue
                return read_run_record(data, path, self._backend.url)
        newest = [record.get("id") for record in self.list(home)[:5]]
        raise StoreError(
            f"no run {run_id!r} in project {home!r} of the store {self._backend.url}"
            f"{' or any other project' if project is None else ''}; newest runs there: "
            f"{', '.join(map(str, newest)) or 'none'}"
        )

    def delete(self, record: dict[str, Any]) -> None:
        """Remove a run's records: the final one, then any active one left by a lost worker."""
        project, run_id = record["project"], record["id"]
        self._backend.remove(self._path(project, run_id))
        self._backend.remove(self._path(project, run_id, active=True))
        self._announced.discard((project, run_id))

    def list(self, project: str | None) -> list[dict[str, Any]]:
        """The records of a project (default: the configured one), newest first."""
        from packagers._config import config

        project = check_name("project", project or config.project, "list_runs")
        paths = sorted(
            p for p in self._backend.files(f"{RUNS_DIR}/{project}") if p.endswith(".json")
        )
        by_id: dict[str, dict[str, Any]] = {}
        for path, data in sorted(self._backend.read_many(paths).items(), key=lambda item: item[0]):
            record = read_run_record(data, path, self._backend.url)
            active = path.endswith(ACTIVE_SUFFIX)
            run_id = path.rpartition("/")[2].removesuffix(ACTIVE_SUFFIX if active else ".json")
            if not active or run_id not in by_id:
                by_id[run_id] = record  # the final record wins over the active one
        return sorted(
            by_id.values(),
            key=lambda record: (str(record.get("started") or ""), str(record.get("id"))),
            reverse=True,
        )

    def damaged(self) -> dict[str, str]:
        """Every run record of every project that cannot be read (path -> what is wrong)."""
        paths = [p for p in self._backend.files(RUNS_DIR) if p.endswith(".json")]
        found = self._backend.read_many(paths)
        problems = {}
        for path, data in found.items():
            try:
                read_run_record(data, path, self._backend.url)
            except DamagedFileError as error:
                problems[path] = error.problem
        return problems
