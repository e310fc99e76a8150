"""The benchmark harness: both sides timed in turn on one setup, nothing left behind unnoticed."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import harness


def _recording_case(**fields: Any) -> tuple[harness.Case, list[str], list[Any]]:
    calls: list[str] = []
    data_seen: list[Any] = []
    setups: list[object] = []

    def setup() -> object:
        setups.append(object())
        return setups[-1]

    def side(name: str) -> Any:
        def call(data: Any) -> None:
            calls.append(name)
            data_seen.append(data)

        return call

    case = harness.Case("recorded", ours=side("ours"), raw=side("raw"), setup=setup, **fields)
    return case, calls, data_seen


def test_both_sides_are_timed_in_turn_on_one_setup(monkeypatch):
    monkeypatch.setattr(harness, "_MIN_SAMPLING_SECONDS", 0.0)
    case, calls, data_seen = _recording_case(repeat=4)
    measured = harness._time_both(case)
    assert calls[:2] == ["ours", "raw"]  # the warm-up
    assert calls[2:] == ["ours", "raw", "raw", "ours"] * 2
    assert len({id(data) for data in data_seen}) == 1
    assert set(measured) == {"ours", "raw"}
    assert all(seconds >= 0 for seconds in measured.values())


def test_short_calls_are_sampled_for_a_minimum_time_and_inner_calls_divided(monkeypatch):
    monkeypatch.setattr(harness, "_MIN_SAMPLING_SECONDS", 0.01)
    case, calls, _ = _recording_case(repeat=1, inner=3)
    harness._time_both(case)
    # each sample makes `inner` calls; many samples, since each lasts microseconds
    assert calls.count("ours") == calls.count("raw")
    assert calls.count("ours") > 3 * 2
    assert calls.count("ours") % 3 == 1  # the warm-up is one call


def test_a_measured_slack_is_taken_in_the_timing_process(monkeypatch):
    monkeypatch.setattr(harness, "_MIN_SAMPLING_SECONDS", 0.0)
    case, _, _ = _recording_case(repeat=1, measured_slack=lambda data: 0.25)
    assert harness._time_both(case)["slack_seconds"] == 0.25


def test_a_peak_is_of_one_side_alone(monkeypatch):
    monkeypatch.setattr(harness, "_MIN_SAMPLING_SECONDS", 0.0)
    case, calls, _ = _recording_case(repeat=3)
    measured = harness._peak(case, "raw")
    assert calls == ["raw"] * 4  # the warm-up and three calls
    assert measured["peak_mb"] >= 0


@pytest.mark.slow
def test_a_case_is_measured_in_fresh_processes_that_leave_nothing(tmp_path, monkeypatch):
    """A real case of the quick set, each measure in a child process with its own TMPDIR."""
    name = "stdlib: pack int result (per call)"
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    ours, raw, left = harness._measure_case(name, quick=True)
    assert ours["median"] > 0 and raw["median"] > 0
    assert "peak_mb" in ours and "peak_mb" in raw
    assert left == []
    assert list(tmp_path.iterdir()) == []


def test_a_measuring_process_writes_on_disk_in_the_folder_the_harness_gave_it(monkeypatch):
    monkeypatch.setenv(harness._DISK_ENV, "/var/tmp/packagers-bench-side-x")
    assert harness.disk_dir() == "/var/tmp/packagers-bench-side-x"
    monkeypatch.delenv(harness._DISK_ENV)
    assert harness.disk_dir() == tempfile.gettempdir()
