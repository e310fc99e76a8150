"""The record of a local run: saved once when it ends, listed, its contents and JSON form."""

from __future__ import annotations

import json
import sys
from types import ModuleType
from typing import Any

import pytest

import packagers
from packagers import config
from packagers.runner import RunRecord, run
from packagers.store import get_store


def test_a_local_run_saves_its_record_once_when_it_ends_and_it_is_listed(
    samples: ModuleType, store_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = get_store(store_url)
    states: list[str] = []
    original = store.save_run

    def spy(record: dict[str, Any], **options: Any) -> None:
        states.append(record["state"])
        original(record, **options)

    monkeypatch.setattr(store, "save_run", spy)
    first = run(samples.add, params={"a": 1}, returns=["sum : result"], store=store, project="proj")
    second = run(samples.fails, params={"n": 1}, store=store, project="proj")
    assert states == ["completed", "error"]
    listed = {saved["id"]: saved for saved in store.list_runs(project="proj")}
    assert set(listed) == {first.id, second.id}
    assert listed[first.id]["results"] == {"sum": 3}
    assert RunRecord.from_dict(store.get_run(first.id, project="proj")) == first
    assert first.id < second.id  # ids sort by start time


def test_record_json_round_trip(samples: ModuleType, store_url: str) -> None:
    record = run(samples.decorated, params={"n": 2}, store=store_url)
    data = json.loads(json.dumps(record.to_dict()))
    assert data["artifacts"]["point"]["uri"] == record.artifacts["point"].uri
    restored = RunRecord.from_dict(data)
    assert restored == record
    assert restored.to_dict() == data
    assert RunRecord.from_dict({**data, "added_later": 1}) == record


def test_record_contents(samples: ModuleType, store_url: str) -> None:
    record = run(
        samples.generic, params={"a": 1, "b": object()}, returns=["n : result"], store=store_url
    )
    assert record.state == "completed", record.error
    assert record.results == {"n": 2}
    assert record.params["a"] == 1
    assert record.params["b"].startswith("<object object")  # recorded by repr, run with the object
    assert record.python_version == "{}.{}.{}".format(*sys.version_info[:3])
    assert record.plugins.get("packagers") == packagers.__version__
    assert record.started < (record.ended or "")
    assert record.duration is not None and record.duration >= sum(record.timings.values()) > 0
    assert set(record.timings) == {"run", "pack", "log"}
    assert record.project == config.project
