"""A SQLite index of run records and manifests, so listing a large store reads no JSON file twice.

The store's files remain the truth; the index is a cache that any reader brings up to date before
it answers, and that can be thrown away at any time (a missing, stale, foreign-schema or corrupt
file is rebuilt from the store). Writers never touch it, so logging costs exactly what it did.

Catching up is cheap because the store's JSON files never change once written, except a run's
active record (``<id>.running.json``) and tags, which are re-read whenever their directory
changed. On a local store a directory whose modification time is the one seen last time is not
even listed; a remote store has no directory times, so its listing is redone at most every
:data:`REMOTE_REFRESH_SECONDS`. The file lives in the store directory (``index.sqlite``, which
``verify`` and ``gc`` do not consider store data), or for a remote or read-only store in the user's
cache directory, keyed by the store URL.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from packagers.store.artifacts_index import ARTIFACTS_DIR
from packagers.store.runs import RUNS_DIR

if TYPE_CHECKING:
    from packagers.store.backend import Backend

__all__ = [
    "INDEX_FILE",
    "REMOTE_REFRESH_SECONDS",
    "RunPage",
    "RunQuery",
    "StoreIndex",
    "index_location",
    "json_path",
]

INDEX_FILE = "index.sqlite"
#: How often a remote store is listed again (a local one is checked on every read: it is cheap).
REMOTE_REFRESH_SECONDS = 5.0
#: A directory changed this recently may change again within the same timestamp tick (ext4 keeps
#: coarse directory times), so it is listed again next time rather than marked as seen.
_SETTLE_SECONDS = 1.0
#: Bumped whenever the tables change: an index of another version is rebuilt.
_SCHEMA = 1
_ACTIVE_SUFFIX = ".running.json"
_JSON = ".json"

_TABLES = """
CREATE TABLE runs (
    project TEXT NOT NULL, id TEXT NOT NULL, final INTEGER NOT NULL, state TEXT, name TEXT,
    function TEXT, executor TEXT, started TEXT, ended TEXT, duration REAL, parent TEXT,
    params TEXT, results TEXT, record TEXT NOT NULL, PRIMARY KEY (project, id));
CREATE INDEX runs_started ON runs (started, id);
CREATE INDEX runs_project ON runs (project, started, id);
CREATE INDEX runs_state ON runs (state);
CREATE INDEX runs_function ON runs (function);
CREATE INDEX runs_id ON runs (id);
CREATE INDEX runs_parent ON runs (parent);
CREATE TABLE run_inputs (project TEXT, run_id TEXT, name TEXT, uri TEXT);
CREATE INDEX run_inputs_run ON run_inputs (project, run_id);
CREATE INDEX run_inputs_uri ON run_inputs (uri);
CREATE TABLE run_outputs (project TEXT, run_id TEXT, name TEXT, uri TEXT);
CREATE INDEX run_outputs_run ON run_outputs (project, run_id);
CREATE INDEX run_outputs_uri ON run_outputs (uri);
CREATE TABLE artifacts (
    project TEXT NOT NULL, key TEXT NOT NULL, version TEXT NOT NULL, uri TEXT, artifact_type TEXT,
    object_type TEXT, packager TEXT, format TEXT, size INTEGER, run_id TEXT, created TEXT,
    PRIMARY KEY (project, key, version));
CREATE TABLE tags (project TEXT, key TEXT, tag TEXT, version TEXT, PRIMARY KEY (project, key, tag));
CREATE TABLE seen (dir TEXT PRIMARY KEY, stamp INTEGER);
CREATE TABLE meta (name TEXT PRIMARY KEY, value REAL);
"""

#: Run columns a query may sort or filter by, with their SQL.
RUN_COLUMNS = {
    "id": "id",
    "project": "project",
    "state": "state",
    "name": "name",
    "function": "function",
    "executor": "executor",
    "started": "started",
    "ended": "ended",
    "duration": "duration",
    "parent": "parent",
}

_T = TypeVar("_T")


def index_location(backend: Backend) -> str:
    """Where the index of a store lives: in a local store's directory, else in the user cache."""
    if backend.is_local and os.access(backend.url, os.W_OK):
        return os.path.join(backend.url, INDEX_FILE)
    cache = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    name = hashlib.sha256(backend.url.encode()).hexdigest()[:32]
    return os.path.join(cache, "packagers", "index", f"{name}.sqlite")


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
        self._backend = backend
        self.path = path or index_location(backend)
        self._lock = threading.RLock()
        self._connection: sqlite3.Connection | None = None

    def __repr__(self) -> str:
        return f"StoreIndex({self.path!r})"

    # -- the file ---------------------------------------------------------------------------------

    def _connect(self) -> sqlite3.Connection:
        if self._connection is None:
            os.makedirs(os.path.dirname(self.path), exist_ok=True)
            connection = sqlite3.connect(self.path, timeout=30, check_same_thread=False)
            try:
                connection.execute("PRAGMA journal_mode=WAL")
                connection.execute("PRAGMA synchronous=NORMAL")
                if connection.execute("PRAGMA user_version").fetchone()[0] != _SCHEMA:
                    _create_tables(connection)
            except BaseException:
                connection.close()
                raise
            self._connection = connection
        return self._connection

    def _discard(self) -> None:
        """Close and delete the index file: the next use builds a new one from the store."""
        if self._connection is not None:
            with contextlib.suppress(sqlite3.Error):
                self._connection.close()
            self._connection = None
        for suffix in ("", "-wal", "-shm"):
            with contextlib.suppress(FileNotFoundError):
                os.remove(self.path + suffix)

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
                self._refresh(connection, [RUNS_DIR, ARTIFACTS_DIR], True)
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
        self._use(lambda connection: self._refresh(connection, sections, force))

    def _refresh(self, connection: sqlite3.Connection, sections: list[str], force: bool) -> None:
        with connection:
            for section in sections:
                if self._backend.is_local:
                    self._refresh_local(connection, section, force)
                else:
                    self._refresh_remote(connection, section, force)

    def _refresh_local(self, connection: sqlite3.Connection, section: str, force: bool) -> None:
        seen = dict(
            connection.execute(
                "SELECT dir, stamp FROM seen WHERE dir > ? AND dir < ?",
                (f"{section}/", f"{section}0"),
            )
        )
        now = time.time_ns()
        projects = self._backend.listdir(section)
        for project in projects:
            if section == RUNS_DIR:
                self._sync_dir(connection, seen, now, f"{RUNS_DIR}/{project}", force, project)
                continue
            keys = self._backend.listdir(f"{ARTIFACTS_DIR}/{project}")
            for key in keys:
                for kind in ("versions", "tags"):
                    rel = f"{ARTIFACTS_DIR}/{project}/{key}/{kind}"
                    self._sync_dir(connection, seen, now, rel, force, project, key)
            self._forget_keys(connection, project, set(keys))
        self._forget_projects(connection, section, set(projects))

    def _sync_dir(
        self,
        connection: sqlite3.Connection,
        seen: dict[str, int],
        now: int,
        rel: str,
        force: bool,
        project: str,
        key: str | None = None,
    ) -> None:
        try:
            stamp = os.stat(self._backend.location(rel)).st_mtime_ns
        except FileNotFoundError:
            stamp = 0
        if not force and seen.get(rel) == stamp:
            return
        names = self._backend.listdir(rel)
        self._apply(connection, rel, project, key, names)
        settled = now - stamp > _SETTLE_SECONDS * 1e9
        connection.execute(
            "INSERT OR REPLACE INTO seen VALUES (?, ?)", (rel, stamp if settled else -1)
        )

    def _refresh_remote(self, connection: sqlite3.Connection, section: str, force: bool) -> None:
        row = connection.execute("SELECT value FROM meta WHERE name = ?", (section,)).fetchone()
        if not force and row is not None and time.time() - row[0] < REMOTE_REFRESH_SECONDS:
            return
        by_dir: dict[str, list[str]] = {}
        for path in self._backend.files(section):
            directory, _, name = path.rpartition("/")
            by_dir.setdefault(directory, []).append(name)
        projects = set()
        keys: dict[str, set[str]] = {}
        for directory, names in by_dir.items():
            parts = directory.split("/")
            if section == RUNS_DIR and len(parts) == 2:
                projects.add(parts[1])
                self._apply(connection, directory, parts[1], None, names)
            elif section == ARTIFACTS_DIR and len(parts) == 4 and parts[3] in ("versions", "tags"):
                projects.add(parts[1])
                keys.setdefault(parts[1], set()).add(parts[2])
                self._apply(connection, directory, parts[1], parts[2], names)
        if section == ARTIFACTS_DIR:
            for project in projects:
                self._forget_keys(connection, project, keys[project])
            for project, key in connection.execute("SELECT DISTINCT project, key FROM tags"):
                if f"{ARTIFACTS_DIR}/{project}/{key}/tags" not in by_dir:
                    connection.execute(
                        "DELETE FROM tags WHERE project = ? AND key = ?", (project, key)
                    )
        self._forget_projects(connection, section, projects)
        connection.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (section, time.time()))

    def _apply(
        self,
        connection: sqlite3.Connection,
        rel: str,
        project: str,
        key: str | None,
        names: list[str],
    ) -> None:
        """Index what is new in one directory's listing, and forget what is gone from it."""
        if key is None:
            self._apply_runs(connection, rel, project, names)
        elif rel.endswith("/tags"):
            self._apply_tags(connection, rel, project, key, names)
        else:
            self._apply_versions(connection, rel, project, key, names)

    def _read(self, paths: list[str]) -> Iterator[tuple[str, dict[str, Any]]]:
        """The JSON files among ``paths`` that can be read (a damaged one waits for its repair)."""
        for path, data in self._backend.read_many(paths).items():
            try:
                parsed = json.loads(data)
            except ValueError:
                continue
            if isinstance(parsed, dict):
                yield path, parsed

    def _apply_runs(
        self, connection: sqlite3.Connection, rel: str, project: str, names: list[str]
    ) -> None:
        final = {n[: -len(_JSON)] for n in names if n.endswith(_JSON) and _ACTIVE_SUFFIX not in n}
        active = {n[: -len(_ACTIVE_SUFFIX)] for n in names if n.endswith(_ACTIVE_SUFFIX)} - final
        indexed = dict(
            connection.execute("SELECT id, final FROM runs WHERE project = ?", (project,))
        )
        paths = [f"{rel}/{run_id}{_JSON}" for run_id in final if not indexed.get(run_id)]
        paths += [f"{rel}/{run_id}{_ACTIVE_SUFFIX}" for run_id in active]
        for path, record in self._read(paths):
            _put_run(connection, project, record, final=not path.endswith(_ACTIVE_SUFFIX))
        for run_id in set(indexed) - final - active:
            _delete_run(connection, project, run_id)

    def _apply_versions(
        self, connection: sqlite3.Connection, rel: str, project: str, key: str, names: list[str]
    ) -> None:
        present = {name[: -len(_JSON)] for name in names if name.endswith(_JSON)}
        indexed = {
            row[0]
            for row in connection.execute(
                "SELECT version FROM artifacts WHERE project = ? AND key = ?", (project, key)
            )
        }
        paths = [f"{rel}/{version}{_JSON}" for version in present - indexed]
        rows = [_artifact_row(manifest) for _, manifest in self._read(paths)]
        connection.executemany(
            "INSERT OR REPLACE INTO artifacts VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows
        )
        connection.executemany(
            "DELETE FROM artifacts WHERE project = ? AND key = ? AND version = ?",
            [(project, key, version) for version in indexed - present],
        )

    def _apply_tags(
        self, connection: sqlite3.Connection, rel: str, project: str, key: str, names: list[str]
    ) -> None:
        connection.execute("DELETE FROM tags WHERE project = ? AND key = ?", (project, key))
        paths = [f"{rel}/{name}" for name in names if name.endswith(_JSON)]
        connection.executemany(
            "INSERT OR REPLACE INTO tags VALUES (?, ?, ?, ?)",
            [
                (project, key, path.rpartition("/")[2][: -len(_JSON)], pointer.get("version"))
                for path, pointer in self._read(paths)
            ],
        )

    @staticmethod
    def _forget_keys(connection: sqlite3.Connection, project: str, keys: set[str]) -> None:
        for table in ("artifacts", "tags"):
            stale = {
                row[0]
                for row in connection.execute(
                    f"SELECT DISTINCT key FROM {table} WHERE project = ?", (project,)
                )
            }
            connection.executemany(
                f"DELETE FROM {table} WHERE project = ? AND key = ?",
                [(project, key) for key in stale - keys],
            )

    @staticmethod
    def _forget_projects(connection: sqlite3.Connection, section: str, projects: set[str]) -> None:
        table = "runs" if section == RUNS_DIR else "artifacts"
        indexed = {row[0] for row in connection.execute(f"SELECT DISTINCT project FROM {table}")}
        for project in indexed - projects:
            if section == RUNS_DIR:
                for (run_id,) in connection.execute(
                    "SELECT id FROM runs WHERE project = ?", (project,)
                ).fetchall():
                    _delete_run(connection, project, run_id)
            else:
                connection.execute("DELETE FROM artifacts WHERE project = ?", (project,))
                connection.execute("DELETE FROM tags WHERE project = ?", (project,))

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

    def invalidate(self) -> None:
        """Forget when each directory was last listed: the next refresh lists them all again
        (and reads only what is new), so files deleted within a listing's granularity go too."""
        self._use(lambda c: _forget_listings(c))

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
        marks = ",".join("?" * len(uris))
        rows = self._use(
            lambda c: c.execute(
                f"SELECT uri, project, run_id FROM {table} WHERE uri IN ({marks}) ORDER BY run_id",
                list(uris),
            ).fetchall()
        )
        return [(uri, (project, run_id)) for uri, project, run_id in rows]

    def run_edges(self, project: str, run_id: str) -> tuple[list[str], list[str]]:
        """The exact version URIs a run read and logged."""

        def edges(connection: sqlite3.Connection) -> tuple[list[str], list[str]]:
            found = []
            for table in ("run_inputs", "run_outputs"):
                rows = connection.execute(
                    f"SELECT uri FROM {table} WHERE project = ? AND run_id = ? ORDER BY name",
                    (project, run_id),
                )
                found.append([row[0] for row in rows])
            return found[0], found[1]

        self.refresh(artifacts=False)
        return self._use(edges)

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
            conditions.append("project = ?")
            values.append(project)
        if key:
            conditions.append("instr(key, ?) > 0")
            values.append(key)
        where = f" WHERE {' AND '.join(conditions)}" if conditions else ""
        sql = (
            "SELECT project, key, max(version) AS version, uri, artifact_type, object_type, "
            "packager, format, size, run_id, created, count(*) AS versions FROM artifacts"
            f"{where} GROUP BY project, key ORDER BY version DESC LIMIT ? OFFSET ?"
        )

        def page(connection: sqlite3.Connection) -> tuple[list[dict[str, Any]], int]:
            total = connection.execute(
                f"SELECT count(*) FROM (SELECT 1 FROM artifacts{where} GROUP BY project, key)",
                values,
            ).fetchone()[0]
            cursor = connection.execute(sql, [*values, limit, offset])
            return _dicts(cursor), total

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
        wanted = set(keys)
        rows = self._use(
            lambda c: c.execute("SELECT project, key, tag FROM tags ORDER BY tag").fetchall()
        )
        for project, key, tag in rows:
            if (project, key) in wanted:
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
                "SELECT project FROM runs UNION SELECT project FROM artifacts ORDER BY 1"
            ).fetchall()
        )
        return [row[0] for row in rows]


_PROJECT_SUMMARY = """
SELECT project, sum(runs), sum(keys), sum(versions), max(last_run) FROM (
    SELECT project, count(*) AS runs, 0 AS keys, 0 AS versions, max(started) AS last_run
    FROM runs GROUP BY project
    UNION ALL
    SELECT project, 0, count(DISTINCT key), count(*), NULL FROM artifacts GROUP BY project
) GROUP BY project ORDER BY project
"""


def _forget_listings(connection: sqlite3.Connection) -> None:
    with connection:
        connection.execute("DELETE FROM seen")
        connection.execute("DELETE FROM meta")


def _create_tables(connection: sqlite3.Connection) -> None:
    names = [
        row[0]
        for row in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    ]
    with connection:
        for name in names:
            connection.execute(f"DROP TABLE {name}")
        connection.executescript(_TABLES)
        connection.execute(f"PRAGMA user_version = {_SCHEMA}")


def _put_run(
    connection: sqlite3.Connection, project: str, record: dict[str, Any], *, final: bool
) -> None:
    run_id = record.get("id")
    if not isinstance(run_id, str):
        return
    _delete_run(connection, project, run_id)
    connection.execute(
        "INSERT INTO runs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            project,
            run_id,
            final,
            record.get("state"),
            record.get("name"),
            record.get("function"),
            record.get("executor"),
            record.get("started"),
            record.get("ended"),
            _number(record.get("duration")),
            record.get("parent") or record.get("parent_id"),
            json.dumps(record.get("params") or {}),
            json.dumps(record.get("results") or {}),
            json.dumps(record),
        ),
    )
    inputs = record.get("inputs") or {}
    connection.executemany(
        "INSERT INTO run_inputs VALUES (?, ?, ?, ?)",
        [
            (project, run_id, name, spec.get("resolved") or spec.get("uri"))
            for name, spec in inputs.items()
            if isinstance(spec, dict)
        ],
    )
    outputs = record.get("artifacts") or {}
    connection.executemany(
        "INSERT INTO run_outputs VALUES (?, ?, ?, ?)",
        [
            (project, run_id, name, ref.get("uri"))
            for name, ref in outputs.items()
            if isinstance(ref, dict)
        ],
    )


def _delete_run(connection: sqlite3.Connection, project: str, run_id: str) -> None:
    connection.execute("DELETE FROM runs WHERE project = ? AND id = ?", (project, run_id))
    for table in ("run_inputs", "run_outputs"):
        connection.execute(
            f"DELETE FROM {table} WHERE project = ? AND run_id = ?", (project, run_id)
        )


def _artifact_row(manifest: dict[str, Any]) -> tuple[Any, ...]:
    return (
        manifest.get("project"),
        manifest.get("key"),
        manifest.get("version"),
        manifest.get("uri"),
        manifest.get("artifact_type"),
        manifest.get("object_type"),
        manifest.get("packager"),
        manifest.get("format"),
        _number(manifest.get("size")),
        manifest.get("run_id"),
        manifest.get("created"),
    )


def _number(value: Any) -> float | None:
    return value if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _sort_sql(sort: str) -> tuple[str, list[str]]:
    """The ORDER BY expression for a sort key (a JSON path is a bound value, never spliced)."""
    if sort in RUN_COLUMNS:
        return RUN_COLUMNS[sort], []
    section, _, name = sort.partition(".")
    if section in ("params", "results") and name:
        return f"json_extract({section}, ?)", [json_path(name)]
    raise ValueError(f"cannot sort runs by {sort!r}")


def json_path(name: str) -> str:
    """The SQLite JSON path of a top-level member, quoted so any name is taken literally."""
    return '$."' + name.replace('"', '\\"') + '"'


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
