"""``executor="dask"``: the same run on a LocalCluster of worker processes, with S3 on moto."""

from __future__ import annotations

import json
import time
import uuid
from pathlib import Path
from typing import Any

import pytest

from packagers import PackagersManager, config
from packagers.runner import ExecutorError, RunArgumentError, run, submit
from packagers.store import Store, get_store

pytest.importorskip("distributed")

from packagers.runner.dask_executor import DaskExecutor

#: What differs between the records of one call on two executors.
_PLACE_AND_TIME = {"id", "executor", "worker", "started", "ended", "duration", "timings"}


@pytest.fixture
def dask(dask_client: Any) -> DaskExecutor:
    return DaskExecutor(client=dask_client, grace=1.0)


@pytest.fixture(params=["directory", "s3"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Store:
    if request.param == "directory":
        return get_store(str(tmp_path / "store"))
    options = request.getfixturevalue("s3_options")
    return Store(f"s3://packagers-test/{uuid.uuid4().hex}", storage_options=options)


def _comparable(record: Any, store: Store) -> dict[str, Any]:
    data = {k: v for k, v in record.to_dict().items() if k not in _PLACE_AND_TIME}
    with config.override(pickle__policy="allow"), PackagersManager() as manager:
        data["artifacts"] = {
            key: _value(manager.unpack(store.resolve(ref.uri)))
            for key, ref in record.artifacts.items()
        }
    return data


def _value(obj: Any) -> Any:
    """An object by its class name and fields: other tests re-import ``run_samples``, so two
    equal Points may belong to two copies of their class."""
    return (type(obj).__qualname__, vars(obj)) if hasattr(obj, "__dict__") else obj


def test_local_process_and_dask_give_equal_records(dask: DaskExecutor, store: Store) -> None:
    records = {
        name: run(
            "dask_functions:typed",
            params={"n": 3, "scale": 0.5},
            returns=["doubled : result", "point : object"],
            project="parity",
            store=store,
            executor=executor,
        )
        for name, executor in (("local", "local"), ("process", "process"), ("dask", dask))
    }
    assert records["dask"].state == "completed", records["dask"].error
    assert records["dask"].executor == "dask"
    assert records["dask"].worker in dask.client.scheduler_info()["workers"]
    expected = _comparable(records["local"], store)
    assert _comparable(records["process"], store) == expected
    assert _comparable(records["dask"], store) == expected
    saved = store.get_run(records["dask"].id, project="parity")
    assert saved["state"] == "completed" and saved["worker"] == records["dask"].worker


def test_credentials_never_travel(dask: DaskExecutor, s3_options: dict[str, Any]) -> None:
    store = Store(f"s3://packagers-test/{uuid.uuid4().hex}", storage_options=s3_options)
    handle = submit("dask_functions:noop", store=store, executor=dask)
    assert "secret" not in str(handle._envelope) and "'key'" not in str(handle._envelope)
    assert handle.wait().state == "completed"


def test_a_transient_failure_is_retried(dask: DaskExecutor, store: Store, tmp_path: Path) -> None:
    record = run(
        "dask_functions:flaky",
        params={"marker": str(tmp_path / "marker")},
        returns=["n : result"],
        store=store,
        executor=dask,
        retries=2,
        retry_on=(TimeoutError,),
    )
    assert record.state == "completed" and record.results == {"n": 1}
    assert [a["error"]["type"] for a in record.attempts] == ["TimeoutError"]


def test_a_user_error_is_not_retried(dask: DaskExecutor, store: Store) -> None:
    record = run(
        "dask_functions:fails_on",
        params={"x": 1, "bad": [1]},
        store=store,
        executor=dask,
        retries=3,
    )
    assert record.state == "error" and record.error is not None
    assert record.error["type"] == "ValueError" and "bad x 1" in record.error["traceback"]
    assert record.attempts == []


@pytest.mark.slow
def test_a_killed_worker_is_retried(dask: DaskExecutor, store: Store, tmp_path: Path) -> None:
    record = run(
        "dask_functions:dies_once",
        params={"marker": str(tmp_path / "marker")},
        returns=["n : result"],
        store=store,
        executor=dask,
        retries=1,
    )
    assert record.state == "completed" and record.results == {"n": 7}, record.error
    assert len(record.attempts) == 1 and "KilledWorker" in record.attempts[0]["error"]["type"]
    assert store.get_run(record.id)["attempts"] == record.attempts


def test_cancel_between_phases_logs_nothing(dask: DaskExecutor, tmp_path: Path) -> None:
    store = get_store(str(tmp_path / "store"))
    handle = submit(
        "dask_functions:sleeps",
        params={"seconds": 1.0},
        returns=["n : object"],
        store=store,
        executor=DaskExecutor(client=dask.client, grace=10),
    )
    time.sleep(0.5)
    assert handle.cancel() is True
    record = handle.wait()
    assert record.state == "cancelled" and record.artifacts == {}
    assert store.get_run(record.id)["state"] == "cancelled"
    assert store.list_artifacts() == []


@pytest.mark.slow
def test_cancel_restarts_a_worker_that_does_not_stop(dask: DaskExecutor, tmp_path: Path) -> None:
    store = get_store(str(tmp_path / "store"))
    handle = submit(
        "dask_functions:sleeps",
        params={"seconds": 60},
        store=store,
        executor=DaskExecutor(client=dask.client, grace=0.5),
    )
    time.sleep(0.5)
    start = time.monotonic()
    assert handle.cancel() is True
    assert time.monotonic() - start < 30
    assert handle.record.state == "cancelled"
    assert store.get_run(handle.id)["state"] == "cancelled"
    assert run("dask_functions:noop", store=store, executor=dask).state == "completed"


@pytest.mark.slow
def test_a_timeout_ends_the_run_timeout(dask: DaskExecutor, tmp_path: Path) -> None:
    store = get_store(str(tmp_path / "store"))
    record = run(
        "dask_functions:sleeps",
        params={"seconds": 60},
        store=store,
        executor=DaskExecutor(client=dask.client, grace=0.5),
        timeout=0.5,
    )
    assert record.state == "timeout"
    assert store.get_run(record.id)["state"] == "timeout"


def test_a_large_param_is_refused_before_submission(dask: DaskExecutor, tmp_path: Path) -> None:
    with pytest.raises(RunArgumentError, match=r"'bad'.*log large values"):
        submit(
            "dask_functions:fails_on",
            params={"x": 1, "bad": list(range(100_000))},
            store=str(tmp_path / "store"),
            executor=dask,
        )


def test_no_task_above_the_limit_reaches_the_scheduler(dask: DaskExecutor, tmp_path: Path) -> None:
    import dask_functions

    client = dask.client
    client.register_plugin(dask_functions.TaskSizes())
    store = str(tmp_path / "store")
    for size in (10, 1_000, 100_000):
        try:
            run(
                "dask_functions:fails_on",
                params={"x": 1, "bad": list(range(size))},
                store=store,
                executor=dask,
            )
        except RunArgumentError:
            assert size == 100_000
    largest, seen = client.run_on_scheduler(dask_functions.task_sizes)
    assert seen == 2
    assert largest < config.dask.envelope_limit + 4096  # the envelope plus the call around it


def test_an_unimportable_function_is_refused_before_submission(
    dask: DaskExecutor, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "only_here.py").write_text("def f() -> int:\n    return 1\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    executor = DaskExecutor(client=dask.client, shared_path=True)
    monkeypatch.setattr(executor, "_workers_local", lambda: False)  # its path is not theirs
    submitted = []
    monkeypatch.setattr(executor.client, "submit", lambda *a, **k: submitted.append(a))
    with pytest.raises(ExecutorError, match="does not load on the Dask worker"):
        submit("only_here:f", store=str(tmp_path / "store"), executor=executor)
    assert submitted == []


def test_a_local_store_is_refused_for_workers_elsewhere(
    dask: DaskExecutor, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    executor = DaskExecutor(client=dask.client)
    monkeypatch.setattr(executor, "_workers_local", lambda: False)
    with pytest.raises(RunArgumentError, match="shared_path=True"):
        submit("dask_functions:noop", store=str(tmp_path / "store"), executor=executor)


def test_import_packagers_and_other_executors_never_import_dask(tmp_path: Path) -> None:
    import subprocess
    import sys

    code = (  # every executor but dask, and the runner's modules
        "import sys, packagers; from packagers.runner import run\n"
        "from run_samples import add\n"
        "for name in ('local', 'process'):\n"
        f"    assert run('run_samples:add', params={{'a': 1}}, store={str(tmp_path)!r},"
        " executor=name).ok\n"
        "print(any(m == 'dask' or m.startswith(('dask.', 'distributed')) for m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=Path(__file__).parent,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    assert out.strip() == "False"


def test_a_registered_executor_instance_names_a_cluster(dask: DaskExecutor, tmp_path: Path) -> None:
    from packagers.runner import register_executor
    from packagers.runner.executors import _registry

    register_executor("team-cluster", DaskExecutor(client=dask.client))
    try:
        record = run("dask_functions:noop", store=str(tmp_path), executor="team-cluster")
    finally:
        del _registry["team-cluster"]
    assert record.state == "completed" and record.executor == "dask"
    assert record.worker in dask.client.scheduler_info()["workers"]


def test_a_lost_answer_after_the_run_ended_is_not_tried_again(
    dask: DaskExecutor, store: Store
) -> None:
    """Under load a worker can save its final record and still look lost to the client: the
    saved record stands; running again would overwrite a final record (which the store refuses)."""
    handle = submit("dask_functions:noop", store=store, executor=dask, retries=2)
    done = handle.wait()
    future = handle.future
    handle._final = None  # as if the answer had not arrived
    handle.settle(OSError("the worker's connection closed"))
    assert handle.future is future and handle.record.state == "completed"
    assert handle.record.id == done.id and handle.record.attempts == []


def test_a_task_the_scheduler_runs_again_returns_the_saved_record(
    dask: DaskExecutor, tmp_path: Path
) -> None:
    """Dask may run a task twice; the second run must not fail on the first one's final record."""
    from packagers.runner._worker import run_envelope

    store = Store(str(tmp_path))
    done = submit("dask_functions:noop", store=store, executor=dask).wait()
    handle = submit("dask_functions:noop", store=store, executor=dask)
    first = handle.wait()
    reply = run_envelope(json.loads(json.dumps(handle._envelope)))
    assert reply == {"record": store.final_run(first.id, project=first.project)}
    assert reply["record"]["state"] == "completed" and done.id != first.id
