"""The process's folder for packers' files: one per process, made again when it is gone."""

from __future__ import annotations

import os
import shutil

from packagers import _scratch


def test_a_removed_folder_is_made_again_once_it_is_looked_at_again(monkeypatch):
    monkeypatch.setattr(_scratch, "_folder", None)
    first = _scratch.folder()
    assert _scratch.folder() == first
    shutil.rmtree(first)  # a temp cleaner, or a user
    clock = _scratch.time.monotonic() + _scratch._RECHECK_SECONDS + 1
    monkeypatch.setattr(_scratch.time, "monotonic", lambda: clock)
    second = _scratch.folder()
    assert second != first and os.path.isdir(second)
    path = _scratch.scratch_path("k", ".bin")
    assert os.path.dirname(path) == second
    _scratch.release(path)
    _scratch.remove()  # this test's folder: the process's own comes back with monkeypatch
    assert not os.path.exists(second)


def test_a_released_name_is_given_again_and_a_taken_one_is_numbered():
    first = _scratch.scratch_path("same", ".txt")
    second = _scratch.scratch_path("same", ".txt")
    assert os.path.basename(first) == "same.txt"
    assert os.path.basename(second).startswith("same-") and second.endswith(".txt")
    _scratch.release(first)
    assert _scratch.scratch_path("same", ".txt") == first
    _scratch.release(first)
    _scratch.release(second)
