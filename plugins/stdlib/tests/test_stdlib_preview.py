"""Previews of the stdlib types: containers as JSON, text as text, small text files as text."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from packagers import PackagersManager
from packagers.previews import MAX_TEXT_BYTES
from packagers_stdlib._preview import SMALL_TEXT_BYTES


def preview_of(manager: PackagersManager, obj: Any, hint: str) -> dict[str, Any] | None:
    preview = manager.pack(obj, hint).preview
    if preview is not None:
        json.dumps(preview, allow_nan=False)
    return preview


@pytest.mark.parametrize(
    "value", [{"a": [1, 2]}, [1, "x"], (1, 2), {3}, frozenset({4})], ids=lambda v: type(v).__name__
)
def test_containers_are_previewed_as_json(manager: PackagersManager, value: Any) -> None:
    preview = preview_of(manager, value, "value : file")
    assert preview is not None and preview["kind"] == "json"
    assert json.loads(preview["text"]) == (value if type(value) is dict else list(value))
    assert preview["length"] == len(value) and preview["truncated"] is False


def test_a_large_container_preview_is_cut(manager: PackagersManager) -> None:
    preview = preview_of(manager, list(range(100_000)), "numbers")  # a file by default
    assert preview is not None and preview["truncated"] is True
    assert preview["length"] == 100_000
    assert len(preview["text"].encode()) <= MAX_TEXT_BYTES


def test_a_long_string_is_previewed_as_text(manager: PackagersManager) -> None:
    text = "ü" * 10_000
    preview = preview_of(manager, text, "text")
    assert preview == {
        "kind": "text",
        "text": "ü" * (MAX_TEXT_BYTES // 2),
        "truncated": True,
        "size": 10_000,
        "schema": 1,
    }


@pytest.mark.parametrize(
    ("data", "kind"), [(b"hello\n", "text"), (b"\x00\x01binary", None), (b"\xff\xfe", None)]
)
def test_bytes_are_text_only_when_they_are_utf8(
    manager: PackagersManager, data: bytes, kind: str | None
) -> None:
    for value in (data, bytearray(data)):
        preview = preview_of(manager, value, "data")
        assert (preview and preview["kind"]) == kind


def test_a_small_text_file_is_previewed_and_others_are_not(
    manager: PackagersManager, tmp_path: Path
) -> None:
    notes = tmp_path / "notes.md"
    notes.write_text("# Notes\n")
    large = tmp_path / "large.txt"
    large.write_text("x" * (SMALL_TEXT_BYTES + 1))
    preview = preview_of(manager, notes, "notes")
    assert preview is not None and preview["text"] == "# Notes\n"
    assert preview_of(manager, str(notes), "notes : path") == preview
    assert preview_of(manager, large, "large") is None
    assert preview_of(manager, tmp_path, "folder") is None  # a directory archive
