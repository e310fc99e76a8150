"""A local run that fails: error records, nothing half-logged, temp files cleared; bad arguments."""

from __future__ import annotations

import os
from types import ModuleType

import pytest

import packagers
from packagers import config
from packagers.packager import Packager
from packagers.runner import ExecutorError, RunArgumentError, RunError, run
from packagers.store import StoreError, get_store


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
    assert not any(os.path.exists(path) for path in temp_paths)
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
