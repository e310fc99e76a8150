"""Choosing a packager: priority, artifact types, the fallbacks, caching; temp files cleared."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from packagers import Artifact, DefaultPackager, PackagersManager, PackingError, config
from packagers._builtin import PicklePackager

from .manager_samples import CORE, IntPackager, Model, _load


def test_the_highest_priority_packager_wins_and_ties_are_stable():
    class Low(IntPackager):
        PRIORITY = 7

    class High(IntPackager):
        PRIORITY = 2

    manager = PackagersManager([Low, High, PicklePackager])
    assert type(manager.choose_packager(1)[0]) is High
    assert manager.choose_packager(1)[1] == "result"


def test_an_explicit_artifact_type_skips_packagers_that_do_not_offer_it():
    class Eager(IntPackager):
        PRIORITY = 1

        def is_packable(self, obj, artifact_type=None):
            return super().is_packable(obj, artifact_type) and artifact_type != "file"

    manager = PackagersManager([Eager, IntPackager, PicklePackager])
    assert type(manager.choose_packager(1, "file")[0]) is IntPackager


def test_no_packager_for_a_requested_type_lists_what_is_offered(manager):
    with pytest.raises(PackingError, match=r"as 'dataset'.*IntPackager packs file, object, result"):
        manager.pack(5, "n : dataset")


def test_a_packer_returning_a_directory_is_refused_and_a_file_gets_its_size():
    class DirectoryPackager(IntPackager):
        def pack_file(self, obj: int, key: str) -> tuple[Artifact, dict]:
            path = self.temp_path(key, "")
            os.mkdir(path)
            return Artifact(key, path, format="int"), {}

    with (
        PackagersManager([DirectoryPackager]) as manager,
        pytest.raises(PackingError, match="returned a directory for 'n'; a packer must"),
    ):
        manager.pack(5, "n : file")
    with PackagersManager([IntPackager]) as manager:
        assert manager.pack(12345, "n : file").manifest["size"] == 5


def test_unknown_types_fall_back_to_pickle(manager):
    package = manager.pack(Model, "cls")
    assert package.artifact_type == "object"
    assert package.manifest["packager"] == "packagers._builtin.PicklePackager"


def test_dispatch_is_cached_per_type(manager):
    first = manager.packagers_for(int)
    assert manager.packagers_for(int) is first


def test_a_packer_that_names_no_format_gets_its_file_suffix(tmp_path):
    class PlainPackager(DefaultPackager):
        PACKABLE_OBJECT_TYPE = Model
        DEFAULT_PACKING_ARTIFACT_TYPE = "file"

        def pack_file(self, obj: Model, key: str) -> tuple[Artifact, dict]:
            path = self.temp_path(key, ".TXT")
            Path(path).write_text(str(obj.weight))
            return Artifact(key=key, src_path=path), {}

    with PackagersManager([PlainPackager]) as manager:
        assert manager.pack(Model(1.0), "m").manifest["format"] == "txt"


def test_temp_files_are_cleared_when_the_run_fails(tmp_path):
    paths = []
    with pytest.raises(RuntimeError), PackagersManager(CORE) as manager:
        paths.append(manager.pack(7, "n : file").artifact.src_path)
        raise RuntimeError("the user's function failed")
    assert paths and not any(os.path.exists(p) for p in paths)


def test_the_fallback_packs_any_object_as_a_model(manager, tmp_path):
    package = manager.pack(Path("x"), "m : model")
    assert package.manifest["artifact_type"] == "model" and package.manifest["kind"] == "model"
    with config.override(pickle__policy="allow"):
        assert _load(manager, package) == Path("x")


def test_only_the_packagers_asked_are_made_and_cleared(tmp_path):
    """Packing, unpacking and ``load`` make the packagers of the types they meet, not every
    collected one (clearing temporary files needs only those)."""
    import packagers

    made: list[str] = []

    class Counted(DefaultPackager):
        PACKABLE_OBJECT_TYPE = Model

        def __init__(self) -> None:
            made.append("made")
            super().__init__()

    with PackagersManager([*CORE, Counted]) as manager:
        item = manager.pack(7, "n : file")
        manager.unpack(item.artifact.src_path, int)
    packagers.add_custom_packager(Counted)
    store = str(tmp_path / "store")
    with config.override(pickle__policy="allow"):
        uri = packagers.log(b"bytes", "data : object", store=store).uri
        assert packagers.load(uri, store=store) == b"bytes"
    assert made == []
    with PackagersManager([*CORE, Counted]) as manager:
        manager.pack(Model(1.0), "m")
    assert made == ["made"]
