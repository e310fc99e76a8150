"""A packager whose plugin is missing: what to install or register, and the pickle meanwhile."""

from __future__ import annotations

import pytest

from packagers import (
    DataItem,
    PackagersManager,
    PackagersWarning,
    PackingError,
    UnpackingError,
    config,
)


def test_a_missing_custom_packager_is_not_blamed_on_another_failed_one(manager):
    from packagers import PackagersWarning, add_custom_packager

    package = manager.pack(7, "n : file")
    manifest = {**package.manifest, "packager": "gone.IntPackager", "distribution": None}
    add_custom_packager("nomodule_here.Unrelated")
    with pytest.warns(PackagersWarning, match="nomodule_here"):
        collected = PackagersManager()
    with pytest.raises(UnpackingError) as caught:
        collected.unpack(DataItem(package.artifact.src_path, manifest=manifest))
    assert "gone.IntPackager" in str(caught.value)
    assert "nomodule_here" not in str(caught.value)


def test_an_unregistered_custom_packager_is_to_register_not_to_install(manager):
    package = manager.pack(7, "n : file")
    manifest = {**package.manifest, "packager": "mine.IntPackager", "plugin": "custom"}
    manifest["distribution"] = None
    with pytest.raises(UnpackingError, match=r"add_custom_packager\('mine.IntPackager'\)") as e:
        manager.unpack(DataItem(package.artifact.src_path, manifest=manifest))
    assert "pip install" not in str(e.value)


def test_a_missing_packager_names_the_distribution_to_install(manager):
    package = manager.pack(7, "n : file")
    manifest = {
        **package.manifest,
        "packager": "packagers_pandas.DataFramePackager",
        "distribution": "packagers-pandas",
        "distribution_version": "0.1.0",
    }
    item = DataItem(package.artifact.src_path, manifest=manifest)
    with pytest.raises(UnpackingError, match=r"pip install packagers-pandas==0.1.0"):
        manager.unpack(item)


@pytest.fixture
def without_numpy_plugin():
    from packagers.manager import _pack as manager_module

    np = pytest.importorskip("numpy")
    manager_module._warn_missing_family.cache_clear()
    with config.override(plugins__blocked=["numpy"], pickle__policy="allow"):
        yield np
    manager_module._warn_missing_family.cache_clear()


def test_a_known_familys_value_is_pickled_with_the_distribution_to_install(without_numpy_plugin):
    np = without_numpy_plugin
    with PackagersManager() as manager:
        with pytest.warns(PackagersWarning, match="numpy.ndarray is pickled .* packagers-numpy"):
            package = manager.pack(np.arange(3), "a")
        assert package.manifest["format"] == "pkl"
        manager.pack(np.arange(4), "b")  # told once (the test config makes a warning an error)


def test_a_type_only_the_missing_plugin_provides_names_it(without_numpy_plugin):
    np = without_numpy_plugin
    with (
        PackagersManager() as manager,
        pytest.raises(PackingError, match="pip install packagers-numpy"),
    ):
        manager.pack(np.arange(3), "a : dataset")
