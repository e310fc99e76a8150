"""The store index: a cache of runs and manifests that readers keep up to date, never the truth."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from packagers import LogHint, run
from packagers.api import log
from packagers.cli import main
from packagers.runner import RunRecord
from packagers.store import Store, index_sync
from packagers.store.index import RunQuery, StoreIndex
from packagers.store.index_lineage import ArtifactLink


def _record(number: int, state: str = "completed", **extra: Any) -> dict[str, Any]:
    record = RunRecord(
        id=f"20250101T00000{number}000000Z-0000000{number}", name=f"step{number}", project="p"
    )
    record.state = state
    record.started = f"2025-01-01T00:00:0{number}+00:00"
    record.params = {"n": number}
    return {**record.to_dict(), **extra}


def _log(store: Store, value: Any, hint: str) -> str:
    """Log ``value`` in project ``p``; the new version's URI (a result returns itself)."""
    log(value, hint, store=store.url, project="p")
    return store.list_artifacts("p", hint.partition(" ")[0])[0].uri


def _ids(store: Store, **query: Any) -> list[str]:
    return [run["id"] for run in store.index.runs(RunQuery(**query)).runs]


def test_what_is_written_is_listed_without_a_reindex(store: Store) -> None:
    store.save_run(_record(1))
    assert _ids(store) == [_record(1)["id"]]
    store.save_run(_record(2, state="running"))
    assert store.index.runs(RunQuery(state="running")).total == 1
    store.save_run(_record(2))  # the active record becomes final
    assert store.index.runs(RunQuery(state="completed")).total == 2
    assert store.index.runs(RunQuery(state="running")).total == 0
    uri = _log(store, 7, "count : result")
    rows, total = store.index.artifacts("p")
    assert total == 1 and rows[0]["uri"] == uri and rows[0]["versions"] == 1
    _log(store, 8, "count : result")
    versions, total = store.index.versions("p", "count")
    assert [v["tags"] for v in versions] == [["latest"], []] and total == 2
    assert len(store.index.versions("p", "count", limit=1)[0]) == 1


def test_changes_made_behind_its_back_are_seen(store: Store) -> None:
    store.save_run(_record(1))
    store.save_run(_record(2))
    assert len(_ids(store)) == 2
    os.remove(os.path.join(store.url, "runs", "p", f"{_record(1)['id']}.json"))
    assert _ids(store) == [_record(2)["id"]]


def test_a_damaged_index_is_rebuilt_from_the_store(store: Store) -> None:
    store.save_run(_record(1))
    assert len(_ids(store)) == 1
    store.index.close()
    Path(store.index.path).write_bytes(b"this is not a database" * 100)
    fresh = Store(store.url)
    assert _ids(fresh) == [_record(1)["id"]]
    os.remove(fresh.index.path)
    fresh.index.close()
    assert _ids(Store(store.url)) == [_record(1)["id"]]


def test_an_index_of_another_schema_is_rebuilt(store: Store) -> None:
    store.save_run(_record(1))
    _ids(store)
    store.index.close()
    with sqlite3.connect(store.index.path) as connection:
        connection.execute("PRAGMA user_version = 999")
    assert _ids(Store(store.url)) == [_record(1)["id"]]


def test_an_index_of_schema_1_is_rebuilt_for_its_version(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    uri = _log(store, 1, "x : result")
    assert store.index.artifacts("p")[1] == 1
    store.index.close()
    connection = sqlite3.connect(store.index.path)
    with connection:  # schema 1 had neither the table of keys nor that of links
        connection.execute("DROP TABLE artifact_keys")
        connection.execute("DROP TABLE artifact_links")
        connection.execute("PRAGMA user_version = 1")
    connection.close()

    def discard(index: StoreIndex) -> None:
        raise AssertionError("an old index was taken for a damaged one instead of rebuilt")

    monkeypatch.setattr(StoreIndex, "_discard", discard)
    rows, total = Store(store.url).index.artifacts("p")
    assert total == 1 and rows[0]["uri"] == uri and rows[0]["versions"] == 1
    connection = sqlite3.connect(store.index.path)
    assert connection.execute("PRAGMA user_version").fetchone()[0] == 2
    connection.close()


def test_writers_do_not_touch_it_and_maintenance_ignores_it(store: Store) -> None:
    store.save_run(_record(1))
    _ids(store)
    stamp = os.stat(store.index.path).st_mtime_ns
    log(b"data", "blob : file", store=store.url, project="p")
    store.save_run(_record(2))
    assert os.stat(store.index.path).st_mtime_ns == stamp
    assert store.verify().ok and not store.verify().orphaned_blobs
    store.gc()
    assert os.path.exists(store.index.path)
    assert Path(store.index.path).parent == Path(store.url)


def test_filters_sorts_and_children(store: Store) -> None:
    store.save_run(_record(1))
    for number in (2, 3, 4):
        child = _record(number, state="error" if number == 4 else "completed")
        store.save_run({**child, "parent": _record(1)["id"]})
    page = store.index.runs(RunQuery(sort="params.n", descending=False, limit=2, offset=1))
    assert [run["params"]["n"] for run in page.runs] == [2, 3] and page.total == 4
    parent = store.index.runs(RunQuery(parent=None, function=None, limit=10)).children
    assert parent == {_record(1)["id"]: {"completed": 2, "error": 1}}
    assert len(_ids(store, parent=_record(1)["id"])) == 3
    where = ("json_extract(params, ?) >= ?", ['$."n"', 3])
    assert len(_ids(store, where=where)) == 2


def test_lineage_edges_come_from_run_records(store: Store) -> None:
    made = _log(store, 1, "x : result")
    store.save_run(_record(1, inputs={"x": {"uri": "store://p/x", "resolved": made}}))
    assert store.index.consumers([made]) == {made: [("p", _record(1)["id"])]}
    assert store.index.run_edges("p", _record(1)["id"]) == ([made], [])


def _linked() -> tuple[bytes, bytes]:
    return b"blob", b"plot"


def test_links_are_indexed_and_go_with_their_version(store: Store) -> None:
    blob = LogHint("blob", artifact_type="file", extra_data={"plot": ..., "note": "by hand"})
    record = run(_linked, returns=[blob, "plot : file"], store=store.url, project="p")
    blob_uri, plot_uri = record.artifacts["blob"].uri, record.artifacts["plot"].uri
    assert store.index.links([blob_uri]) == [
        ArtifactLink(blob_uri, "extra_data", "note", None, "by hand"),
        ArtifactLink(blob_uri, "extra_data", "plot", plot_uri),
    ]
    assert store.index.links([plot_uri], to=True) == [
        ArtifactLink(blob_uri, "extra_data", "plot", plot_uri)
    ]
    assert store.index.links([plot_uri]) == []
    store.delete_artifact(blob_uri)
    assert store.index.links([plot_uri], to=True) == []


def _parts() -> list[bytes]:
    return [b"a", b"b"]


def test_a_bundle_links_its_members(store: Store) -> None:
    record = run(_parts, returns=["*parts"], store=store.url, project="p")
    bundle = record.artifacts["parts"].uri
    assert store.index.links([bundle]) == [
        ArtifactLink(bundle, "bundle", key, record.artifacts[key].uri)
        for key in ("parts_0", "parts_1")
    ]


def test_the_listing_of_keys_follows_every_change(store: Store) -> None:
    oldest = _log(store, 1, "a : result")
    newest = _log(store, 2, "a : result")
    b = _log(store, 3, "b : result")
    rows, total = store.index.artifacts("p")
    assert total == 2 and [(row["key"], row["versions"]) for row in rows] == [
        ("b", 1),
        ("a", 2),
    ]
    assert rows[0]["uri"] == b and rows[1]["uri"] == newest
    assert [row["key"] for row in store.index.artifacts(limit=1, offset=1)[0]] == ["a"]
    assert store.index.artifacts(key="a")[1] == 1 and store.index.artifacts("q")[1] == 0
    store.delete_artifact(newest)
    row = store.index.artifacts(key="a")[0][0]
    assert (row["uri"], row["versions"]) == (oldest, 1)
    os.remove(
        os.path.join(store.url, "artifacts", "p", "b", "versions", b.rpartition("@")[2] + ".json")
    )
    assert [row["key"] for row in store.index.artifacts("p")[0]] == ["a"]
    shutil.rmtree(os.path.join(store.url, "artifacts", "p", "a"))
    assert store.index.artifacts("p") == ([], 0)
    assert store.index.project_summaries() == []


def test_reindex_counts(store: Store) -> None:
    store.save_run(_record(1))
    log(1, "x : result", store=store.url, project="p")
    assert store.reindex() == {"runs": 1, "artifact_versions": 1}


def test_a_remote_store_keeps_its_index_in_the_user_cache(
    memory_store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(index_sync, "REMOTE_REFRESH_SECONDS", 0.0)
    store = Store(memory_store.url)
    store.save_run(_record(1))
    assert _ids(store) == [_record(1)["id"]]
    assert Path(store.index.path).parent == tmp_path / "cache" / "packagers" / "index"
    store.save_run(_record(2))
    assert len(_ids(store)) == 2
    log(1, "x : result", store=store.url, project="p")
    assert store.index.artifacts("p")[1] == 1


def test_runs_ls_and_reindex_commands_use_the_index(
    store: Store, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    store.save_run(_record(1))
    store.save_run(_record(2, state="error"))

    def unread(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("runs ls read every record instead of the index")

    monkeypatch.setattr(Store, "list_runs", unread)
    assert main(["runs", "ls", "--json", "--store", store.url, "--project", "p"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [run["id"] for run in listed] == [_record(2)["id"], _record(1)["id"]]
    assert (
        main(["runs", "ls", "--json", "--store", store.url, "--project", "p", "--state", "error"])
        == 0
    )
    assert [run["state"] for run in json.loads(capsys.readouterr().out)] == ["error"]
    assert main(["store", "reindex", "--json", "--store", store.url]) == 0
    assert json.loads(capsys.readouterr().out)["runs"] == 2
