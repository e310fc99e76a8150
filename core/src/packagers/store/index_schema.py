"""The index file: its tables, where it lives, and opening it.

The file lives in the store directory (``index.sqlite``, which ``verify`` and ``gc`` do not
consider store data), or for a remote or read-only store in the user's cache directory, keyed by
the store URL. A file of another schema is rebuilt: the index is a cache (see ``index.py``).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import sqlite3
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from packagers.store.backend import Backend

__all__ = ["INDEX_FILE", "RUN_COLUMNS", "connect", "index_location", "json_path", "remove_index"]

INDEX_FILE = "index.sqlite"
#: Bumped whenever the tables change: an index of another version is rebuilt.
_SCHEMA = 2

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
-- the newest version of each key and its number of versions, kept with artifacts by index_sync:
-- the listing of keys reads one row a key instead of grouping every version
CREATE TABLE artifact_keys (
    project TEXT NOT NULL, key TEXT NOT NULL, version TEXT NOT NULL, versions INTEGER NOT NULL,
    PRIMARY KEY (project, key));
CREATE INDEX artifact_keys_newest ON artifact_keys (version);
CREATE INDEX artifact_keys_project ON artifact_keys (project, version);
-- a manifest's extra_data and metrics entries (index_lineage.py): target is the linked version's
-- URI, value the JSON of anything else
CREATE TABLE artifact_links (
    project TEXT, key TEXT, version TEXT, uri TEXT, kind TEXT, name TEXT, target TEXT, value TEXT);
CREATE INDEX artifact_links_version ON artifact_links (project, key, version);
CREATE INDEX artifact_links_uri ON artifact_links (uri);
CREATE INDEX artifact_links_target ON artifact_links (target);
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


def index_location(backend: Backend) -> str:
    """Where the index of a store lives: in a local store's directory, else in the user cache."""
    if backend.is_local and os.access(backend.url, os.W_OK):
        return os.path.join(backend.url, INDEX_FILE)
    cache = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    name = hashlib.sha256(backend.url.encode()).hexdigest()[:32]
    return os.path.join(cache, "packagers", "index", f"{name}.sqlite")


def connect(path: str) -> sqlite3.Connection:
    """The index at ``path``, its tables created anew when missing or of another schema."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    connection = sqlite3.connect(path, timeout=30, check_same_thread=False)
    try:
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=NORMAL")
        if connection.execute("PRAGMA user_version").fetchone()[0] != _SCHEMA:
            _create_tables(connection)
    except BaseException:
        connection.close()
        raise
    return connection


def remove_index(path: str) -> None:
    """Delete the index file at ``path`` with SQLite's journal files (closed beforehand)."""
    for suffix in ("", "-wal", "-shm"):
        with contextlib.suppress(FileNotFoundError):
            os.remove(path + suffix)


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


def json_path(name: str) -> str:
    """The SQLite JSON path of a top-level member, quoted so any name is taken literally."""
    return '$."' + name.replace('"', '\\"') + '"'
