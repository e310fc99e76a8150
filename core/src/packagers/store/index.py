"""A SQLite index of run records and manifests, so listing a large store reads no JSON file twice.

The store's files remain the truth; the index is a cache that any reader brings up to date before
it answers (``index_sync.py``), and that can be thrown away at any time (a missing, stale,
foreign-schema or corrupt file is rebuilt from the store: ``index_schema.py``). Writers never
touch it, so logging costs exactly what it did. This module holds what listings ask of it.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from packagers.store.artifacts_index import ARTIFACTS_DIR
from packagers.store.index_lineage import ArtifactLink, find_links, run_io, runs_of
from packagers.store.index_schema import (
    RUN_COLUMNS,
    connect,
    index_location,
    json_path,
    remove_index,
)
from packagers.store.index_sync import IndexSync, forget_listings
from packagers.store.runs import RUNS_DIR

if TYPE_CHECKING:
    from packagers.store.backend import Backend

__all__ = ["RunPage", "RunQuery", "StoreIndex"]

_T = TypeVar("_T")


@dataclass(frozen=True)
class RunQuery:
    """What a listing of runs asks for; ``where`` is parameterised SQL over the ``runs`` table.

    ``sort`` is a column of :data:`RUN_COLUMNS` or ``params.<name>``/``results.<name>``;
    ``labels`` must all match; ``since`` is an ISO time the runs started at or after.
    """

    project: str | None = None
    state: str | None = None
    function: str | None = None
    parent: str | None = None
    name: str | None = None
    labels: Mapping[str, str] = field(default_factory=dict)
    since: str | None = None
    where: tuple[str, Sequence[Any]] | None = None
    sort: str = "started"
    descending: bool = True
    limit: int = 50
    offset: int = 0


@dataclass(frozen=True)
class RunPage:
    """One page of runs (full records) and how many match in all."""

    runs: list[dict[str, Any]]
    total: int
    children: dict[str, dict[str, int]] = field(default_factory=dict)


class StoreIndex:
    """The index of one store; safe to share between threads (one connection, one lock)."""

    def __init__(self, backend: Backend, path: str | None = None) -> None:
        self._sync = IndexSync(backend)
        self.path = path or index_location(backend)
        self._lock = threading.RLock()
        self._connection: sqlite3.Connection | None = None

    def __repr__(self) -> str:
        return f"StoreIndex({self.path!r})"

    # -- the file ---------------------------------------------------------------------------------

    def _connect(self) -> sqlite3.Connection:
        if self._connection is None:
            self._connection = connect(self.path)
        return self._connection

    def _discard(self) -> None:
        """Close and delete the index file: the next use builds a new one from the store."""
        if self._connection is not None:
            with contextlib.suppress(sqlite3.Error):
                self._connection.close()
            self._connection = None
        remove_index(self.path)

    def _use(self, action: Callable[[sqlite3.Connection], _T]) -> _T:
        """``action`` on the connection; a damaged index file is replaced and the action retried."""
        with self._lock:
            try:
                return action(self._connect())
            except sqlite3.DatabaseError as error:
                if isinstance(error, sqlite3.OperationalError) and "locked" in str(error):
                    raise
                self._discard()
                connection = self._connect()
                self._sync.refresh(connection, [RUNS_DIR, ARTIFACTS_DIR], True)
                return action(connection)

    def close(self) -> None:
        with self._lock:
            if self._connection is not None:
                self._connection.close()
                self._connection = None

    # -- catching up with the store ---------------------------------------------------------------

    def rebuild(self) -> dict[str, int]:
        """Forget everything and index the whole store again; the counts of what was found."""
        with self._lock:
            self._discard()
            self.refresh(force=True)
            return self.counts()

    def counts(self) -> dict[str, int]:
        def count(connection: sqlite3.Connection) -> dict[str, int]:
            return {
                "runs": connection.execute("SELECT count(*) FROM runs").fetchone()[0],
                "artifact_versions": connection.execute(
                    "SELECT count(*) FROM artifacts"
                ).fetchone()[0],
            }

        return self._use(count)

    def refresh(self, *, runs: bool = True, artifacts: bool = True, force: bool = False) -> None:
        """Bring the index up to date with the store (what changed since the last time only)."""
        sections = [
            name for name, wanted in ((RUNS_DIR, runs), (ARTIFACTS_DIR, artifacts)) if wanted
        ]
        self._use(lambda connection: self._sync.refresh(connection, sections, force))

    def invalidate(self) -> None:
        """Forget when each directory was last listed: the next refresh lists them all again
        (and reads only what is new), so files deleted within a listing's granularity go too."""
        self._use(forget_listings)

    # -- runs -------------------------------------------------------------------------------------

    def runs(self, query: RunQuery) -> RunPage:
        """A page of run records (newest first unless sorted otherwise), up to date."""
        self.refresh(artifacts=False)
        conditions, values = [], []
        for column in ("project", "state", "function", "parent", "name"):
            wanted = getattr(query, column)
            if wanted is not None:
                conditions.append(f"{column} = ?")
                values.append(wanted)
        for label, wanted in query.labels.items():
            conditions.append("json_extract(record, ?) = ?")
            values.extend([f"$.labels.{json_path(label)[2:]}", wanted])
        if query.since is not None:
            conditions.append("started >= ?")
            values.append(query.since)
        if query.where is not None:
            conditions.append(f"({query.where[0]})")
            values.extend(query.where[1])
        where = f" WHERE {' AND '.join(conditions)}" if conditions else ""
        order = _sort_sql(query.sort)
        direction = "DESC" if query.descending else "ASC"
        sql = (
            f"SELECT record FROM runs{where} ORDER BY {order[0]} {direction}, "
            f"id {direction} LIMIT ? OFFSET ?"
        )

        def page(connection: sqlite3.Connection) -> RunPage:
            total = connection.execute(f"SELECT count(*) FROM runs{where}", values).fetchone()[0]
            rows = connection.execute(sql, [*values, *order[1], query.limit, query.offset])
            runs = [json.loads(row[0]) for row in rows]
            return RunPage(runs, total, _children(connection, [run["id"] for run in runs]))

        return self._use(page)

    def runs_by_id(self, ids: Sequence[str]) -> list[dict[str, Any]]:
        """The indexed records of ``ids`` (unknown ones are left out)."""
        marks = ",".join("?" * len(ids))
        rows = self._use(
            lambda c: c.execute(
                f"SELECT record FROM runs WHERE id IN ({marks})", list(ids)
            ).fetchall()
        )
        return [json.loads(row[0]) for row in rows]

    def run_ids(self, prefix: str, project: str | None = None) -> list[tuple[str, str]]:
        """The (project, id) of every run whose id starts with ``prefix``, oldest first."""
        self.refresh(artifacts=False)
        pattern = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        sql = "SELECT project, id FROM runs WHERE id LIKE ? ESCAPE '\\'"
        values = [pattern]
        if project is not None:
            sql += " AND project = ?"
            values.append(project)
        rows = self._use(lambda c: c.execute(sql + " ORDER BY id", values).fetchall())
        return [(row[0], row[1]) for row in rows]

    def run_project(self, run_id: str) -> str | None:
        """The project of a run id (ids are unique across projects), or None if unknown."""
        self.refresh(artifacts=False)
        row = self._use(
            lambda c: c.execute("SELECT project FROM runs WHERE id = ?", (run_id,)).fetchone()
        )
        return None if row is None else row[0]

    def values(self, column: str) -> list[str]:
        """The distinct values of a run column (for the choices of a filter)."""
        sql = RUN_COLUMNS[column]
        self.refresh(artifacts=False)
        rows = self._use(
            lambda c: c.execute(
                f"SELECT DISTINCT {sql} FROM runs WHERE {sql} IS NOT NULL ORDER BY {sql}"
            ).fetchall()
        )
        return [row[0] for row in rows]

    def producers(self, uris: Sequence[str]) -> dict[str, tuple[str, str]]:
        """Which run (project, id) logged each of ``uris`` (exact version URIs)."""
        return dict(self._edges("run_outputs", uris))

    def consumers(self, uris: Sequence[str]) -> dict[str, list[tuple[str, str]]]:
        """Which runs (project, id) read each of ``uris`` as an input."""
        found: dict[str, list[tuple[str, str]]] = {}
        for uri, run in self._edges("run_inputs", uris):
            found.setdefault(uri, []).append(run)
        return found

    def _edges(self, table: str, uris: Sequence[str]) -> list[tuple[str, tuple[str, str]]]:
        self.refresh(artifacts=False)
        return self._use(lambda connection: runs_of(connection, table, uris))

    def run_edges(self, project: str, run_id: str) -> tuple[list[str], list[str]]:
        """The exact version URIs a run read and logged."""
        self.refresh(artifacts=False)
        return self._use(lambda connection: run_io(connection, project, run_id))

    def links(self, uris: Sequence[str], *, to: bool = False) -> list[ArtifactLink]:
        """The ``extra_data``/``metrics`` entries of the versions ``uris`` (exact URIs) or, with
        ``to``, the entries of other versions that link to them."""
        self.refresh(runs=False)
        return self._use(lambda connection: find_links(connection, uris, to=to))

    # -- artifacts --------------------------------------------------------------------------------

    def artifacts(
        self,
        project: str | None = None,
        key: str | None = None,
        *,
        limit: int = 100,
        offset: int = 0,
    ) -> tuple[list[dict[str, Any]], int]:
        """The newest version of every key (newest first) with its version count; and the total.

        ``key`` keeps the keys that contain it.
        """
        self.refresh(runs=False)
        conditions, values = [], []
        if project is not None:
            conditions.append("k.project = ?")
            values.append(project)
        if key:
            conditions.append("instr(k.key, ?) > 0")
            values.append(key)
        where = f" WHERE {' AND '.join(conditions)}" if conditions else ""
        sql = (
            "SELECT a.project, a.key, a.version, a.uri, a.artifact_type, a.object_type, "
            "a.packager, a.format, a.size, a.run_id, a.created, k.versions FROM artifact_keys k "
            "JOIN artifacts a ON a.project = k.project AND a.key = k.key AND a.version = k.version"
            f"{where} ORDER BY k.version DESC, k.project, k.key LIMIT ? OFFSET ?"
        )

        def page(connection: sqlite3.Connection) -> tuple[list[dict[str, Any]], int]:
            count = f"SELECT count(*) FROM artifact_keys k{where}"
            total = connection.execute(count, values).fetchone()[0]
            return _dicts(connection.execute(sql, [*values, limit, offset])), total

        return self._use(page)

    def versions(
        self, project: str, key: str, *, limit: int = -1
    ) -> tuple[list[dict[str, Any]], int]:
        """The newest ``limit`` versions of a key (all with -1), each with the tags pointing at
        it (``latest`` included); and how many versions the key has."""
        self.refresh(runs=False)

        def history(connection: sqlite3.Connection) -> tuple[list[dict[str, Any]], int]:
            where = "WHERE project = ? AND key = ?"
            total = connection.execute(
                f"SELECT count(*) FROM artifacts {where}", (project, key)
            ).fetchone()[0]
            rows = _dicts(
                connection.execute(
                    f"SELECT * FROM artifacts {where} ORDER BY version DESC LIMIT ?",
                    (project, key, limit),
                )
            )
            tags: dict[str, list[str]] = {}
            for tag, version in connection.execute(
                f"SELECT tag, version FROM tags {where} ORDER BY tag", (project, key)
            ):
                tags.setdefault(version, []).append(tag)
            if rows:
                tags.setdefault(rows[0]["version"], []).insert(0, "latest")
            for row in rows:
                row["tags"] = tags.get(row["version"], [])
            return rows, total

        return self._use(history)

    def tags_of(self, keys: Sequence[tuple[str, str]]) -> dict[tuple[str, str], list[str]]:
        """The tags users set on each (project, key), by name."""
        found: dict[tuple[str, str], list[str]] = {}
        wanted = list(dict.fromkeys(keys))
        if not wanted:
            return found
        pairs = ", ".join(["(?, ?)"] * len(wanted))
        sql = (
            f"SELECT t.project, t.key, t.tag FROM (VALUES {pairs}) AS w JOIN tags t "
            "ON t.project = w.column1 AND t.key = w.column2 ORDER BY t.tag"
        )
        values = [part for pair in wanted for part in pair]
        rows = self._use(lambda c: c.execute(sql, values).fetchall())
        for project, key, tag in rows:
            found.setdefault((project, key), []).append(tag)
        return found

    def project_summaries(self) -> list[dict[str, Any]]:
        """Every project with its number of runs, artifact keys and versions, and last start."""
        self.refresh()
        rows = self._use(lambda c: c.execute(_PROJECT_SUMMARY).fetchall())
        names = ("project", "runs", "artifact_keys", "artifact_versions", "last_run")
        return [dict(zip(names, row, strict=True)) for row in rows]

    def projects(self) -> list[str]:
        """Every project with runs or artifacts."""
        self.refresh()
        rows = self._use(
            lambda c: c.execute(
                "SELECT DISTINCT project FROM runs UNION SELECT project FROM artifact_keys "
                "ORDER BY 1"
            ).fetchall()
        )
        return [row[0] for row in rows]


_PROJECT_SUMMARY = """
SELECT project, sum(runs), sum(keys), sum(versions), max(last_run) FROM (
    SELECT project, count(*) AS runs, 0 AS keys, 0 AS versions, max(started) AS last_run
    FROM runs GROUP BY project
    UNION ALL
    SELECT project, 0, count(*), sum(versions), NULL FROM artifact_keys GROUP BY project
) GROUP BY project ORDER BY project
"""


def _sort_sql(sort: str) -> tuple[str, list[str]]:
    """The ORDER BY expression for a sort key (a JSON path is a bound value, never spliced)."""
    if sort in RUN_COLUMNS:
        return RUN_COLUMNS[sort], []
    section, _, name = sort.partition(".")
    if section in ("params", "results") and name:
        return f"json_extract({section}, ?)", [json_path(name)]
    raise ValueError(f"cannot sort runs by {sort!r}")


def _children(connection: sqlite3.Connection, ids: list[str]) -> dict[str, dict[str, int]]:
    """How many child runs of each of ``ids`` are in each state (for the parents of sweeps)."""
    if not ids:
        return {}
    marks = ",".join("?" * len(ids))
    counts: dict[str, dict[str, int]] = {}
    for parent, state, count in connection.execute(
        f"SELECT parent, state, count(*) FROM runs WHERE parent IN ({marks}) "
        "GROUP BY parent, state",
        ids,
    ):
        counts.setdefault(parent, {})[state] = count
    return counts


def _dicts(cursor: sqlite3.Cursor) -> list[dict[str, Any]]:
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor]
