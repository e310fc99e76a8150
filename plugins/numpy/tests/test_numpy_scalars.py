"""NumPyScalarPackager: JSON results by default, files and pickles that keep the scalar type."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import packagers
from packagers import DataItem, DefaultPackager, LogHint, PackagersManager, UnpackingError
from packagers.testing import PackagerConformance, round_trip
from packagers_numpy import NumPyScalarPackager

SCALARS = [
    np.float64(0.1),
    np.float64("nan"),
    np.float32(-0.0),
    np.float16(65504),
    np.longdouble(1) / 3,
    np.int8(-128),
    np.uint64(2**64 - 1),
    np.int64(-(2**63)),
    np.bool_(True),
    np.str_("héllo"),
    np.str_(""),
    np.bytes_(b"\x00ab"),
    np.complex64(1 - 2j),
    np.clongdouble(1 + 1j) / 3,
    np.datetime64("2020-01-01T00:00:00.000000001", "ns"),
    np.datetime64("NaT", "D"),
    np.timedelta64(-5, "h"),
    np.zeros(1, dtype=[("a", "<i4"), ("b", "<f8")])[0],
]


def same_scalar(original: Any, restored: Any) -> None:
    """The same numpy type and value; NaN and NaT equal to themselves."""
    assert type(restored) is type(original), (type(original), type(restored))
    assert restored.dtype == original.dtype
    kind = original.dtype.kind
    if kind in "fc":
        assert np.array_equal(restored, original, equal_nan=True)
        assert np.signbit(np.real(restored)) == np.signbit(np.real(original))  # -0.0 stays
    elif kind in "mM":
        assert np.array(restored).view(np.int64) == np.array(original).view(np.int64)  # NaT too
    else:
        assert restored == original


class TestNumPyScalarConformance(PackagerConformance):
    packager_class = NumPyScalarPackager

    def samples(self) -> list[Any]:
        return SCALARS

    def assert_same(self, original: Any, restored: Any) -> None:
        same_scalar(original, restored)


@pytest.mark.parametrize("scalar", SCALARS, ids=lambda scalar: f"{scalar.dtype}-{scalar!r}")
def test_json_values_are_results_and_others_files(scalar: Any) -> None:
    with PackagersManager([NumPyScalarPackager]) as manager:
        package = manager.pack(scalar, "value")
    holds_json = scalar.dtype.kind in "biuU" or (
        scalar.dtype.kind == "f" and scalar.dtype.itemsize <= 8
    )
    assert package.artifact_type == ("result" if holds_json else "file")
    if holds_json:
        value = package.value
        assert type(value) in (bool, int, float, str)
        assert value == scalar.item() or (math.isnan(value) and math.isnan(scalar))
        json.dumps(package.manifest)


@pytest.mark.parametrize("artifact_type", ["file", "object"])
@pytest.mark.parametrize("scalar", SCALARS, ids=lambda scalar: f"{scalar.dtype}-{scalar!r}")
def test_files_and_pickles_come_back_as_the_same_numpy_scalar(
    scalar: Any, artifact_type: str
) -> None:
    with (
        PackagersManager([NumPyScalarPackager]) as manager,
        packagers.config.override(pickle__policy="allow"),
    ):
        restored, package = round_trip(manager, scalar, LogHint("value", artifact_type))
        assert package.manifest["object_type"] == f"numpy.{type(scalar).__name__}"
        same_scalar(scalar, restored)
        hinted = manager.unpack(
            DataItem(package.artifact.src_path, manifest=package.manifest),  # type: ignore[union-attr]
            type(scalar),
        )
        same_scalar(scalar, hinted)


def test_a_scalar_file_is_a_0d_npy(tmp_path: Path) -> None:
    with PackagersManager([NumPyScalarPackager]) as manager:
        package = manager.pack(np.complex128(3 - 1j), "value : file")
        assert package.manifest["format"] == "npy"
        assert package.manifest["spec"] == {"dtype": "complex128"}
        assert package.artifact is not None and package.artifact.src_path is not None
        assert np.load(package.artifact.src_path).shape == ()


@pytest.mark.parametrize("hint", [np.float32, np.floating, np.number, np.generic])
def test_plain_npy_scalars_unpack_for_any_scalar_hint(tmp_path: Path, hint: type) -> None:
    path = tmp_path / "value.npy"
    np.save(path, np.float32(2.5))
    with PackagersManager([NumPyScalarPackager]) as manager:
        restored = manager.unpack(path, hint)
    assert type(restored) is np.float32 and restored == 2.5


def test_an_array_is_not_a_scalar(tmp_path: Path) -> None:
    path = tmp_path / "values.npy"
    np.save(path, np.arange(3))
    with (
        PackagersManager([NumPyScalarPackager]) as manager,
        pytest.raises(
            UnpackingError, match=r"array of shape \(3,\), not a scalar; ask for np.ndarray"
        ),
    ):
        manager.unpack(path, np.int64)


def test_numpy_scalars_win_over_python_type_packagers_that_take_subclasses() -> None:
    """np.float64 is a float and np.str_ a str: the stdlib packagers must not get them."""

    class FloatPackager(DefaultPackager):
        PACKABLE_OBJECT_TYPE = float
        PACK_SUBCLASSES = True
        DEFAULT_PACKING_ARTIFACT_TYPE = "result"

    class StrPackager(DefaultPackager):
        PACKABLE_OBJECT_TYPE = str
        PACK_SUBCLASSES = True
        DEFAULT_PACKING_ARTIFACT_TYPE = "result"

    with PackagersManager([FloatPackager, StrPackager, NumPyScalarPackager]) as manager:
        for scalar in (np.float64(1.5), np.str_("x"), np.complex128(1j), np.bytes_(b"x")):
            packager, _ = manager.choose_packager(scalar)
            assert type(packager) is NumPyScalarPackager
        assert type(manager.choose_packager(1.5)[0]) is FloatPackager


@pytest.mark.skipif(
    np.finfo(np.longdouble).nmant != 63 or np.dtype(np.longdouble).itemsize <= 10,
    reason="long double is not x87 extended precision here: it has no padding",
)
def test_long_double_padding_is_written_as_zeros(manager: PackagersManager) -> None:
    """numpy leaves a long double's padding (2 or 6 of 12 or 16 bytes) as memory held it: equal
    values would write different files, so the same scalar logged twice got two digests."""
    value = np.clongdouble("0.33333333333333333334+0.33333333333333333334j")
    size = np.dtype(np.longdouble).itemsize
    for obj in (value, np.array([value, value])):
        package = manager.pack(obj, "value : file")
        payload = Path(package.artifact.src_path).read_bytes()[-obj.nbytes :]
        parts = [payload[start : start + size] for start in range(0, len(payload), size)]
        assert len(parts) == obj.nbytes // size
        assert all(part[10:] == bytes(size - 10) for part in parts), type(obj)
