"""Project runs: one record per run, always final, with its cause, output and typed params."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest

from packagers.projects import ProjectParameterError, run
from packagers.runner import RunTimeoutError
from packagers.store import Store

_PROJECT = """\
name: demo
entry_points:
  main:
    parameters:
      alpha: {type: float, default: 0.1}
      data: path
      words: {type: string, default: "two words"}
    command: "echo alpha={alpha} data={data} words={words} && echo to-stderr >&2"
  fail:
    command: "echo broken >&2; exit 3"
  missing:
    command: "no-such-program-here"
  sleep:
    command: "sleep 60"
  train:
    handler: train.py:fit
    parameters: {numbers: store, epochs: {type: int, default: 2}}
    returns: ["accuracy", "model : object"]
"""

_TRAIN = """\
def fit(numbers: list, epochs: int, scale: float = 1.0):
    print("fitting", epochs, scale)
    return sum(numbers) * epochs * scale, {"weights": numbers, "epochs": epochs}
"""


@pytest.fixture
def project(make_project: Callable[..., Path]) -> Path:
    return make_project("demo", MLproject=_PROJECT, **{"train.py": _TRAIN, "data.csv": "x"})


def _text(store: Store, uri: str) -> str:
    return Path(store.resolve(uri).local()).read_text()


def test_a_command_run_records_everything(project: Path, store_url: str) -> None:
    handle = run(
        project,
        params={"data": str(project / "data.csv"), "alpha": "0.5"},
        store=store_url,
        synchronous=False,
        parent_id="parent-1",
    )
    record = handle.wait(timeout=30)
    assert record.state == "completed", record.error
    assert record.params == {"alpha": 0.5, "data": str(project / "data.csv"), "words": "two words"}
    assert record.parent_id == "parent-1"
    details = record.project_run
    assert details is not None
    assert details["command"] == (
        f"echo alpha=0.5 data={project / 'data.csv'} words='two words' && echo to-stderr >&2"
    )
    assert details["entry_point"] == "main" and details["exit_code"] == 0
    assert details["uri"] == str(project) and details["environment"]["manager"] == "local"
    store = Store(store_url)
    assert _text(store, record.artifacts["stdout"].uri) == (
        f"alpha=0.5 data={project / 'data.csv'} words=two words\n"
    )
    assert _text(store, record.artifacts["stderr"].uri) == "to-stderr\n"
    assert store.get_run(record.id) == record.to_dict()


def test_a_synchronous_run_echoes_its_output(
    project: Path,
    store_url: str,
    capfd: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(project)  # a relative path is the caller's
    record = run(".", params={"data": "data.csv"}, store=store_url).record
    assert record.state == "completed"
    assert record.params["data"] == str(project / "data.csv")
    out, err = capfd.readouterr()
    assert f"data={project / 'data.csv'}" in out and "to-stderr" in err


def test_parameter_errors_leave_no_record(project: Path, store_url: str) -> None:
    with pytest.raises(ProjectParameterError, match=r"'alpha' \(float\) = 'abc' is not a number"):
        run(project, params={"data": str(project / "data.csv"), "alpha": "abc"}, store=store_url)
    assert Store(store_url).list_runs() == []


def test_a_failing_command_is_an_error_with_its_cause(project: Path, store_url: str) -> None:
    record = run(project, "fail", store=store_url).record
    assert record.state == "error"
    assert record.error is not None
    assert record.error["message"] == "the command exited with code 3; its last error line: broken"
    assert record.project_run is not None and record.project_run["exit_code"] == 3
    assert _text(Store(store_url), record.artifacts["stderr"].uri) == "broken\n"


def test_a_command_that_is_not_found_is_an_error(project: Path, store_url: str) -> None:
    record = run(project, "missing", store=store_url).record
    assert record.state == "error" and record.project_run is not None
    assert record.project_run["exit_code"] == 127
    assert record.error is not None and "not found" in record.error["message"]


def test_a_process_that_cannot_start_is_recorded_with_its_cause(
    project: Path, store_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))  # no bash to start
    handle = run(project, "fail", store=store_url)
    record = handle.record
    assert handle.done() and record.state == "error"
    assert record.error is not None
    assert record.error["type"] == "packagers.projects.errors.ProjectRunError"
    assert "could not start" in record.error["message"] and "bash" in record.error["message"]
    assert Store(store_url).get_run(record.id)["state"] == "error"
    assert set(record.artifacts) == {"stdout", "stderr"}


def test_cancel_stops_the_whole_process_group(project: Path, store_url: str) -> None:
    handle = run(project, "sleep", store=store_url, synchronous=False)
    assert Store(store_url).get_run(handle.id)["state"] == "running"
    with pytest.raises(RunTimeoutError):
        handle.wait(timeout=0.1)
    start = time.perf_counter()
    assert handle.cancel() is True
    assert time.perf_counter() - start < 5
    record = handle.wait()
    assert record.state == "cancelled"
    assert record.project_run is not None and record.project_run["signal"] == "SIGTERM"
    assert Store(store_url).get_run(handle.id)["state"] == "cancelled"
    assert handle.cancel() is False


def test_a_handler_entry_point_logs_typed_outputs(project: Path, store_url: str) -> None:
    from packagers import config
    from packagers.manager import PackagersManager
    from packagers.runner import run as run_function

    def numbers() -> list[int]:
        return [1, 2, 3]

    store = Store(store_url)
    run_function(numbers, returns=["numbers : object"], store=store)
    record = run(
        project, "train", params={"numbers": "store://numbers", "scale": "0.5"}, store=store
    ).record
    assert record.state == "completed", record.error
    assert record.function == f"{project / 'train.py'}:fit"
    assert record.results == {"accuracy": 6.0}
    assert record.params == {"epochs": 2, "scale": 0.5}  # scale typed by its hint
    assert record.inputs["numbers"]["uri"] == "store://numbers"
    assert record.project_run is not None and record.project_run["entry_point"] == "train"
    with config.override(pickle__policy="allow"), PackagersManager() as manager:
        model = manager.unpack(store.resolve(record.artifacts["model"].uri), dict)
    assert model == {"weights": [1, 2, 3], "epochs": 2}
    assert _text(store, record.artifacts["stdout"].uri) == "fitting 2 0.5\n"
    assert store.get_run(record.id)["state"] == "completed"
