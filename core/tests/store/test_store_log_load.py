"""``log`` and ``load`` round trips: results, bundles, pickled objects, links, missing plugins."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from packagers import DataItem, LogHint, PackagersManager, UnpackingError, config
from packagers.api import load, log
from packagers.store import ArtifactRef, Store, get_store


@dataclass
class Point:
    x: float
    y: float


def test_result_is_stored_and_loadable(store: Store) -> None:
    assert log(0.93, "accuracy : result", store=store) == 0.93
    manifest = store.manifest("store://accuracy")
    assert manifest["artifact_type"] == "result" and manifest["value"] == 0.93
    assert "digest" not in manifest
    assert load("store://default/accuracy", store=store) == 0.93


def test_itemized_list_is_a_bundle_that_loads_back(store: Store, allow_pickle: None) -> None:
    ref = log([1, 2, 3], "*nums", store=store)
    assert isinstance(ref, ArtifactRef)
    members = ref.manifest["bundle"]["members"]
    assert [m["key"] for m in members] == ["nums_0", "nums_1", "nums_2"]
    assert all(m["uri"].startswith("store://default/nums_") and "@" in m["uri"] for m in members)
    assert load("store://nums", store=store) == [1, 2, 3]
    assert load("store://nums_1", store=store) == 2


def test_nested_dict_bundle_round_trip(store: Store, allow_pickle: None) -> None:
    value = {"train": {"x": [1, 2], "y": 3}, "test": (4, 5)}
    log(value, "*splits", store=store)
    assert load("store://splits", store=store) == value
    assert {ref.key for ref in store.list_artifacts()} >= {"splits", "splits_train_x_0"}


def test_pickled_custom_object_round_trip(store: Store, allow_pickle: None) -> None:
    ref = log(Point(1.0, 2.0), "point", store=store)
    assert ref.manifest["format"] == "pkl"
    item = store.resolve(ref.uri)
    assert item.suffix == ".pkl"
    assert load(ref.uri, store=store) == Point(1.0, 2.0)
    assert load(ref.uri, Point, store=store) == Point(1.0, 2.0)


def test_pickle_policy_is_enforced_on_load(store: Store) -> None:
    ref = log(Point(1.0, 2.0), "point", store=store)
    with config.override(pickle__policy="deny"), pytest.raises(UnpackingError, match="refusing"):
        load(ref.uri, store=store)


def test_load_as_data_item_or_path_keeps_the_file(store: Store, make_package) -> None:
    store.log_packages([make_package("raw", b"raw bytes")])
    item = load("store://raw", DataItem, store=store)
    assert isinstance(item, DataItem) and item.get() == b"raw bytes"
    path = load("store://raw", Path, store=store)
    assert path.read_bytes() == b"raw bytes"


def test_load_a_local_path(tmp_path: Path, allow_pickle: None) -> None:
    import cloudpickle

    path = tmp_path / "point.pkl"
    path.write_bytes(cloudpickle.dumps(Point(3.0, 4.0)))
    assert load(path, Point) == Point(3.0, 4.0)
    assert isinstance(load(str(path)), DataItem)


@pytest.mark.parametrize("hint", [None, dict])
def test_loading_a_missing_path_is_one_clear_error(tmp_path: Path, hint: object) -> None:
    missing = tmp_path / "nothing.json"
    with pytest.raises(UnpackingError, match=r"cannot load .*nothing\.json.*no such file"):
        load(missing, hint)


def test_store_argument_accepts_a_url_and_defaults_to_config(tmp_path: Path) -> None:
    url = str(tmp_path / "by-url")
    ref = log(b"x", "blob : object", store=url)
    assert get_store(url).manifest(ref.uri)["version"] == ref.version
    with config.override(store__url=str(tmp_path / "configured")):
        assert log(7, "n : result") == 7
        assert (tmp_path / "configured" / "artifacts" / "default" / "n").is_dir()
        assert load("store://n") == 7


def test_project_argument(store: Store) -> None:
    log(1, "n : result", project="alpha", store=store)
    assert store.manifest("store://alpha/n")["project"] == "alpha"
    assert store.list_artifacts("alpha")[0].uri.startswith("store://alpha/n@")
    assert store.list_artifacts() == []


def test_links_between_outputs_become_uris(store: Store, make_package) -> None:
    data = make_package("data", b"rows")
    report = make_package("report", b"text")
    report.hint = LogHint(key="report", extra_data={"data": ..., "accuracy": ...})
    with PackagersManager() as manager:
        accuracy = manager.pack(0.5, "accuracy : result")
        refs = manager.log(store, [report, data, accuracy], run_id="run-1")
    saved = store.manifest("store://report")
    assert saved["extra_data"] == {"data": refs["data"].uri, "accuracy": 0.5}
    assert saved["run_id"] == "run-1"


def test_manifest_of_a_missing_plugin_names_the_distribution(store: Store, make_package) -> None:
    refs = store.log_packages([make_package("frame", b"not really parquet")])
    manifest = dict(refs["frame"].manifest)
    manifest.update(
        artifact_type="dataset",
        packager="packagers_polars.PolarsPackager",
        distribution="packagers-polars",
        distribution_version="2.1.0",
        object_type="polars.DataFrame",
    )
    path = Path(store.url) / "artifacts" / "default" / "frame" / "versions"
    (path / f"{manifest['version']}.json").write_text(json.dumps(manifest))
    with pytest.raises(UnpackingError, match=r"pip install packagers-polars==2\.1\.0"):
        load("store://frame", store=store)


def test_numpy_array_round_trip(store: Store) -> None:
    pytest.importorskip("packagers_numpy")
    np = pytest.importorskip("numpy")
    array = np.arange(12.0).reshape(3, 4)
    ref = log(array, "a : file", store=store)
    assert ref.manifest["digest"].startswith("blake3:")
    np.testing.assert_array_equal(load("store://a", store=store), array)
    np.testing.assert_array_equal(load("store://a", np.ndarray, store=store), array)


def test_get_store_is_one_instance_per_location(tmp_path: Path) -> None:
    root = tmp_path / "shared"
    assert get_store(str(root)) is get_store(f"file://{root}/")
    assert get_store(str(root)).url == str(root)
    assert get_store("memory://one") is get_store("memory://one/")


@pytest.fixture
def at_exit(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """What ``load`` leaves to process exit, run by the test instead.

    Only packagers' own registrations are caught: weakref registers its exit hook with the first
    ``finalize`` of the process, and running that here would switch off every finalizer for the
    rest of the session (a DataItem's download cleanup among them).
    """
    import atexit

    callbacks: list[Any] = []
    register = atexit.register

    def capture(function: Any, *args: Any, **kwargs: Any) -> Any:
        if getattr(function, "__module__", "").startswith("packagers"):
            callbacks.append(function)
            return function
        return register(function, *args, **kwargs)

    monkeypatch.setattr(atexit, "register", capture)
    return callbacks


@pytest.mark.parametrize("hint", [Path, str])
@pytest.mark.parametrize("where", ["store", "memory_store"])
def test_a_loaded_file_or_folder_stays_until_the_process_exits(
    request: pytest.FixtureRequest, tmp_path: Path, at_exit: list[Any], hint: type, where: str
) -> None:
    """The folder an archive was extracted into, and a downloaded file, were once deleted
    before ``load`` returned them."""
    store = request.getfixturevalue(where)
    report = tmp_path / "report.csv"
    report.write_text("a,b\n1,2\n")
    folder = tmp_path / "folder"
    (folder / "sub").mkdir(parents=True)
    (folder / "sub" / "x.txt").write_text("x")
    log(report, "report : path", store=store)
    log(folder, "folder : path", store=store)

    file = Path(load("store://report", hint, store=store))
    tree = Path(load("store://folder", hint, store=store))
    assert file.name == "report.csv" and file.read_text() == "a,b\n1,2\n"
    assert tree.name == "folder" and (tree / "sub" / "x.txt").read_text() == "x"
    assert not file.is_relative_to(store.url) and not tree.is_relative_to(store.url)
    for callback in at_exit:
        callback()
    assert not file.exists() and not tree.exists()


def test_the_store_logs_without_the_manager(tmp_path: Path) -> None:
    """The store writes what it is given: logging a package never imports the manager."""
    script = (
        "import sys\n"
        "from packagers.artifacts import Artifact\n"
        "from packagers.log_hint import LogHint\n"
        "from packagers.package import Package\n"
        "from packagers.store import Store\n"
        f"path = {str(tmp_path / 'data.bin')!r}\n"
        "open(path, 'wb').write(b'rows')\n"
        "manifest = {'schema': 1, 'key': 'data', 'artifact_type': 'file', 'format': 'bin'}\n"
        "package = Package('data', LogHint('data'), manifest, Artifact('data', path))\n"
        f"ref = Store({str(tmp_path / 'store')!r}).log_packages([package])['data']\n"
        "assert ref.uri.startswith('store://default/data@'), ref.uri\n"
        "assert 'packagers.manager' not in sys.modules, 'the store imported the manager'\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_stamped_packages_keep_their_uris_when_logged(store: Store, make_package) -> None:
    data = make_package("data", b"rows")
    store.stamp([data], project="alpha", run_id="run-2")
    uri = data.manifest["uri"]
    assert store.log_packages([data])["data"].uri == uri
    assert store.manifest(uri)["run_id"] == "run-2"
