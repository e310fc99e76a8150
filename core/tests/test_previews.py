"""Previews: the shared builders, the bounds, and how the manager asks for them."""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from packagers import Artifact, DataItem, DefaultPackager, PackagersManager, config, previews
from packagers.previews import (
    MAX_BYTES,
    MAX_TEXT_BYTES,
    check_preview,
    clip,
    json_preview,
    json_scalar,
    make_preview,
    text_preview,
)


class Note:
    """An object type of these tests alone."""

    def __init__(self, text: str) -> None:
        self.text = text


class NotePackager(DefaultPackager):
    PACKABLE_OBJECT_TYPE = Note
    DEFAULT_PACKING_ARTIFACT_TYPE = "file"
    DEFAULT_UNPACKING_ARTIFACT_TYPE = "file"
    #: What ``preview`` does: a callable of the note, so each test picks the behaviour.
    behaviour: Any = staticmethod(lambda note: text_preview(note.text))
    calls: list[str] = []

    def pack_result(self, obj: Note, key: str) -> dict[str, Any]:
        return {key: obj.text}

    def pack_file(self, obj: Note, key: str) -> tuple[Artifact, dict[str, Any]]:
        path = self.temp_path(key, ".txt")
        Path(path).write_text(obj.text)
        return Artifact(key, path, format="txt"), {}

    def unpack_file(self, data_item: DataItem) -> Note:
        return Note(Path(data_item.local()).read_text())

    def preview(self, obj: Note, artifact_type: str) -> dict[str, Any] | None:
        self.calls.append(artifact_type)
        return type(self).behaviour(obj)  # type: ignore[no-any-return]


class PlainPackager(NotePackager):
    """The same, without a preview of its own."""

    preview = DefaultPackager.preview  # type: ignore[assignment]


@pytest.fixture
def notes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The artifact types ``NotePackager.preview`` was called for, in this test."""
    calls: list[str] = []
    monkeypatch.setattr(NotePackager, "calls", calls)
    return calls


def behave(monkeypatch: pytest.MonkeyPatch, behaviour: Any) -> None:
    monkeypatch.setattr(NotePackager, "behaviour", staticmethod(behaviour))


def pack(obj: Any, hint: str = "note", packager: type = NotePackager) -> Any:
    with PackagersManager([packager]) as manager:
        return manager.pack(obj, hint)


# -- builders ------------------------------------------------------------------------------------


def test_clip_marks_the_cut() -> None:
    assert clip("abc", 5) == "abc"
    assert clip("abcdef", 4) == "abc…"


def test_json_scalar_is_standard_json() -> None:
    values = [None, True, 3, 1.5, float("nan"), float("inf"), -float("inf"), 10**5000, b"x", "y"]
    shown = [json_scalar(value) for value in values]
    big = "<16610-bit int>"
    assert shown == [None, True, 3, 1.5, None, "Infinity", "-Infinity", big, "b'x'", "y"]
    json.dumps(shown, allow_nan=False)


def test_text_preview_cuts_at_a_character_boundary() -> None:
    text = "é" * MAX_TEXT_BYTES  # two bytes each
    preview = text_preview(text)
    assert preview["text"] == "é" * (MAX_TEXT_BYTES // 2)
    assert preview["truncated"] is True
    assert preview["size"] == MAX_TEXT_BYTES
    assert text_preview("short") == {"kind": "text", "text": "short", "truncated": False, "size": 5}


def test_json_preview_shows_any_container_as_json() -> None:
    preview = json_preview({"a": (1, 2), (1, 2): {3}, 4: b"x", "n": float("nan")})
    assert json.loads(preview["text"].replace("NaN", "null")) == {
        "a": [1, 2],
        "(1, 2)": [3],
        "4": "b'x'",
        "n": None,
    }
    assert preview["length"] == 4
    assert preview["truncated"] is False


def test_json_preview_of_a_huge_container_is_bounded_and_fast() -> None:
    huge = {str(index): list(range(100)) for index in range(100_000)}
    started = time.perf_counter()
    preview = json_preview(huge)
    assert time.perf_counter() - started < 0.5  # only the start is converted
    assert preview["truncated"] is True
    assert preview["length"] == 100_000
    assert len(preview["text"].encode()) <= MAX_TEXT_BYTES


def test_json_preview_of_a_container_holding_itself_ends() -> None:
    loop: list[Any] = [1]
    loop.append(loop)
    preview = json_preview(loop)
    assert preview["truncated"] is True
    assert preview["text"].startswith("[1, [1, [1,")


@pytest.mark.parametrize(
    ("preview", "problem"),
    [
        ([1], "a preview is a dict, not a list"),
        ({"kind": "movie"}, "kind 'movie' is not one of array, image, json, table, text"),
        ({"kind": "text", "schema": 2}, "schema 2 is not 1"),
        ({"kind": "array", "min": float("nan")}, "not standard JSON"),
        ({"kind": "text", "text": object()}, "not standard JSON"),
        ({"kind": "text", "text": "x" * MAX_BYTES}, f"over the bound of {MAX_BYTES}"),
    ],
)
def test_check_preview_names_the_problem(preview: Any, problem: str) -> None:
    assert problem in str(check_preview(preview))


def test_check_preview_accepts_a_builder_preview() -> None:
    assert check_preview(text_preview("x")) is None
    assert check_preview(json_preview([1, 2])) is None


# -- make_preview --------------------------------------------------------------------------------


def test_the_preview_is_stamped_with_the_schema(notes: list[str]) -> None:
    preview = make_preview(NotePackager(), Note("hi"), "file", key="note")
    assert preview == {"kind": "text", "text": "hi", "truncated": False, "size": 2, "schema": 1}
    assert notes == ["file"]


def test_an_image_preview_names_the_artifact_format(monkeypatch: pytest.MonkeyPatch) -> None:
    behave(monkeypatch, lambda note: {"kind": "image", "png": "", "width": 1, "height": 1})
    preview = make_preview(NotePackager(), Note(""), "file", key="k", artifact_format="png")
    assert preview is not None and preview["format"] == "png"


def test_a_packager_without_a_preview_runs_no_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(previews, "threading", None)  # starting a thread would fail
    assert make_preview(PlainPackager(), Note("x"), "file", key="k") is None


def _fail(note: Note) -> None:
    raise RuntimeError("no look for you")


def _sleep(note: Note) -> dict[str, Any]:
    time.sleep(1)
    return text_preview(note.text)


@pytest.mark.parametrize(
    ("behaviour", "reason"),
    [
        (_fail, "it raised RuntimeError: no look for you"),
        (_sleep, "it took longer than 0.05 s"),
        (lambda note: {"kind": "text", "text": "x" * MAX_BYTES}, "over the bound"),
        (lambda note: "a look", "a preview is a dict, not a str"),
    ],
    ids=["raises", "late", "too-large", "not-a-dict"],
)
def test_a_bad_preview_is_dropped_with_a_debug_reason(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, behaviour: Any, reason: str
) -> None:
    monkeypatch.setattr(previews, "TIME_LIMIT", 0.05)
    behave(monkeypatch, behaviour)
    with caplog.at_level(logging.DEBUG, logger="packagers.previews"):
        package = pack(Note("x"))
    assert package.preview is None
    assert package.manifest["size"] == 1  # the pack itself went on
    (record,) = caplog.records
    assert record.levelno == logging.DEBUG
    assert "'note'" in record.getMessage() and reason in record.getMessage()


def test_previews_reuse_one_helper_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    """Starting and joining a thread per preview cost more than most previews."""
    threads: list[threading.Thread] = []
    behave(monkeypatch, lambda note: threads.append(threading.current_thread()))
    pack(Note("a"))
    pack(Note("b"))
    assert len(threads) == 2 and threads[0] is threads[1]
    assert threads[0] is not threading.current_thread()


def test_an_idle_helper_ends_so_no_thread_outlives_a_burst_of_packs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(previews, "_IDLE_SECONDS", 0.05)
    threads: list[threading.Thread] = []
    behave(monkeypatch, lambda note: threads.append(threading.current_thread()))
    pack(Note("a"))
    threads[0].join(2)
    assert not threads[0].is_alive()
    pack(Note("b"))  # a new helper, not a wait on the one that ended
    assert threads[1] is not threads[0] and len(threads) == 2


def test_a_late_preview_does_not_hold_up_the_next(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(previews, "TIME_LIMIT", 0.2)
    release = threading.Event()
    behave(monkeypatch, lambda note: release.wait(5) or text_preview(note.text))
    try:
        assert pack(Note("stuck")).preview is None  # its helper is still busy with it
        behave(monkeypatch, lambda note: text_preview(note.text))
        started = time.monotonic()
        assert pack(Note("next")).preview == text_preview("next") | {"schema": 1}
        assert time.monotonic() - started < 0.2  # another helper took it at once
    finally:
        release.set()


class BoundedNotePackager(NotePackager):
    """Says its preview is bounded for short notes: those are made on the packing thread."""

    def preview(self, obj: Note, artifact_type: str) -> dict[str, Any] | None:
        return super().preview(obj, artifact_type)

    def preview_is_bounded(self, obj: Note) -> bool:
        return len(obj.text) < 10


class OverridingPackager(BoundedNotePackager):
    """Overrides the preview without saying again when it is bounded."""

    def preview(self, obj: Note, artifact_type: str) -> dict[str, Any] | None:
        return super().preview(obj, artifact_type)


@pytest.mark.parametrize(
    ("packager", "text", "on_packing_thread"),
    [
        (BoundedNotePackager, "short", True),
        (BoundedNotePackager, "far too long", False),
        (OverridingPackager, "short", False),
        (NotePackager, "short", False),
    ],
    ids=["bounded", "not-for-this-object", "overridden-preview", "not-bounded"],
)
def test_only_a_bounded_preview_is_made_on_the_packing_thread(
    monkeypatch: pytest.MonkeyPatch, packager: type, text: str, on_packing_thread: bool
) -> None:
    """A hand-over to the helper costs more than a bounded preview; any other keeps its limit."""
    threads: list[threading.Thread] = []
    behave(monkeypatch, lambda note: threads.append(threading.current_thread()))
    pack(Note(text), packager=packager)
    assert (threads == [threading.current_thread()]) is on_packing_thread


def test_a_bounded_preview_that_raises_is_dropped_and_ctrl_c_stops_the_pack(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    behave(monkeypatch, _fail)
    package = pack(Note("x"), packager=BoundedNotePackager)
    assert package.preview is None and package.manifest["size"] == 1

    def interrupted(note: Note) -> None:
        raise KeyboardInterrupt

    behave(monkeypatch, interrupted)
    with pytest.raises(KeyboardInterrupt):
        pack(Note("x"), packager=BoundedNotePackager)


def test_a_bounded_preview_is_made_before_packing_and_stamped_after(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A write as large as the object evicts it from the caches: the sample is read first."""
    events: list[str] = []
    image = {"kind": "image", "png": "", "width": 1, "height": 1}
    behave(monkeypatch, lambda note: events.append("preview") or image)
    packing = BoundedNotePackager.pack_file

    def pack_file(self: NotePackager, obj: Note, key: str) -> tuple[Artifact, dict[str, Any]]:
        events.append("pack")
        return packing(self, obj, key)

    monkeypatch.setattr(BoundedNotePackager, "pack_file", pack_file)
    package = pack(Note("x"), packager=BoundedNotePackager)
    assert events == ["preview", "pack"]
    assert package.preview == image | {"format": "txt", "schema": 1}
    assert pack(Note("x"), "note : result", packager=BoundedNotePackager).preview is None
    assert events == ["preview", "pack"]  # a result gets none, bounded or not


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork on this platform")
def test_a_forked_child_starts_its_own_helper(monkeypatch: pytest.MonkeyPatch) -> None:
    """The parent's idle helper does not exist in a child: waiting on it would drop the preview."""
    pack(Note("parent"))  # leaves an idle helper behind
    read, write = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - runs in the child
        try:
            preview = pack(Note("child")).preview
            os.write(write, json.dumps(preview).encode())
        finally:
            from packagers import _scratch

            _scratch.remove()  # os._exit runs no atexit handler
            os._exit(0)
    os.close(write)
    with os.fdopen(read) as stream:
        text = stream.read()
    os.waitpid(child, 0)
    assert json.loads(text) == text_preview("child") | {"schema": 1}


# -- the manager ---------------------------------------------------------------------------------


def test_the_manager_previews_artifacts_after_packing_them(notes: list[str]) -> None:
    package = pack(Note("hello"))
    assert package.preview == text_preview("hello") | {"schema": 1}
    assert notes == ["file"]


def test_results_and_bundles_get_no_preview(notes: list[str]) -> None:
    result = pack(Note("x"), "note : result")
    bundle = pack([Note("a"), Note("b")], "*notes")
    assert result.preview is None and bundle.preview is None
    assert [member.preview["text"] for member in bundle.members] == ["a", "b"]
    assert notes == ["file", "file"]  # the result's packager was never asked


def test_the_setting_turns_previews_off(notes: list[str]) -> None:
    with config.override(preview__enabled=False):
        package = pack(Note("hello"))
    assert package.preview is None
    assert notes == []


def test_the_setting_is_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MLRUN_PACKAGERS__PREVIEW__ENABLED", "false")
    config.reload()
    assert config.preview.enabled is False


def test_a_preview_does_not_change_the_manifest(monkeypatch: pytest.MonkeyPatch) -> None:
    with config.override(preview__enabled=False):
        without = pack(Note("same"))
    behave(monkeypatch, _fail)
    failed = pack(Note("same"))
    behave(monkeypatch, lambda note: text_preview(note.text))
    made = pack(Note("same"))
    assert made.preview is not None
    assert without.manifest == failed.manifest == made.manifest
