"""npz archives are read within the ``archive.*`` limits; a member's header cannot outgrow it."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from packagers import DataItem, PackagersManager, UnpackingError, config, plugin_api


def _npz(path: Path, members: dict[str, bytes], compression: int = zipfile.ZIP_STORED) -> Path:
    with zipfile.ZipFile(path, "w", compression=compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The members ``zipfile`` is asked to open for reading, in order."""
    names: list[str] = []
    original = zipfile.ZipFile.open

    def recording(self: zipfile.ZipFile, name: Any, mode: str = "r", **kwargs: Any) -> Any:
        if mode == "r":
            names.append(getattr(name, "filename", name))
        return original(self, name, mode, **kwargs)

    monkeypatch.setattr(zipfile.ZipFile, "open", recording)
    return names


@pytest.fixture
def small_floor(monkeypatch: pytest.MonkeyPatch) -> None:
    """The ratio applies from 1 MiB on, so a bomb that proves the point stays small."""
    monkeypatch.setattr(plugin_api.ExpansionBudget, "RATIO_FLOOR", 1 << 20)


def test_compressed_zeros_load_under_the_default_limits(
    manager: PackagersManager, tmp_path: Path
) -> None:
    """Far past the ratio (about 1000x) but under the floor: a small archive is never refused."""
    path = tmp_path / "zeros.npz"
    np.savez_compressed(path, zeros=np.zeros(8 << 20, dtype=np.uint8))
    assert path.stat().st_size * 500 < 8 << 20
    restored = manager.unpack(path, dict)
    assert restored["zeros"].shape == (8 << 20,) and not restored["zeros"].any()


def test_a_bomb_is_refused_by_ratio_before_any_member_is_read(
    manager: PackagersManager, tmp_path: Path, small_floor: None, opened: list[str]
) -> None:
    path = tmp_path / "bomb.npz"
    np.savez_compressed(path, first=np.arange(3), zeros=np.zeros(16 << 20, dtype=np.uint8))
    assert path.stat().st_size * 200 < 16 << 20
    with pytest.raises(UnpackingError) as raised:
        manager.unpack(path, dict)
    message = str(raised.value)
    assert "the npz archive 'bomb'" in message and "member 'zeros.npy'" in message, message
    assert "archive.max_ratio" in message and "MLRUN_PACKAGERS__ARCHIVE__MAX_RATIO" in message
    assert opened == []
    with config.override(archive__max_ratio=5000):
        assert manager.unpack(path, dict)["zeros"].shape == (16 << 20,)


def test_the_size_limit_counts_the_declared_sizes_of_all_members(
    manager: PackagersManager, tmp_path: Path, opened: list[str]
) -> None:
    path = tmp_path / "arrays.npz"
    np.savez(path, a=np.zeros(100), b=np.zeros(100))  # about 928 bytes each
    with (
        config.override(archive__max_size=1500),
        pytest.raises(
            UnpackingError,
            match=r"member 'b\.npy'.*more than 1500 bytes.*archive\.max_size.*"
            r"MLRUN_PACKAGERS__ARCHIVE__MAX_SIZE",
        ),
    ):
        manager.unpack(path, dict[str, np.ndarray])
    assert opened == []
    with config.override(archive__max_size=2000):
        assert list(manager.unpack(path, dict[str, np.ndarray])) == ["a", "b"]


def test_a_packed_collection_is_refused_under_its_key(
    manager: PackagersManager, tmp_path: Path
) -> None:
    item = _packed_item(manager, [np.zeros(1000)], "weights")
    with (
        config.override(archive__max_size=1000),
        pytest.raises(UnpackingError, match=r"npz archive 'weights'.*archive\.max_size"),
    ):
        manager.unpack(item, list[np.ndarray])


def _packed_item(manager: PackagersManager, obj: Any, hint: str) -> DataItem:
    package = manager.pack(obj, hint)
    assert package.artifact is not None and package.artifact.src_path is not None
    return DataItem(package.artifact.src_path, key=package.key, manifest=package.manifest)


def test_a_compressed_array_we_packed_loads_whatever_its_ratio(manager: PackagersManager) -> None:
    """80 MB of zeros deflate about 1000 times: past the floor and the ratio, yet ours."""
    zeros = np.zeros(10**7)
    item = _packed_item(manager, zeros, "zeros : file[compress=True]")
    assert item.manifest is not None
    assert item.manifest["instructions"]["expanded_size"] == zeros.nbytes + 128  # the npy header
    assert zeros.nbytes > plugin_api.ExpansionBudget.RATIO_FLOOR
    assert zeros.nbytes > 200 * Path(item.local()).stat().st_size
    restored = manager.unpack(item, np.ndarray)
    assert restored.shape == zeros.shape and not restored.any()


@pytest.fixture
def packed_zeros(manager: PackagersManager, small_floor: None) -> DataItem:
    """A list of arrays packed as an npz far past the ratio (the floor lowered to 1 MiB)."""
    item = _packed_item(manager, [np.arange(3), np.zeros(2 << 20)], "zeros : file[compress=True]")
    assert item.manifest is not None
    assert Path(item.local()).stat().st_size * 200 < 16 << 20
    return item


def test_a_collection_we_packed_loads_up_to_its_recorded_size(
    manager: PackagersManager, packed_zeros: DataItem
) -> None:
    assert packed_zeros.manifest is not None
    recorded = packed_zeros.manifest["instructions"]["expanded_size"]
    with zipfile.ZipFile(packed_zeros.local()) as archive:
        assert recorded == sum(info.file_size for info in archive.infolist())
    restored = manager.unpack(packed_zeros, list[np.ndarray])
    assert restored[0].tolist() == [0, 1, 2] and restored[1].shape == (2 << 20,)


def test_without_a_recorded_size_the_ratio_still_applies(
    manager: PackagersManager, packed_zeros: DataItem
) -> None:
    """Artifacts packed by earlier versions record no size: read as any archive."""
    assert packed_zeros.manifest is not None
    del packed_zeros.manifest["instructions"]["expanded_size"]
    with pytest.raises(UnpackingError, match=r"member 'arr_1\.npy'.*archive\.max_ratio"):
        manager.unpack(packed_zeros, list[np.ndarray])


def test_an_archive_expanding_past_its_recorded_size_is_refused_before_inflating(
    manager: PackagersManager, packed_zeros: DataItem, opened: list[str]
) -> None:
    assert packed_zeros.manifest is not None
    instructions = packed_zeros.manifest["instructions"]
    instructions["expanded_size"] -= 1
    with pytest.raises(
        UnpackingError,
        match=rf"npz archive 'zeros'.*member 'arr_1\.npy': the archive expands past the "
        rf"{instructions['expanded_size']} bytes its manifest records: damaged or forged",
    ):
        manager.unpack(packed_zeros, list[np.ndarray])
    assert opened == []


def test_the_size_limit_holds_whatever_size_is_recorded(
    manager: PackagersManager, packed_zeros: DataItem, opened: list[str]
) -> None:
    assert packed_zeros.manifest is not None
    recorded = packed_zeros.manifest["instructions"]["expanded_size"]
    with (
        config.override(archive__max_size=recorded - 1),
        pytest.raises(
            UnpackingError,
            match=rf"records that it expands to {recorded} bytes, more than {recorded - 1}.*"
            "archive.max_size",
        ),
    ):
        manager.unpack(packed_zeros, list[np.ndarray])
    assert opened == []
    with config.override(archive__max_size=recorded):
        assert len(manager.unpack(packed_zeros, list[np.ndarray])) == 2


def test_a_header_claiming_more_than_its_member_holds_is_refused_before_allocating(
    manager: PackagersManager, tmp_path: Path, lying_npy: Callable[[tuple[int, ...]], bytes]
) -> None:
    """Without the check numpy would try to allocate 8 TB (a MemoryError, or worse)."""
    path = _npz(
        tmp_path / "forged.npz", {"ok.npy": lying_npy((8,)), "big.npy": lying_npy((10**12,))}
    )
    with pytest.raises(
        UnpackingError,
        match=r"npz archive 'forged'.*member 'big\.npy'.*shape \(1000000000000,\), "
        r"8000000000000 bytes, more than the \d+ bytes it holds",
    ):
        manager.unpack(path, dict)


def test_a_header_claiming_exactly_what_its_member_holds_loads(
    manager: PackagersManager, tmp_path: Path, lying_npy: Callable[[tuple[int, ...]], bytes]
) -> None:
    path = _npz(tmp_path / "exact.npz", {"x.npy": lying_npy((8,))}, zipfile.ZIP_DEFLATED)
    assert manager.unpack(path, dict)["x"].tolist() == [0.0] * 8


def test_a_bzip2_member_is_refused_before_it_is_inflated(
    manager: PackagersManager, tmp_path: Path, opened: list[str]
) -> None:
    """zipfile inflates a bzip2 chunk whole: a few hundred bytes can take gigabytes."""
    stream = io.BytesIO()
    np.save(stream, np.arange(4))
    path = _npz(tmp_path / "bz.npz", {"a.npy": stream.getvalue()}, zipfile.ZIP_BZIP2)
    with pytest.raises(UnpackingError, match=r"member 'a\.npy'.*compressed with bzip2"):
        manager.unpack(path, dict)
    assert opened == []


def test_an_npy_file_named_npz_is_told_apart_without_reading_it(
    manager: PackagersManager, tmp_path: Path, lying_npy: Callable[[tuple[int, ...]], bytes]
) -> None:
    path = tmp_path / "a.npz"
    path.write_bytes(lying_npy((10**12,)))
    with pytest.raises(UnpackingError, match="is an npy file, not an npz archive"):
        manager.unpack(path, dict)
