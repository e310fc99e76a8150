"""A project run's captured output: copied whole, echoed when asked, stored as text artifacts."""

from __future__ import annotations

import io
import os
from pathlib import Path

from packagers.projects._streams import Capture, log_streams
from packagers.runner.record import RunRecord
from packagers.store import Store


def _feed(capture: Capture, data: bytes) -> None:
    read, write = os.pipe()
    capture.follow(os.fdopen(read, "rb"))
    os.write(write, data)
    os.close(write)
    capture.join()


def test_a_capture_keeps_every_byte_and_echoes_text() -> None:
    terminal = io.StringIO()
    capture = Capture("stdout", terminal, echo=True)
    data = "first\nlast é\n".encode() + b"x" * 1000 + b"\nthe end\n"
    try:
        _feed(capture, data)
        assert Path(capture.path).read_bytes() == data
        assert terminal.getvalue() == data.decode()
        assert capture.last_line() == "the end"
    finally:
        capture.remove()
    assert not os.path.exists(capture.path)


def test_a_capture_that_does_not_echo_writes_nothing_here() -> None:
    terminal = io.StringIO()
    capture = Capture("stderr", terminal, echo=False)
    try:
        _feed(capture, b"quiet\n")
        assert terminal.getvalue() == ""
        assert capture.last_line() == "quiet"
    finally:
        capture.remove()


def test_the_streams_are_stored_as_the_runs_text_files(store_url: str) -> None:
    store = Store(store_url)
    record = RunRecord(id="r1", name="main", project="default")
    streams = {key: Capture(key, io.StringIO(), echo=False) for key in ("stdout", "stderr")}
    try:
        _feed(streams["stdout"], b"out\n")
        _feed(streams["stderr"], b"")
        refs = log_streams(store, record, streams)
    finally:
        for capture in streams.values():
            capture.remove()
    assert set(refs) == {"stdout", "stderr"}
    assert Path(store.resolve(refs["stdout"].uri).local()).read_text() == "out\n"
    assert store.manifest(refs["stderr"].uri)["size"] == 0
