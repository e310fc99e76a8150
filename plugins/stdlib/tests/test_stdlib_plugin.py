"""The plugin as collected from its entry point, next to every other installed plugin."""

from __future__ import annotations

import subprocess
import sys
import warnings
from pathlib import Path
from typing import Any

import pytest

from packagers import DataItem, PackagersManager, PackagersWarning, list_packagers
from packagers.plugins import clear_cache
from packagers.testing import round_trip
from packagers_stdlib import PACKAGERS


def test_every_packager_is_collected_from_the_stdlib_plugin() -> None:
    clear_cache()
    with warnings.catch_warnings():
        warnings.filterwarnings(
            "ignore", message=r"optional packager plugin '(?!stdlib')", category=PackagersWarning
        )
        records = {record.name: record for record in list_packagers()}
    for cls in PACKAGERS:
        record = records[cls.qualified_name()]
        assert (record.plugin, record.distribution, record.state) == (
            "stdlib",
            "packagers-stdlib",
            "active",
        )


def test_an_int_is_a_result(collected_manager: PackagersManager) -> None:
    package = collected_manager.pack(3, "x")
    assert package.is_result and package.value == 3
    assert package.manifest["plugin"] == "stdlib"
    assert package.manifest["distribution"] == "packagers-stdlib"


@pytest.mark.parametrize(
    ("value", "packager"),
    [
        (True, "BoolPackager"),
        (1.5, "FloatPackager"),
        ("s", "StrPackager"),
        (b"b", "BytesPackager"),
        ([1, 2], "ListPackager"),
        ({"a": 1}, "DictPackager"),
        ((1, 2), "TuplePackager"),
        ({1}, "SetPackager"),
        (frozenset({1}), "FrozensetPackager"),
        (Path("."), "PathPackager"),
    ],
)
def test_stdlib_types_reach_their_packager_among_all_plugins(
    collected_manager: PackagersManager, value: Any, packager: str
) -> None:
    chosen, _ = collected_manager.choose_packager(value)
    assert chosen.qualified_name().startswith("packagers_stdlib.")
    assert chosen.qualified_name().endswith(packager)


def test_a_typed_file_round_trips_among_all_plugins(collected_manager: PackagersManager) -> None:
    sample = {1: (2, 3), "s": {4}, "b": b"\x00"}
    restored, package = round_trip(collected_manager, sample, "data : file", dict)
    assert restored == sample and type(restored[1]) is tuple
    assert package.artifact is not None
    item = DataItem(package.artifact.src_path, key="data", manifest=package.manifest)
    assert collected_manager.unpack(item) == sample


def test_importing_the_plugin_loads_no_optional_library() -> None:
    code = (
        "import sys, packagers_stdlib, packagers_stdlib._plugin\n"
        "print(sorted({'yaml', 'tomli_w', 'tomllib', 'tomli', 'tarfile'} & set(sys.modules)))"
    )
    output = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True
    ).stdout
    assert output.strip() == "[]"
