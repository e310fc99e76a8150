"""``packagers.map``: a parent run with one child per item, a bounded window, and resume."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import packagers
from packagers.runner import RunArgumentError
from packagers.store import get_store


@pytest.fixture
def functions(dask_client: Any) -> Any:
    """The test functions' module (importable once the session cluster put it on the path)."""
    import dask_functions

    return dask_functions


@pytest.fixture(params=["local", pytest.param("process", marks=pytest.mark.slow), "dask"])
def executor(request: pytest.FixtureRequest, functions: Any) -> Any:
    if request.param == "dask":
        from packagers.runner.dask_executor import DaskExecutor

        return DaskExecutor(client=request.getfixturevalue("dask_client"))
    return request.param


def test_a_grid_gives_a_parent_with_a_child_per_item(executor: Any, tmp_path: Path) -> None:
    store = str(tmp_path / "store")
    parent = packagers.map(
        "dask_functions:score",
        over={"x": [1, 2, 3, 4], "y": [0, 1]},
        returns=["score : result"],
        store=store,
        executor=executor,
        max_in_flight=3,
        best="max:score",
    )
    assert parent.state == "completed"
    assert len(parent.children) == 8 and {c.parent_id for c in parent.children} == {parent.id}
    assert parent.results["counts"] == {"completed": 8, "not_run": 0}
    best = next(c for c in parent.children if c.id == parent.results["best"]["run_id"])
    assert best.params == {"x": 3, "y": 1}
    saved = get_store(store).get_run(parent.id)
    assert saved["state"] == "completed" and "status" in saved["artifacts"]
    status = packagers.load(parent.artifacts["status"].uri, store=store)
    assert len(status) == 8


def test_max_errors_stops_and_resume_runs_only_what_is_left(tmp_path: Path, functions: Any) -> None:
    store = str(tmp_path / "store")
    over = [{"x": x} for x in range(6)]
    stopped = packagers.map(
        "dask_functions:fails_on",
        over=over,
        params={"bad": [1, 2]},
        returns=["x : result"],
        store=store,
        max_errors=2,
    )
    assert stopped.state == "error" and "max_errors=2" in stopped.error["message"]
    assert stopped.results["counts"] == {"completed": 1, "error": 2, "not_run": 3}
    ran_before = {c.id for c in stopped.children if c.ok}
    resumed = packagers.map(
        "dask_functions:fails_on",
        over=over,
        params={"bad": []},  # the fixed service: another identity, every item runs
        returns=["x : result"],
        store=store,
        resume=True,
    )
    assert resumed.results["counts"]["completed"] == 6 and not ran_before & {
        c.id for c in resumed.children
    }
    again = packagers.map(
        "dask_functions:fails_on",
        over=over,
        params={"bad": []},
        returns=["x : result"],
        store=store,
        resume=True,
    )
    assert {c.id for c in again.children} == {c.id for c in resumed.children}  # none ran twice


def test_resume_on_dask_reruns_only_the_failed_items(dask_client: Any, tmp_path: Path) -> None:
    from packagers.runner.dask_executor import DaskExecutor

    dask = DaskExecutor(client=dask_client)
    store = str(tmp_path / "store")
    first = packagers.map(
        "dask_functions:fails_on",
        over={"x": list(range(10))},
        params={"bad": [3, 7]},
        store=store,
        executor=dask,
        max_in_flight=2,
    )
    assert first.results["counts"] == {"completed": 8, "error": 2, "not_run": 0}
    second = packagers.map(
        "dask_functions:fails_on",
        over={"x": list(range(10))},
        params={"bad": [3, 7]},
        store=store,
        executor=dask,
        resume=True,
    )
    new = {c.id for c in second.children} - {c.id for c in first.children}
    assert len(new) == 2 and all(c.parent_id == second.id for c in second.children if c.id in new)


def test_bad_over_and_best_are_refused(tmp_path: Path, functions: Any) -> None:
    with pytest.raises(RunArgumentError, match="dict of lists"):
        packagers.map("dask_functions:score", over=3, store=str(tmp_path))  # type: ignore[arg-type]
    with pytest.raises(RunArgumentError, match="max:RESULT"):
        packagers.map("dask_functions:score", over=[{"x": 1}], best="top", store=str(tmp_path))
    with pytest.raises(RunArgumentError, match="no parameter 'z'"):
        packagers.map("dask_functions:score", over=[{"x": 1}, {"z": 1}], store=str(tmp_path))


def test_a_best_result_no_hint_logs_is_refused_before_any_item_runs(
    tmp_path: Path, functions: Any
) -> None:
    store = str(tmp_path)
    with pytest.raises(RunArgumentError, match=r"result 'scor' .*did you mean 'score'\?"):
        packagers.map(
            "dask_functions:score", over=[{"x": 1}], returns=["score"], best="max:scor", store=store
        )
    with pytest.raises(RunArgumentError, match="there are no log hints"):
        packagers.map("dask_functions:score", over=[{"x": 1}], best="max:score", store=store)
    assert not (tmp_path / "runs").exists() or not any((tmp_path / "runs").rglob("*.json"))
    itemized = packagers.map(
        "dask_functions:score", over=[{"x": 1}], returns=["*parts"], best="max:parts_0", store=store
    )
    assert itemized.state == "completed"


_KILLED_CLIENT = """
import sys
sys.path.insert(0, {here!r})
import packagers
packagers.map("dask_functions:slow_item", over={{"i": list(range(30))}},
              store={store!r}, executor="dask", executor_options={{"address": {address!r}}},
              max_in_flight=2)
"""


@pytest.mark.slow
def test_a_client_killed_mid_map_resumes_without_running_completed_items_again(
    dask_client: Any, tmp_path: Path
) -> None:
    import subprocess
    import sys
    import time

    from packagers.runner.dask_executor import DaskExecutor

    store = str(tmp_path / "store")
    here = str(Path(__file__).parent)
    code = _KILLED_CLIENT.format(here=here, store=store, address=dask_client.scheduler.address)
    client = subprocess.Popen([sys.executable, "-c", code])
    deadline = time.monotonic() + 60
    while len([r for r in _children(store) if r["state"] == "completed"]) < 4:
        assert time.monotonic() < deadline and client.poll() is None
        time.sleep(0.05)
    client.kill()
    client.wait()
    time.sleep(0.5)  # what was still running when the client died ends and saves its record
    before = {r["id"] for r in _children(store) if r["state"] == "completed"}
    parent = packagers.map(
        "dask_functions:slow_item",
        over={"i": list(range(30))},
        store=store,
        executor=DaskExecutor(client=dask_client),
        resume=True,
    )
    assert parent.results["counts"] == {"completed": 30, "not_run": 0}
    assert before <= {c.id for c in parent.children}  # completed items were not run again
    completed = [r["item"] for r in _children(store) if r["state"] == "completed"]
    assert len(completed) == len(set(completed)) == 30  # each item ran to completion once


def _children(store: str) -> list[dict[str, Any]]:
    return [r for r in get_store(store).list_runs() if r.get("parent_id")]


def test_a_map_that_fails_itself_saves_its_parent_in_error(functions: Any, tmp_path: Path) -> None:
    from packagers.runner import LocalExecutor

    class LostCluster(LocalExecutor):
        def submit_many(self, jobs: list[Any]) -> list[Any]:
            raise ConnectionError("the cluster went away")

    store = str(tmp_path / "store")
    with pytest.raises(ConnectionError):
        packagers.map(
            "dask_functions:score", over={"x": [1, 2]}, store=store, executor=LostCluster()
        )
    (parent,) = get_store(store).list_runs()
    assert parent["state"] == "error" and parent["error"]["type"] == "ConnectionError"
    with pytest.raises(RunArgumentError, match="max_errors must be an int >= 1"):
        packagers.map("dask_functions:score", over={"x": [1]}, store=store, max_errors=0)


def test_a_map_over_a_dataset_logged_in_parts_gets_a_part_per_child(
    tmp_path: Path, functions: Any
) -> None:
    store = str(tmp_path / "store")
    packagers.log({"a": [1, 2], "b": [3], "c": [4, 5, 6]}, "*parts", store=store)
    parent = packagers.map(
        "dask_functions:total", over={"part": "store://parts"}, returns=["sum"], store=store
    )
    assert parent.state == "completed"
    assert sorted(c.results["sum"] for c in parent.children) == [3, 3, 15]
    assert {c.inputs["part"]["uri"].split("@")[0] for c in parent.children} == {
        "store://default/parts_a",
        "store://default/parts_b",
        "store://default/parts_c",
    }
    packagers.log([1, 2], "single", store=store)
    with pytest.raises(RunArgumentError, match="not an itemized output"):
        packagers.map("dask_functions:total", over={"part": "store://single"}, store=store)
