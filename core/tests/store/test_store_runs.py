"""Run records: atomic saves, frozen once final, found by id, listed newest first."""

from __future__ import annotations

from pathlib import Path

import pytest

from packagers import config
from packagers.store import Store, StoreError


def _record(run_id: str, state: str = "running", project: str = "default", **extra: object) -> dict:
    return {"id": run_id, "project": project, "state": state, "started": run_id, **extra}


def test_save_get_and_complete(store: Store) -> None:
    store.save_run(_record("20250101T000000000000Z-aa"))
    store.save_run(_record("20250101T000000000000Z-aa", "completed", results={"n": 1}))
    saved = store.get_run("20250101T000000000000Z-aa")
    assert saved["state"] == "completed" and saved["results"] == {"n": 1}
    path = Path(store.url) / "runs" / "default" / "20250101T000000000000Z-aa.json"
    assert path.is_file()
    assert list(Path(store.url).glob("tmp/*")) == []  # no temporary file is left behind


def test_final_records_are_immutable(store: Store) -> None:
    store.save_run(_record("r1", "error"))
    store.save_run(_record("r1", "error"))  # the same content again is fine
    with pytest.raises(StoreError, match=r"run 'r1' of project 'default' is 'error', a final"):
        store.save_run(_record("r1", "completed"))


def test_list_runs_newest_first_per_project(store: Store) -> None:
    for run_id in ("20250101T01", "20250101T03", "20250101T02"):
        store.save_run(_record(run_id))
    store.save_run(_record("20250101T09", project="other"))
    assert [r["id"] for r in store.list_runs()] == ["20250101T03", "20250101T02", "20250101T01"]
    assert [r["id"] for r in store.list_runs("other")] == ["20250101T09"]
    with config.override(project="other"):
        assert [r["id"] for r in store.list_runs()] == ["20250101T09"]
    assert store.list_runs("nobody") == []


def test_get_run_searches_other_projects_only_without_a_project(store: Store) -> None:
    store.save_run(_record("r9", project="other"))
    assert store.get_run("r9")["project"] == "other"
    with pytest.raises(StoreError, match=r"no run 'r9' in project 'default'"):
        store.get_run("r9", project="default")
    store.save_run(_record("r1"))
    with pytest.raises(StoreError, match=r"no run 'r2'.*newest runs there: r1"):
        store.get_run("r2")


@pytest.mark.parametrize(
    ("record", "message"),
    [
        ({"id": "../x", "project": "p"}, "invalid run id"),
        ({"id": "r", "project": "a/b"}, "invalid project"),
        ({"id": "r", "project": "p", "bad": object()}, "not JSON-serialisable"),
    ],
)
def test_bad_records_are_refused(store: Store, record: dict, message: str) -> None:
    with pytest.raises(StoreError, match=message):
        store.save_run(record)


def test_a_damaged_run_record_is_an_error_naming_it(store: Store) -> None:
    """A run record changed from outside fails get and list with its file's name."""
    store.save_run(_record("r1", "completed"))
    rel = "runs/default/r1.json"
    (Path(store.url) / rel).write_bytes(b"\xff not json")
    for read in (lambda: store.get_run("r1"), lambda: store.list_runs("default")):
        with pytest.raises(StoreError, match=f"is damaged: {rel} is not valid JSON"):
            read()
