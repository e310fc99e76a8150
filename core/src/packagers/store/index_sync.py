"""Catching the index up with the store: what changed since the last look, and only that.

Catching up is cheap because the store's JSON files never change once written, except a run's
active record (``<id>.running.json``) and tags, which are re-read whenever their directory
changed. On a local store a directory whose modification time is the one seen last time is not
even listed; a remote store has no directory times, so its listing is redone at most every
:data:`REMOTE_REFRESH_SECONDS`. A damaged file is left out until it is repaired: the store's
files remain the truth.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from packagers.store.artifacts_index import ARTIFACTS_DIR
from packagers.store.errors import DamagedFileError
from packagers.store.index_lineage import link_rows
from packagers.store.runs import ACTIVE_SUFFIX, RUNS_DIR
from packagers.store.validation import read_manifest

if TYPE_CHECKING:
    from packagers.manifest import Manifest
    from packagers.store.backend import Backend

__all__ = ["REMOTE_REFRESH_SECONDS", "IndexSync", "forget_listings"]

#: How often a remote store is listed again (a local one is checked on every read: it is cheap).
REMOTE_REFRESH_SECONDS = 5.0
#: A directory changed this recently may change again within the same timestamp tick (ext4 keeps
#: coarse directory times), so it is listed again next time rather than marked as seen.
_SETTLE_SECONDS = 1.0
_JSON = ".json"
#: The tables that hold what the index knows of each artifact key.
_KEY_TABLES = ("artifacts", "artifact_keys", "artifact_links", "tags")


class IndexSync:
    """Brings an index up to date with the files of one store, inside the caller's transaction."""

    def __init__(self, backend: Backend) -> None:
        self._backend = backend

    def refresh(self, connection: sqlite3.Connection, sections: list[str], force: bool) -> None:
        """Index what changed under ``sections`` since the last look (``force``: look at all)."""
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

    def _read_manifests(self, paths: list[str], project: str, key: str) -> Iterator[Manifest]:
        """The manifests among ``paths`` the store's reader accepts (see :mod:`.validation`): a
        damaged or forged one is not indexed, as the store would refuse to load it."""
        for path, data in self._backend.read_many(paths).items():
            version = path.rpartition("/")[2][: -len(_JSON)]
            try:
                yield read_manifest(
                    data, path, self._backend.url, project=project, key=key, version=version
                )
            except DamagedFileError:
                continue

    def _apply_runs(
        self, connection: sqlite3.Connection, rel: str, project: str, names: list[str]
    ) -> None:
        final = {n[: -len(_JSON)] for n in names if n.endswith(_JSON) and ACTIVE_SUFFIX not in n}
        active = {n[: -len(ACTIVE_SUFFIX)] for n in names if n.endswith(ACTIVE_SUFFIX)} - final
        indexed = dict(
            connection.execute("SELECT id, final FROM runs WHERE project = ?", (project,))
        )
        paths = [f"{rel}/{run_id}{_JSON}" for run_id in final if not indexed.get(run_id)]
        paths += [f"{rel}/{run_id}{ACTIVE_SUFFIX}" for run_id in active]
        for path, record in self._read(paths):
            _put_run(connection, project, record, final=not path.endswith(ACTIVE_SUFFIX))
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
        rows, links = [], []
        for manifest in self._read_manifests(paths, project, key):  # one at a time: a key may
            rows.append(_artifact_row(manifest))  # have many versions
            links += link_rows(manifest)
        connection.executemany(
            "INSERT OR REPLACE INTO artifacts VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows
        )
        connection.executemany("INSERT INTO artifact_links VALUES (?, ?, ?, ?, ?, ?, ?, ?)", links)
        gone = [(project, key, version) for version in indexed - present]
        for table in ("artifacts", "artifact_links"):
            connection.executemany(
                f"DELETE FROM {table} WHERE project = ? AND key = ? AND version = ?", gone
            )
        if rows or gone:
            for touched in {(project, key)} | {(row[0], row[1]) for row in rows}:
                _count_versions(connection, *touched)

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
        indexed = connection.execute(
            "SELECT key FROM artifact_keys WHERE project = ? UNION SELECT key FROM tags "
            "WHERE project = ?",
            (project, project),
        )
        stale = [(project, row[0]) for row in indexed if row[0] not in keys]
        for table in _KEY_TABLES:
            connection.executemany(f"DELETE FROM {table} WHERE project = ? AND key = ?", stale)

    @staticmethod
    def _forget_projects(connection: sqlite3.Connection, section: str, projects: set[str]) -> None:
        listed = (
            "SELECT DISTINCT project FROM runs"
            if section == RUNS_DIR
            else "SELECT project FROM artifact_keys UNION SELECT project FROM tags"
        )
        indexed = {row[0] for row in connection.execute(listed)}
        for project in indexed - projects:
            if section == RUNS_DIR:
                for (run_id,) in connection.execute(
                    "SELECT id FROM runs WHERE project = ?", (project,)
                ).fetchall():
                    _delete_run(connection, project, run_id)
            else:
                for table in _KEY_TABLES:
                    connection.execute(f"DELETE FROM {table} WHERE project = ?", (project,))


def forget_listings(connection: sqlite3.Connection) -> None:
    """Forget when each directory was last listed, so the next refresh lists them all."""
    with connection:
        connection.execute("DELETE FROM seen")
        connection.execute("DELETE FROM meta")


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


def _count_versions(connection: sqlite3.Connection, project: str, key: str) -> None:
    """Bring a key's row of ``artifact_keys`` in line with its versions (gone with the last)."""
    newest, count = connection.execute(
        "SELECT max(version), count(*) FROM artifacts WHERE project = ? AND key = ?",
        (project, key),
    ).fetchone()
    if count:
        row = (project, key, newest, count)
        connection.execute("INSERT OR REPLACE INTO artifact_keys VALUES (?, ?, ?, ?)", row)
    else:
        connection.execute(
            "DELETE FROM artifact_keys WHERE project = ? AND key = ?", (project, key)
        )


def _artifact_row(manifest: Manifest) -> tuple[Any, ...]:
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
