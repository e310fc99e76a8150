"""``run`` in this process: inputs by hint, outputs logged, records saved, failures recorded."""

from __future__ import annotations

import json
import os
import sys
import textwrap
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from blake3 import blake3

import packagers
from packagers import DataItem, PackagersManager, config
from packagers.packager import Packager
from packagers.runner import (
    ExecutorError,
    FunctionReferenceError,
    InputNotFoundError,
    RunArgumentError,
    RunError,
    RunRecord,
    handler,
    run,
)
from packagers.store import StoreError, get_store


def load(store_url: str, uri: str, hint: Any = None) -> Any:
    """An output read back the way a later run would read it."""
    with config.override(pickle__policy="allow"), PackagersManager() as manager:
        return manager.unpack(get_store(store_url).resolve(uri), hint)


def log_point(samples: ModuleType, store_url: str, **point: float) -> str:
    """Store a Point through a run and return its URI."""
    record = run(lambda: samples.Point(**point), returns=["point : object"], store=store_url)
    assert record.state == "completed", record.error
    return record.artifacts["point"].uri


# -- outputs ------------------------------------------------------------------------------------


def test_params_results_and_artifacts(samples: ModuleType, store_url: str) -> None:
    record = run(
        samples.split,
        params={"n": 3, "scale": 2.0},
        returns=["doubled : result", "point : object"],
        store=store_url,
    )
    assert record.state == "completed", record.error
    assert record.results == {"doubled": 6}
    assert set(record.artifacts) == {"point"}
    ref = record.artifacts["point"]
    assert ref.uri.startswith("store://")
    assert ref.manifest["object_type"] == "run_samples.Point"
    assert load(store_url, ref.uri) == samples.Point(6.0, -3)
    assert record.name == "split"
    assert record.params == {"n": 3, "scale": 2.0}
    assert record.function == "run_samples:split"
    assert record.error is None and record.logged and record.executor == "local"


def test_returns_from_handler_and_call_overrides_them(samples: ModuleType, store_url: str) -> None:
    from_handler = run(samples.decorated, params={"n": 4}, store=store_url)
    assert from_handler.results == {"total": 4}
    assert set(from_handler.artifacts) == {"point"}
    with pytest.warns(packagers.PackagersWarning, match="no log hint"):
        overridden = run(
            samples.decorated, params={"n": 4}, returns=["only : result"], store=store_url
        )
    assert overridden.results == {"only": 4}
    assert overridden.artifacts == {}


def test_handler_leaves_the_function_as_it_was(samples: ModuleType) -> None:
    assert samples.decorated(2) == (2, samples.Point(2, -2))
    assert samples.bare(5) == 5
    assert samples.decorated.__name__ == "decorated"
    assert [str(h) for h in samples.decorated.__packagers_returns__] == [
        "total : result",
        "point : object",
    ]
    assert samples.bare.__packagers_returns__ == ()


def test_a_bad_handler_hint_fails_at_decoration() -> None:
    with pytest.raises(packagers.LogHintError, match="position"):

        @handler(returns=["a b"])
        def f() -> int:
            return 1


def test_tuple_returns_with_auto_pack(samples: ModuleType, store_url: str) -> None:
    with config.override(auto_pack_outputs=True):
        record = run(samples.split, params={"n": 1}, returns=["n2 : result"], store=store_url)
    assert record.results == {"n2": 2}
    assert set(record.artifacts) == {"split-artifact-1"}


def test_pack_tuples_logs_the_tuple_as_one_output(samples: ModuleType, store_url: str) -> None:
    with config.override(pack_tuples=True):
        record = run(samples.split, params={"n": 1}, returns=["both : object"], store=store_url)
    assert set(record.artifacts) == {"both"}
    assert load(store_url, record.artifacts["both"].uri) == (2, samples.Point(1.0, -1))


def test_unmatched_outputs_warn_and_are_not_logged(samples: ModuleType, store_url: str) -> None:
    with pytest.warns(packagers.PackagersWarning, match="no log hint"):
        record = run(samples.split, params={"n": 1}, returns=["n2 : result"], store=store_url)
    assert record.results == {"n2": 2} and record.artifacts == {}


# -- inputs -------------------------------------------------------------------------------------


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


# -- failures -----------------------------------------------------------------------------------


@pytest.fixture
def temp_paths(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every temporary path a packager asks for during the test."""
    created: list[str] = []
    original = Packager.temp_path

    def spy(self: Packager, key: str, suffix: str) -> str:
        path = original(self, key, suffix)
        created.append(path)
        return path

    monkeypatch.setattr(Packager, "temp_path", spy)
    return created


def test_a_failing_function_gives_an_error_record(samples: ModuleType, store_url: str) -> None:
    record = run(samples.fails, params={"n": 7}, returns=["x : result"], store=store_url)
    assert record.state == "error"
    assert record.error is not None
    assert record.error["type"] == "ValueError"
    assert record.error["message"] == "bad n 7"
    assert 'raise ValueError(f"bad n {n}")' in record.error["traceback"]
    assert record.results == {} and record.artifacts == {}
    saved = get_store(store_url).get_run(record.id, project=record.project)
    assert saved["state"] == "error" and saved["error"]["message"] == "bad n 7"


def test_a_packing_failure_logs_nothing_and_clears_temp_files(
    samples: ModuleType, store_url: str, temp_paths: list[str]
) -> None:
    record = run(
        samples.unpackable,
        params={"n": 1},
        returns=["first : object", "second : result"],
        store=store_url,
    )
    assert record.state == "error"
    assert record.error is not None and record.error["type"] == "packagers.PackingError"
    assert record.artifacts == {} and record.results == {}
    assert temp_paths, "the first output was packed to a temporary file"
    for path in temp_paths:
        assert not os.path.exists(path)
        assert not os.path.exists(os.path.dirname(path))
    with pytest.raises(StoreError):
        get_store(store_url).resolve(f"store://{record.project}/first")


def test_temp_files_are_cleared_after_a_successful_run(
    samples: ModuleType, store_url: str, temp_paths: list[str]
) -> None:
    record = run(samples.decorated, params={"n": 1}, store=store_url)
    assert record.state == "completed"
    assert temp_paths and not any(os.path.exists(path) for path in temp_paths)


def test_keyboard_interrupt_is_recorded_then_raised(store_url: str) -> None:
    def interrupted() -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run(interrupted, store=store_url)
    (saved,) = get_store(store_url).list_runs(project=config.project)
    assert saved["state"] == "error" and saved["error"]["type"] == "KeyboardInterrupt"


# -- bad arguments ------------------------------------------------------------------------------


def test_unknown_input_name_names_the_parameters(samples: ModuleType, store_url: str) -> None:
    with pytest.raises(RunArgumentError, match=r"no parameter 'pont'.*parameters: point$"):
        run(samples.norm, inputs={"pont": "x.pkl"}, store=store_url)
    with pytest.raises(RunArgumentError, match=r"'c' \(given as param\).*parameters: a, b"):
        run(samples.add, params={"a": 1, "c": 2}, store=store_url)
    with pytest.raises(RunArgumentError, match="both as input and as param"):
        run(samples.add, inputs={"a": "x"}, params={"a": 1}, store=store_url)
    record = run(samples.generic, params={"anything": 1}, returns=["n : result"], store=store_url)
    assert record.results == {"n": 1}
    assert issubclass(RunArgumentError, RunError)
    assert issubclass(RunError, packagers.PackagersError)


def test_bad_input_values_and_returns(samples: ModuleType, store_url: str) -> None:
    with pytest.raises(RunArgumentError, match="through params"):
        run(samples.norm, inputs={"point": samples.Point(1, 2)}, store=store_url)
    with pytest.raises(RunArgumentError, match="list of log hints"):
        run(samples.add, params={"a": 1}, returns=3, store=store_url)  # type: ignore[arg-type]


def test_unknown_executor_lists_the_known_ones(samples: ModuleType, store_url: str) -> None:
    with pytest.raises(ExecutorError, match="known executors: dask, local, process"):
        run(samples.add, params={"a": 1}, executor="cluster", store=store_url)


# -- function references ------------------------------------------------------------------------


def test_module_function_reference(samples: ModuleType, store_url: str) -> None:
    record = run("run_samples:add", params={"a": 1}, returns=["sum : result"], store=store_url)
    assert record.results == {"sum": 3}
    assert record.function == "run_samples:add"
    dotted = run(
        "run_samples:Tools.triple", params={"n": 2}, returns=["t : result"], store=store_url
    )
    assert dotted.results == {"t": 6}


def test_script_reference(tmp_path: Path, store_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "helper_for_script.py").write_text("FACTOR = 10\n")
    script = tmp_path / "job.py"
    script.write_text(
        textwrap.dedent(
            """
            from helper_for_script import FACTOR

            def scale(n: int) -> int:
                return n * FACTOR
            """
        )
    )
    monkeypatch.chdir(tmp_path)
    try:
        record = run("job.py:scale", params={"n": 4}, returns=["scaled : result"], store=store_url)
        again = run(
            f"{script}:scale", params={"n": 5}, returns=["scaled : result"], store=store_url
        )
    finally:
        sys.modules.pop("helper_for_script", None)
    assert record.results == {"scaled": 40}
    assert again.results == {"scaled": 50}
    assert record.function == f"{script}:scale"
    assert str(tmp_path) not in sys.path  # the script's directory was importable only while loading


@pytest.mark.parametrize(
    ("reference", "message"),
    [
        ("no_colon", "expected 'module:function'"),
        ("run_samples:", "expected 'module:function'"),
        ("not a module:f", "neither a module name nor a path"),
        ("surely_missing_module_xyz:f", "importing module 'surely_missing_module_xyz' failed"),
        ("run_samples:nope", "has no attribute 'nope'"),
        ("run_samples:os", "not a function"),
        ("missing/script.py:f", "does not exist"),
    ],
)
def test_bad_references(samples: ModuleType, reference: str, message: str) -> None:
    with pytest.raises(FunctionReferenceError, match=message):
        run(reference)


def test_a_script_that_fails_to_load(tmp_path: Path) -> None:
    script = tmp_path / "broken.py"
    script.write_text("raise RuntimeError('no')\n")
    with pytest.raises(FunctionReferenceError, match="RuntimeError: no"):
        run(f"{script}:f")


# -- records ------------------------------------------------------------------------------------


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


# -- settings and workers -----------------------------------------------------------------------


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


@pytest.mark.parametrize(
    ("environment", "logging_worker", "logged"),
    [
        ({}, 0, True),
        ({"RANK": "1"}, 0, False),
        ({"RANK": "1"}, 1, True),
        ({"OMPI_COMM_WORLD_RANK": "2"}, 0, False),
        ({"PMI_RANK": "0"}, 0, True),
        ({"RANK": "3", "PMI_RANK": "0"}, 0, False),  # the first variable set wins
    ],
)
def test_only_the_logging_worker_logs(
    samples: ModuleType,
    store_url: str,
    monkeypatch: pytest.MonkeyPatch,
    environment: dict[str, str],
    logging_worker: int,
    logged: bool,
) -> None:
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    with config.override(logging_worker=logging_worker):
        record = run(samples.decorated, params={"n": 1}, store=store_url)
    assert record.state == "completed"
    assert record.logged is logged
    assert bool(record.artifacts) is logged and bool(record.results) is logged
    saved = [r["id"] for r in get_store(store_url).list_runs(project=record.project)]
    assert saved == ([record.id] if logged else [])


@pytest.mark.parametrize(
    ("variable", "value", "problem"),
    [
        ("RANK", "first", "RANK='first' is not an integer"),
        ("RANK", "-1", "RANK='-1' is negative"),
        ("OMPI_COMM_WORLD_RANK", "-2", "OMPI_COMM_WORLD_RANK='-2' is negative"),
    ],
)
def test_a_bad_rank_variable(
    samples: ModuleType,
    store_url: str,
    monkeypatch: pytest.MonkeyPatch,
    variable: str,
    value: str,
    problem: str,
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(RunError, match=problem):
        run(samples.add, params={"a": 1}, store=store_url)


def test_store_from_settings(samples: ModuleType, store_url: str) -> None:
    with config.override(store__url=store_url, project="from-settings"):
        record = run(samples.add, params={"a": 1}, returns=["sum : result"])
    assert record.project == "from-settings"
    assert [r["id"] for r in get_store(store_url).list_runs(project="from-settings")] == [record.id]
