"""A local run's inputs: store URIs and paths unpacked by hint, DataItems when not, missing ones."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from blake3 import blake3

from packagers import DataItem, config
from packagers.runner import InputNotFoundError, run
from packagers.store import get_store


def log_point(samples: ModuleType, store_url: str, **point: float) -> str:
    """Store a Point through a run and return its URI."""
    record = run(lambda: samples.Point(**point), returns=["point : object"], store=store_url)
    assert record.state == "completed", record.error
    return record.artifacts["point"].uri


def test_store_input_unpacked_by_its_hint(samples: ModuleType, store_url: str) -> None:
    uri = log_point(samples, store_url, x=1, y=2)
    with config.override(pickle__policy="allow"):
        record = run(
            samples.norm, inputs={"point": uri}, returns=["norm : result"], store=store_url
        )
    assert record.state == "completed", record.error
    assert record.results == {"norm": 3}
    digest = get_store(store_url).resolve(uri).manifest["digest"]
    assert record.inputs == {"point": {"uri": uri, "digest": digest}}
    latest = uri.partition("@")[0]
    with config.override(pickle__policy="allow"):
        record = run(
            samples.norm, inputs={"point": latest}, returns=["n : result"], store=store_url
        )
    assert record.inputs == {"point": {"uri": latest, "resolved": uri, "digest": digest}}


def test_union_hint_and_params_together(samples: ModuleType, store_url: str) -> None:
    uri = log_point(samples, store_url, x=2, y=2)
    with config.override(pickle__policy="allow"):
        record = run(
            samples.norm_or_zero,
            inputs={"point": uri},
            params={"offset": 0.5},
            returns=["norm : result"],
            store=store_url,
        )
    assert record.results == {"norm": 4.5}


def test_local_path_input(samples: ModuleType, store_url: str, tmp_path: Path) -> None:
    path = tmp_path / "table.csv"
    path.write_text("a,b\n1,2\n")
    record = run(
        samples.describe, inputs={"data": path}, returns=["name : result"], store=store_url
    )
    assert record.results == {"name": "table.csv"}
    digest = "blake3:" + blake3(b"a,b\n1,2\n").hexdigest()
    assert record.inputs == {"data": {"uri": str(path), "digest": digest}}
    assert path.exists()  # a user's own file is never deleted


def test_a_relative_input_path_is_recorded_absolute(
    samples: ModuleType, store_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "table.csv").write_text("a\n1\n")
    monkeypatch.chdir(tmp_path)
    record = run(samples.describe, inputs={"data": "table.csv"}, store=store_url)
    assert record.inputs["data"]["uri"] == str(tmp_path / "table.csv")


def test_unhinted_input_is_a_data_item_unless_auto_unpack(
    samples: ModuleType, store_url: str
) -> None:
    uri = log_point(samples, store_url, x=0, y=1)
    record = run(samples.untyped, inputs={"data": uri}, returns=["kind : result"], store=store_url)
    assert record.results["kind"].endswith("DataItem")
    with config.override(auto_unpack_inputs=True, pickle__policy="allow"):
        record = run(
            samples.untyped, inputs={"data": uri}, returns=["kind : result"], store=store_url
        )
    assert record.results == {"kind": "Point"}


def test_stdlib_inputs_by_hint(store_url: str) -> None:
    pytest.importorskip("packagers_stdlib")

    def produce() -> tuple[dict[str, int], list[int]]:
        return {"a": 1}, [1, 2, 3]

    def consume(mapping: dict, items: list) -> int:
        return mapping["a"] + sum(items)

    produced = run(produce, returns=["mapping : file", "items : file"], store=store_url)
    assert produced.state == "completed", produced.error
    record = run(
        consume,
        inputs={key: ref.uri for key, ref in produced.artifacts.items()},
        returns=["total : result"],
        store=store_url,
    )
    assert record.results == {"total": 7}, record.error


def test_numpy_inputs_by_hint(store_url: str) -> None:
    pytest.importorskip("packagers_numpy")
    np = pytest.importorskip("numpy")

    def produce() -> Any:
        return np.arange(6).reshape(2, 3)

    def consume(array: np.ndarray) -> int:
        return int(array.sum())

    consume.__annotations__["array"] = np.ndarray  # `np` is local: the string would not resolve

    produced = run(produce, returns=["array : file"], store=store_url)
    assert produced.state == "completed", produced.error
    record = run(
        consume,
        inputs={"array": produced.artifacts["array"].uri},
        returns=["s : result"],
        store=store_url,
    )
    assert record.results == {"s": 15}, record.error


def test_a_missing_input_is_refused_before_the_run(
    samples: ModuleType, store_url: str, tmp_path: Path
) -> None:
    with pytest.raises(InputNotFoundError, match="missing.pkl"):
        run(samples.norm, inputs={"point": tmp_path / "missing.pkl"}, store=store_url)
    assert get_store(store_url).list_runs() == []


def test_disabled_passes_data_items_and_logs_nothing(samples: ModuleType, store_url: str) -> None:
    uri = log_point(samples, store_url, x=1, y=1)
    seen: list[Any] = []

    def typed(point: dict) -> dict:
        seen.append(point)
        return {"logged": False}

    with config.override(enabled=False):
        record = run(typed, inputs={"point": uri}, returns=["out : object"], store=store_url)
    assert record.state == "completed", record.error
    assert isinstance(seen[0], DataItem) and seen[0].manifest is not None
    assert record.results == {} and record.artifacts == {} and record.plugins == {}
    assert get_store(store_url).get_run(record.id, project=record.project)["state"] == "completed"
