"""``executor="process"``: the same run in a fresh process that receives only JSON."""

from __future__ import annotations

import textwrap
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from packagers import LogHint, PackagersError, PackagersManager, config
from packagers.runner import (
    Executor,
    ExecutorError,
    FunctionReferenceError,
    RunArgumentError,
    RunRecord,
    get_executor,
    register_executor,
    run,
)
from packagers.runner.executors import LocalExecutor, _registry
from packagers.runner.handler import hint_from_json, hint_to_json
from packagers.store import get_store


def load(store_url: str, uri: str) -> Any:
    with config.override(pickle__policy="allow"), PackagersManager() as manager:
        return manager.unpack(get_store(store_url).resolve(uri))


def outputs(store_url: str, record: RunRecord) -> dict[str, Any]:
    loaded = {key: load(store_url, ref.uri) for key, ref in record.artifacts.items()}
    return {**record.results, **loaded}


def test_process_gives_the_same_outputs_as_local(samples: ModuleType, store_url: str) -> None:
    uri = (
        run(lambda: samples.Point(1, 2), returns=["point : object"], store=store_url)
        .artifacts["point"]
        .uri
    )
    records = {}
    for executor in ("local", "process"):
        with config.override(pickle__policy="allow"):
            records[executor] = run(
                "run_samples:split" if executor == "process" else samples.split,
                params={"n": 3, "scale": 0.5},
                returns=["doubled : result", "point : object"],
                project=f"parity-{executor}",
                store=store_url,
                executor=executor,
            )
    local, process = records["local"], records["process"]
    assert process.state == "completed", process.error
    assert process.executor == "process" and local.executor == "local"
    assert outputs(store_url, local) == outputs(store_url, process)
    assert process.artifacts["point"].uri.startswith("store://parity-process/")
    saved = get_store(store_url).get_run(process.id, project="parity-process")
    assert RunRecord.from_dict(saved) == process
    with config.override(pickle__policy="allow"):
        typed = run(
            samples.norm,
            inputs={"point": uri},
            returns=["n : result"],
            store=store_url,
            executor="process",
        )
    assert typed.results == {"n": 3}, typed.error


def test_process_uses_handler_hints_and_the_settings_in_effect(
    samples: ModuleType, store_url: str
) -> None:
    with config.override(auto_pack_outputs=True, auto_pack_key="out"):
        record = run(samples.split, params={"n": 1}, store=store_url, executor="process")
        handled = run(samples.decorated, params={"n": 2}, store=store_url, executor="process")
    assert record.state == "completed", record.error
    assert {*record.results, *record.artifacts} == {"split-out-0", "split-out-1"}
    assert handled.results == {"total": 2} and set(handled.artifacts) == {"point"}


def test_a_failing_function_in_a_process(samples: ModuleType, store_url: str) -> None:
    record = run(samples.fails, params={"n": 2}, store=store_url, executor="process")
    assert record.state == "error"
    assert record.error is not None and record.error["type"] == "ValueError"
    assert "bad n 2" in record.error["traceback"]
    assert get_store(store_url).get_run(record.id, project=record.project)["state"] == "error"


def test_a_crashing_worker_still_ends_its_record(samples: ModuleType, store_url: str) -> None:
    record = run(samples.crash, params={"code": 3}, store=store_url, executor="process")
    assert record.state == "error"
    assert record.error is not None and "exited with code 3" in record.error["message"]
    saved = get_store(store_url).get_run(record.id, project=record.project)
    assert saved["state"] == "error" and saved["ended"]
    # The worker announced the run before it died; the parent's final record replaces that.
    runs = sorted(path.name for path in (Path(store_url) / "runs" / record.project).iterdir())
    assert runs == [f"{record.id}.json"]


def test_a_bad_project_is_refused_before_the_function_runs(
    samples: ModuleType, store_url: str, tmp_path: Path
) -> None:
    marker = tmp_path / "ran"
    with pytest.raises(RunArgumentError, match="invalid project 'bad/project'"):
        run(samples.touch, params={"path": str(marker)}, project="bad/project", store=store_url)
    assert not marker.exists()


def test_script_in_a_process(tmp_path: Path, store_url: str) -> None:
    script = tmp_path / "proc_job.py"
    script.write_text(
        textwrap.dedent(
            """
            def area(w: float, h: float) -> float:
                return w * h
            """
        )
    )
    record = run(
        f"{script}:area",
        params={"w": 2.0, "h": 3.0},
        returns=["area : result"],
        store=store_url,
        executor="process",
    )
    assert record.results == {"area": 6.0}, record.error
    assert record.function == f"{script}:area"


def test_functions_that_cannot_cross_a_process_are_refused(
    samples: ModuleType, store_url: str
) -> None:
    def closure(n: int = 0) -> int:
        return n

    main = lambda: 1  # noqa: E731
    main.__module__ = "__main__"
    main.__qualname__ = "main"
    for fn, message in [
        (lambda n=0: n, "lambda"),
        (closure, "closure"),
        (main, "__main__"),
    ]:
        with pytest.raises(FunctionReferenceError, match=message):
            run(fn, store=store_url, executor="process")


def test_what_json_cannot_carry_is_refused(samples: ModuleType, store_url: str) -> None:
    with pytest.raises(RunArgumentError, match="param 'b'"):
        run(samples.add, params={"a": 1, "b": (1, 2)}, store=store_url, executor="process")
    with pytest.raises(RunArgumentError, match="param 'b'"):
        run(samples.add, params={"a": 1, "b": object()}, store=store_url, executor="process")
    with pytest.raises(RunArgumentError, match="cannot reach it"):
        run(samples.add, params={"a": 1}, store="memory://runs", executor="process")
    hint = LogHint("t", packing_kwargs={"shape": (1, 2)}, labels={"a": "b"})
    with pytest.raises(RunArgumentError, match="JSON cannot carry"):
        run(samples.add, params={"a": 1}, returns=[hint], store=store_url, executor="process")


@pytest.mark.parametrize("value", [(1, 2), object(), float("nan"), {1: "int key"}])
def test_a_log_hint_json_cannot_carry_unchanged_is_refused(value: object) -> None:
    with pytest.raises(RunArgumentError, match="JSON cannot carry"):
        hint_to_json(LogHint("t", packing_kwargs={"v": value}, labels={"a": "b"}))


@pytest.mark.parametrize(
    "hint",
    [
        LogHint("a"),
        LogHint("a", artifact_type="file", itemized=2, packing_kwargs={"shape": (1, 2)}),
        LogHint("m", artifact_type="model", tag="v1", labels={"x": "y"}, metrics={"acc": ...}),
        LogHint("d", extra_data={"plot": ..., "text": "..."}, packing_kwargs={"n": [1]}),
    ],
)
def test_log_hints_travel_as_json(hint: LogHint) -> None:
    import json

    assert hint_from_json(json.loads(json.dumps(hint_to_json(hint)))) == hint


def test_executors_are_an_extension_point(samples: ModuleType, store_url: str) -> None:
    calls: list[str] = []

    class Recording(LocalExecutor):
        def execute(self, job: Any) -> RunRecord:
            calls.append(job.info.name)
            return super().execute(job)

    register_executor("recording", Recording)
    try:
        record = run(samples.add, params={"a": 1}, store=store_url, executor="recording")
        assert isinstance(get_executor("recording"), Executor)
    finally:
        del _registry["recording"]
    assert calls == ["add"] and record.executor == "recording"
    with pytest.raises(ExecutorError, match="neither an Executor subclass nor an instance"):
        register_executor("bad", object)  # type: ignore[arg-type]


def test_registering_leaves_the_executor_class_as_it_was(
    samples: ModuleType, store_url: str
) -> None:
    class Mine(LocalExecutor):
        pass

    register_executor("mine", Mine)
    register_executor("here", LocalExecutor)  # a second name for a built-in class
    try:
        assert Mine.name == "local" and LocalExecutor.name == "local"
        assert get_executor("mine").name == "mine" and get_executor("here").name == "here"
        records = [
            run(samples.add, params={"a": 1}, store=store_url, executor=name)
            for name in ("here", "local", "mine")
        ]
    finally:
        del _registry["mine"], _registry["here"]
    assert [record.executor for record in records] == ["here", "local", "mine"]
    assert get_executor("local").name == "local"


def test_a_function_the_worker_cannot_import(
    store_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys
    import types

    module = types.ModuleType("only_in_this_process")
    exec("def answer() -> int:\n    return 42\n", module.__dict__)
    monkeypatch.setitem(sys.modules, "only_in_this_process", module)
    record = run(module.answer, store=store_url, executor="process")
    assert record.state == "error"
    assert record.error is not None and record.error["type"].endswith("FunctionReferenceError")
    assert "only_in_this_process" in record.error["message"]
    saved = get_store(store_url).get_run(record.id, project=record.project)
    assert saved["state"] == "error" and saved["ended"]


@pytest.mark.parametrize("executor", ["local", "process"])
def test_custom_packagers_registered_in_code_reach_the_worker(
    samples: ModuleType, store_url: str, executor: str
) -> None:
    from packagers import add_custom_packager

    add_custom_packager("run_samples.PointPackager")  # the root conftest forgets it afterwards
    record = run(
        samples.split,
        params={"n": 2},
        returns=["n2 : result", "point"],
        store=store_url,
        executor=executor,
    )
    assert record.state == "completed", record.error
    manifest = record.artifacts["point"].manifest
    assert manifest["packager"] == "run_samples.PointPackager"
    assert manifest["plugin"] == "custom" and manifest["format"] == "json"
    assert load(store_url, record.artifacts["point"].uri) == samples.Point(2.0, -2)


def test_a_custom_packager_the_worker_cannot_import(
    samples: ModuleType, store_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys
    import types

    from packagers import add_custom_packager

    module = types.ModuleType("packager_only_here")
    module.PointPackager = type("PointPackager", (samples.PointPackager,), {})  # type: ignore[attr-defined]
    module.PointPackager.__module__ = "packager_only_here"
    monkeypatch.setitem(sys.modules, "packager_only_here", module)
    add_custom_packager(module.PointPackager)
    record = run(samples.split, params={"n": 1}, store=store_url, executor="process")
    assert record.state == "error"
    assert record.error is not None and "packager_only_here" in record.error["message"]


def test_the_worker_signs_pickles_with_the_parents_signing_key(
    samples: ModuleType, store_url: str
) -> None:
    """The key travels in the envelope (shown settings hide it), so what the worker pickles is
    signed: a reader with the key loads it, a reader with another key refuses it."""
    with config.override(pickle__signing_key="s3cret", pickle__policy="allow"):
        record = run(
            "run_samples:split",
            params={"n": 1},
            returns=["n", "point : object"],
            store=store_url,
            executor="process",
        )
        assert record.state == "completed", record.error
        uri = record.artifacts["point"].uri
        assert load(store_url, uri) == samples.Point(1, -1)
        assert get_store(store_url).resolve(uri).manifest["instructions"]["signature"]
    with config.override(pickle__signing_key="another"), pytest.raises(PackagersError):
        load(store_url, uri)
