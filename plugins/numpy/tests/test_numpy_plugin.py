"""The plugin as users meet it: collected without importing numpy, every numpy type routed here."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import numpy as np
import pytest

import packagers_numpy
from packagers import DataItem, PackagersManager
from packagers_numpy import (
    MemmapPackager,
    NDArrayDictPackager,
    NDArrayListPackager,
    NDArrayPackager,
    NumPyScalarPackager,
)
from packagers_numpy._plugin import packagers_register


def _without_numpy(code: str) -> None:
    check = (
        "\nimport sys\n"
        "loaded = sorted(name for name in sys.modules if name.split('.')[0] == 'numpy')\n"
        "assert not loaded, loaded\n"
    )
    completed = subprocess.run([sys.executable, "-c", code + check], capture_output=True, text=True)
    assert completed.returncode == 0, completed.stderr


def test_importing_the_plugin_and_using_its_packagers_does_not_import_numpy() -> None:
    _without_numpy(
        "import packagers_numpy, packagers_numpy._plugin\n"
        "from packagers import PackagersManager\n"
        "from packagers._builtin import PicklePackager\n"
        "classes = packagers_numpy._plugin.packagers_register()\n"
        "manager = PackagersManager([*classes, PicklePackager])\n"
        "for obj in ([1, 2], {'a': 1.5}, 3.5, 'text'):\n"
        "    assert type(manager.choose_packager(obj)[0]) is PicklePackager\n"
    )


def test_collecting_every_plugin_does_not_import_numpy() -> None:
    _without_numpy(
        "import warnings\n"
        "warnings.simplefilter('ignore')\n"  # another plugin that fails to load is not our test
        "from packagers import PackagersManager, list_packagers\n"
        "names = [record.name for record in list_packagers()]\n"
        "assert 'packagers_numpy._ndarray.NDArrayPackager' in names, names\n"
        "PackagersManager().choose_packager([1, 2])\n"
    )


def test_the_plugin_registers_every_packager_it_exports() -> None:
    registered = set(packagers_register())
    exported = {getattr(packagers_numpy, name) for name in packagers_numpy.__all__}
    assert registered == exported - {packagers_numpy.MemoryMap}
    for packager_class in registered:
        packager_class.validate()


SAMPLES: list[tuple[Any, type, str]] = [
    (np.zeros((50, 50)), NDArrayPackager, "file"),
    (np.arange(3), NDArrayPackager, "result"),
    (np.float64(0.5), NumPyScalarPackager, "result"),
    (np.str_("x"), NumPyScalarPackager, "result"),
    (np.datetime64("2020-01-01"), NumPyScalarPackager, "file"),
    ([np.zeros(2)], NDArrayListPackager, "file"),
    ({"a": np.zeros(2)}, NDArrayDictPackager, "file"),
]


@pytest.mark.parametrize(("obj", "expected", "artifact_type"), SAMPLES, ids=repr)
def test_the_collected_manager_gives_numpy_objects_to_this_plugin(
    collected_manager: PackagersManager, obj: Any, expected: type, artifact_type: str
) -> None:
    packager, chosen = collected_manager.choose_packager(obj)
    assert (type(packager), chosen) == (expected, artifact_type)
    package = collected_manager.pack(obj, "value")
    assert package.manifest["packager"] == expected.qualified_name()
    assert package.manifest["distribution"] == "packagers-numpy"
    assert package.manifest["plugin"] == "numpy"


def test_the_collected_manager_maps_memmap_hints(
    collected_manager: PackagersManager, tmp_path: Any
) -> None:
    path = tmp_path / "big.npy"
    np.save(path, np.arange(10.0))
    restored = collected_manager.unpack(DataItem(path), np.memmap)
    assert type(restored) is np.memmap
    assert type(collected_manager.choose_packager(restored)[0]) is MemmapPackager
