"""``submit``: a handle for every executor; retries, timeouts and cancel, local and process."""

from __future__ import annotations

import time
from pathlib import Path
from types import ModuleType

import pytest

import packagers
from packagers.runner import ProcessExecutor, RunArgumentError, RunTimeoutError, run, submit
from packagers.store import get_store


def note(calls: list[int]) -> None:
    calls.append(1)


def test_local_submit_runs_at_wait(samples: ModuleType, store_url: str) -> None:
    calls: list[int] = []
    handle = packagers.submit(note, params={"calls": calls}, store=store_url)
    assert handle.state == "pending" and calls == []
    record = handle.wait()
    assert record.state == "completed" and calls == [1] and handle.done()
    assert (
        handle.wait() is record and get_store(store_url).get_run(handle.id)["state"] == "completed"
    )


def test_local_cancel_before_wait_never_runs(store_url: str) -> None:
    calls: list[int] = []
    handle = submit(note, params={"calls": calls}, store=store_url)
    assert handle.cancel() is True and handle.cancel() is False
    assert handle.wait().state == "cancelled" and calls == []
    assert get_store(store_url).get_run(handle.id)["state"] == "cancelled"


def test_local_wait_with_a_timeout_gives_up_and_the_run_goes_on(
    samples: ModuleType, store_url: str
) -> None:
    handle = submit(samples.sleeps, params={"seconds": 0.3}, returns=["n"], store=store_url)
    with pytest.raises(RunTimeoutError):
        handle.wait(timeout=0.01)
    assert handle.wait().state == "completed"


def test_local_timeout_stops_before_logging(samples: ModuleType, store_url: str) -> None:
    record = run(
        samples.sleeps,
        params={"seconds": 0.1},
        returns=["n : object"],
        store=store_url,
        timeout=0.01,
    )
    assert record.state == "timeout" and record.artifacts == {}
    assert get_store(store_url).list_artifacts() == []


def test_a_store_error_is_retried_and_kept_in_attempts(
    samples: ModuleType, store_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = get_store(store_url)
    real = store.log_packages
    failures = [ConnectionResetError("the bucket hung up")]

    def flaky_log(*args: object, **kwargs: object) -> object:
        if failures:
            raise failures.pop()
        return real(*args, **kwargs)

    monkeypatch.setattr(store, "log_packages", flaky_log)
    record = run(samples.add, params={"a": 1}, returns=["s : result"], store=store, retries=2)
    assert record.state == "completed" and record.results == {"s": 3}
    assert [a["error"]["type"] for a in record.attempts] == ["ConnectionResetError"]
    assert record.attempts[0]["attempt"] == 1


def test_a_named_exception_is_retried_others_are_not(
    samples: ModuleType, store_url: str, tmp_path: Path
) -> None:
    marker = str(tmp_path / "marker")
    assert (
        run(samples.flaky, params={"marker": marker}, store=store_url, retries=1).state == "error"
    )
    marker = str(tmp_path / "other")
    record = run(
        samples.flaky,
        params={"marker": marker},
        returns=["n"],
        store=store_url,
        retries=1,
        retry_on=["TimeoutError"],
    )
    assert record.state == "completed" and len(record.attempts) == 1


def test_bad_retry_arguments_are_refused(samples: ModuleType, store_url: str) -> None:
    with pytest.raises(RunArgumentError, match="retries"):
        run(samples.add, params={"a": 1}, store=store_url, retries=-1)
    with pytest.raises(RunArgumentError, match="retry_on"):
        run(samples.add, params={"a": 1}, store=store_url, retry_on=[3])  # type: ignore[list-item]
    with pytest.raises(RunArgumentError, match="timeout"):
        run(samples.add, params={"a": 1}, store=store_url, timeout=0)


@pytest.mark.slow
def test_process_submit_does_not_wait_and_cancel_stops_it(
    samples: ModuleType, store_url: str
) -> None:
    start = time.monotonic()
    handle = submit(
        "run_samples:sleeps",
        params={"seconds": 1.0},
        returns=["n : object"],
        store=store_url,
        executor="process",
    )
    assert time.monotonic() - start < 0.5 and not handle.done()
    time.sleep(0.5)
    assert handle.cancel() is True
    record = handle.wait()
    assert record.state == "cancelled" and record.artifacts == {}
    assert get_store(store_url).get_run(handle.id)["state"] == "cancelled"
    assert get_store(store_url).list_artifacts() == []


@pytest.mark.slow
def test_process_worker_killed_is_retried(
    samples: ModuleType, store_url: str, tmp_path: Path
) -> None:
    record = run(
        "run_samples:dies_once",
        params={"marker": str(tmp_path / "marker")},
        returns=["n : result"],
        store=store_url,
        executor="process",
        retries=1,
    )
    assert record.state == "completed" and record.results == {"n": 7}
    assert "exited with code 1" in record.attempts[0]["error"]["message"]


@pytest.mark.slow
def test_process_timeout_kills_a_busy_worker(samples: ModuleType, store_url: str) -> None:
    record = run(
        "run_samples:sleeps",
        params={"seconds": 30},
        store=store_url,
        executor=ProcessExecutor(grace=0.2),
        timeout=0.3,
    )
    assert record.state == "timeout"
    assert get_store(store_url).get_run(record.id)["state"] == "timeout"
