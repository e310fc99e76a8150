"""None, bool, int, float, str, bytes and bytearray."""

from __future__ import annotations

import enum
import json
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from packagers import DataItem, LogHint, PackagersManager, PackingError, UnpackingError
from packagers.testing import round_trip
from packagers_stdlib import (
    RESULT_MAX_CHARS,
    BoolPackager,
    FloatPackager,
    IntPackager,
    NonePackager,
    StrPackager,
)

Exact = Callable[[Any, Any], None]


@pytest.mark.parametrize(
    ("value", "packager"),
    [
        (None, NonePackager),
        (True, BoolPackager),
        (False, BoolPackager),
        (0, IntPackager),
        (-(2**200), IntPackager),
        (1.5, FloatPackager),
        (-0.0, FloatPackager),
        (1e308, FloatPackager),
    ],
)
def test_scalars_are_results_by_their_own_packager(
    manager: PackagersManager, exact: Exact, value: Any, packager: type
) -> None:
    package = manager.pack(value, "x")
    assert package.is_result
    assert package.manifest["packager"] == packager.qualified_name()
    exact(value, json.loads(json.dumps(package.value)))


def test_bool_is_never_logged_as_an_int(manager: PackagersManager) -> None:
    package = manager.pack(True, "flag")
    assert package.value is True
    assert package.manifest["object_type"] == "builtins.bool"
    assert json.dumps(package.manifest["value"]) == "true"


def test_nan_and_inf_results_use_pythons_json_tokens(manager: PackagersManager) -> None:
    """Python's json writes NaN/Infinity (not strict JSON) and reads them back."""
    value = manager.pack(float("nan"), "x").value
    assert math.isnan(json.loads(json.dumps(value)))
    assert json.dumps(manager.pack(float("-inf"), "y").value) == "-Infinity"


def test_ints_too_long_for_json_text_default_to_pickle(
    manager: PackagersManager, trusted_pickles: None
) -> None:
    huge = 10**5000
    package = manager.pack(huge, "x")
    assert package.artifact_type == "object"
    restored, _ = round_trip(manager, huge, "x", int)
    assert restored == huge


def test_int_enum_members_keep_their_class_through_pickle(
    manager: PackagersManager, trusted_pickles: None
) -> None:
    color = enum.IntEnum("Color", "RED GREEN")
    package = manager.pack(color.GREEN, "c : object")
    assert package.manifest["packager"] == "packagers._builtin.PicklePackager"
    assert manager.choose_packager(color.RED)[0].qualified_name().endswith("PicklePackager")


# -- str -------------------------------------------------------------------------------------


def test_short_strings_are_results_long_ones_text_files(manager: PackagersManager) -> None:
    assert manager.pack("x" * (RESULT_MAX_CHARS - 2), "s").is_result
    package = manager.pack("x" * (RESULT_MAX_CHARS - 1), "s")
    assert package.artifact_type == "file"
    assert package.artifact is not None and package.artifact.src_path.endswith(".txt")


@pytest.mark.parametrize("text", ["", "ünïcødé ✓ 🐍", "windows\r\nunix\nold mac\r", "\x00tail"])
def test_text_files_keep_every_character(manager: PackagersManager, text: str) -> None:
    restored, package = round_trip(manager, text, "s : file", str)
    assert restored == text
    assert package.artifact is not None
    assert Path(package.artifact.src_path).read_bytes() == text.encode("utf-8")


def test_the_encoding_is_a_packing_kwarg(manager: PackagersManager) -> None:
    restored, package = round_trip(manager, "café", 's : file[encoding="latin-1"]', str)
    assert restored == "café"
    assert package.artifact is not None
    assert Path(package.artifact.src_path).read_bytes() == b"caf\xe9"
    with pytest.raises(PackingError, match="unknown encoding 'klingon'"):
        manager.pack("x", 's : file[encoding="klingon"]')
    with pytest.raises(PackingError, match=r"cannot write 's' as ascii text.*'é'"):
        manager.pack("café", 's : file[encoding="ascii"]')


def test_lone_surrogates_cannot_be_utf8_text(manager: PackagersManager) -> None:
    with pytest.raises(PackingError, match=r"surrogates not allowed.*'\\ud800'"):
        manager.pack("a\ud800b", "s : file")


def test_undecodable_text_files_are_an_error(manager: PackagersManager, tmp_path: Path) -> None:
    package = manager.pack("x", "s : file")
    path = tmp_path / "s.txt"
    path.write_bytes(b"\xff\xfe bad")
    with pytest.raises(UnpackingError, match=r"not utf-8 text.*ask for it as bytes"):
        manager.unpack(DataItem(path, manifest=package.manifest), str)


def test_a_str_is_a_path_only_when_asked_and_only_when_it_exists(
    manager: PackagersManager, tmp_path: Path
) -> None:
    existing = tmp_path / "notes.md"
    existing.write_text("# notes")
    assert manager.pack(str(existing), "p").is_result  # never a path by surprise
    restored, package = round_trip(manager, str(existing), "p : path", str)
    assert type(restored) is str and Path(restored).read_text() == "# notes"
    assert package.manifest["packager"] == StrPackager.qualified_name()
    with pytest.raises(PackingError, match="as 'path'"):
        manager.pack(str(tmp_path / "missing"), "p : path")


def test_a_str_naming_a_directory_unpacks_as_a_str_path(
    manager: PackagersManager, tmp_path: Path
) -> None:
    (tmp_path / "dir" / "sub").mkdir(parents=True)
    (tmp_path / "dir" / "sub" / "f.txt").write_text("f")
    restored, _ = round_trip(manager, str(tmp_path / "dir"), "d : path", str)
    assert type(restored) is str
    assert (Path(restored) / "sub" / "f.txt").read_text() == "f"
    assert Path(restored).name == "dir"


# -- bytes -----------------------------------------------------------------------------------


@pytest.mark.parametrize("data", [b"", b"\x00\x01\xff" * 1000, bytearray(b"mutable")])
def test_binary_data_is_a_raw_file(manager: PackagersManager, exact: Exact, data: Any) -> None:
    before = bytes(data)
    package = manager.pack(data, "blob")
    assert package.artifact_type == "file"
    assert package.artifact is not None and package.artifact.src_path.endswith(".bin")
    assert package.manifest["format"] == "bin"
    assert Path(package.artifact.src_path).read_bytes() == data
    restored, _ = round_trip(manager, data, "blob", type(data))
    exact(data, restored)
    assert bytes(data) == before


def test_binary_data_is_never_a_result(manager: PackagersManager) -> None:
    with pytest.raises(PackingError, match=r"not JSON-serialisable.*file or object"):
        manager.pack(b"x", LogHint("blob", "result"))


@pytest.mark.parametrize("hint", [bytes, bytearray])
def test_any_plain_file_unpacks_as_bytes(
    manager: PackagersManager, tmp_path: Path, hint: type
) -> None:
    path = tmp_path / "image.png"
    path.write_bytes(b"\x89PNG\r\n")
    restored = manager.unpack(str(path), hint)
    assert type(restored) is hint and restored == b"\x89PNG\r\n"


def test_bytes_logged_can_be_asked_for_as_bytearray(manager: PackagersManager) -> None:
    package = manager.pack(b"abc", "blob")
    assert package.artifact is not None
    item = DataItem(package.artifact.src_path, key="blob", manifest=package.manifest)
    restored = manager.unpack(item, bytearray)
    assert type(restored) is bytearray and restored == b"abc"
