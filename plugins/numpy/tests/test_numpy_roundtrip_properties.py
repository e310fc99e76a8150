"""Property-based round trips: random arrays through every format the README documents.

Each test asserts the README's promise for its format: exact dtype, shape and bytes where it
promises exactness, the documented refusal otherwise. The examples are deterministic and few by
default; ``PACKAGERS_HYPOTHESIS=fuzz`` runs many more (see the repository's conftest.py). The
managers are the plugin's fixtures, shared by a test's examples.
"""

from __future__ import annotations

from typing import Annotated, Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from packagers import LogHint, PackagersManager, PackingError, config
from packagers.testing import round_trip
from packagers_numpy import MemoryMap

SameArray = Any  # the ``same_array`` fixture of conftest.py

#: Numbers, booleans and times: what the text formats hold (README, ``file`` formats).
TEXT_DTYPES = st.one_of(
    hnp.boolean_dtypes(),
    hnp.integer_dtypes(),
    hnp.unsigned_integer_dtypes(),
    hnp.floating_dtypes(sizes=(16, 32, 64, 128)),
    hnp.complex_number_dtypes(),
    hnp.datetime64_dtypes(),
    hnp.timedelta64_dtypes(),
)
#: Everything npy and npz hold: all but object arrays.
NPY_DTYPES = st.one_of(
    TEXT_DTYPES,
    hnp.byte_string_dtypes(),
    hnp.unicode_string_dtypes(),
    hnp.array_dtypes(subtype_strategy=TEXT_DTYPES, max_size=3),
)
#: 2-D arrays of these are datasets (README, ``dataset``).
DATASET_DTYPES = st.one_of(
    hnp.boolean_dtypes(),
    hnp.integer_dtypes(),
    hnp.unsigned_integer_dtypes(),
    hnp.floating_dtypes(sizes=(16, 32, 64)),
    hnp.datetime64_dtypes(),
    hnp.timedelta64_dtypes(),
    hnp.byte_string_dtypes(),
    hnp.unicode_string_dtypes(),
)
#: Results: JSON numbers and booleans.
RESULT_DTYPES = st.one_of(
    hnp.boolean_dtypes(),
    hnp.integer_dtypes(),
    hnp.unsigned_integer_dtypes(),
    hnp.floating_dtypes(sizes=(16, 32, 64)),
)


@st.composite
def arrays(
    draw: st.DrawFn, dtypes: st.SearchStrategy[np.dtype[Any]], min_dims: int = 0, max_dims: int = 3
) -> np.ndarray[Any, Any]:
    """Arrays of ``dtypes``, of any shape (empty ones too), C or Fortran ordered."""
    shape = draw(hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=0, max_side=5))
    array = draw(hnp.arrays(draw(dtypes), shape))
    return np.asfortranarray(array) if draw(st.booleans()) else array


def same_values(original: np.ndarray[Any, Any], restored: np.ndarray[Any, Any]) -> None:
    """Same dtype, shape and values; NaN equal to NaN whatever its sign and payload bits.

    Text formats write NaN as ``nan`` (README: numpy's shortest round-trip repr), so only the
    binary formats are held to the same bytes.
    """
    assert restored.dtype == original.dtype, (original.dtype, restored.dtype)
    assert restored.shape == original.shape, (original.shape, restored.shape)
    nan = original.dtype.kind in "fc"
    np.testing.assert_array_equal(restored, original, strict=True)
    if nan:  # and the sign of every zero and infinity
        finite = ~np.isnan(original)
        assert (np.signbit(restored.real)[finite] == np.signbit(original.real)[finite]).all()


@given(array=arrays(NPY_DTYPES))
@pytest.mark.parametrize("fmt", ["npy", "npz"])
def test_npy_and_npz_keep_every_array_exactly(
    manager: PackagersManager, same_array: SameArray, fmt: str, array: np.ndarray[Any, Any]
) -> None:
    restored, _ = round_trip(
        manager, array, LogHint("arr", "file", packing_kwargs={"format": fmt}), np.ndarray
    )
    same_array(array, restored)
    if array.flags.f_contiguous and not array.flags.c_contiguous:
        assert restored.flags.f_contiguous  # the README promises Fortran order


@given(array=arrays(NPY_DTYPES, min_dims=1))
def test_npy_files_map_exactly(
    manager: PackagersManager, same_array: SameArray, array: np.ndarray[Any, Any]
) -> None:
    package = manager.pack(array, LogHint("arr", "file"))
    assert package.artifact is not None and package.artifact.src_path is not None
    mapped = manager.unpack(package.artifact.src_path, Annotated[np.ndarray, MemoryMap()])
    same_array(array, mapped, np.memmap)


@given(array=arrays(TEXT_DTYPES, min_dims=1, max_dims=2))
@pytest.mark.parametrize("fmt", ["txt", "csv", "gz"])
def test_text_formats_keep_numbers_and_times(
    manager: PackagersManager, fmt: str, array: np.ndarray[Any, Any]
) -> None:
    restored, _ = round_trip(
        manager, array, LogHint("arr", "file", packing_kwargs={"format": fmt}), np.ndarray
    )
    same_values(array, restored)


@given(array=arrays(NPY_DTYPES))
@pytest.mark.parametrize("fmt", ["txt", "csv", "gz"])
def test_text_formats_refuse_what_they_cannot_hold(
    manager: PackagersManager, fmt: str, array: np.ndarray[Any, Any]
) -> None:
    holds = array.ndim in (1, 2) and array.dtype.kind in "biufcmM"
    if holds:
        return
    with pytest.raises(PackingError, match="use one of: npy, npz"):
        manager.pack(array, LogHint("arr", "file", packing_kwargs={"format": fmt}))


@given(
    array=hnp.arrays(
        object,
        hnp.array_shapes(min_dims=0, max_dims=2, min_side=0, max_side=4),
        elements=st.none() | st.integers() | st.text(max_size=5) | st.tuples(st.integers()),
    )
)
def test_object_arrays_are_pickles_that_come_back(
    manager: PackagersManager, array: np.ndarray[Any, Any]
) -> None:
    with config.override(pickle__policy="allow"):
        restored, package = round_trip(manager, array, LogHint("arr", "file"), np.ndarray)
    assert package.manifest["format"] == "pkl"
    assert restored.dtype == array.dtype and restored.shape == array.shape
    assert restored.tolist() == array.tolist()


@given(array=arrays(DATASET_DTYPES, min_dims=2, max_dims=2))
def test_datasets_keep_2d_arrays_or_refuse_times_arrow_cannot_hold(
    manager: PackagersManager, same_array: SameArray, array: np.ndarray[Any, Any]
) -> None:
    try:
        restored, package = round_trip(manager, array, LogHint("arr", "dataset"), np.ndarray)
    except PackingError as error:  # the README's refusals: times, and text UTF-8 lacks
        assert array.dtype.kind in "mMU", error
        assert "cannot hold" in str(error)
        return
    assert package.manifest["format"] == "parquet"
    same_array(np.ascontiguousarray(array), restored)


@given(array=arrays(RESULT_DTYPES).filter(lambda array: array.size <= 100))
def test_small_numeric_arrays_are_their_nested_lists(
    manager: PackagersManager, array: np.ndarray[Any, Any]
) -> None:
    package = manager.pack(array, LogHint("arr"))
    assert package.is_result
    assert type(package.value) is type(array.tolist())
    same_values(array, np.array(package.value, dtype=array.dtype).reshape(array.shape))


@given(array=arrays(NPY_DTYPES, min_dims=0, max_dims=0))
def test_scalars_packed_as_files_come_back_as_the_same_scalar(
    collected_manager: PackagersManager, same_array: SameArray, array: np.ndarray[Any, Any]
) -> None:
    scalar = array[()]
    restored, _ = round_trip(collected_manager, scalar, LogHint("x", "file"), type(scalar))
    assert type(restored) is type(scalar)
    same_array(np.asarray(scalar), np.asarray(restored))


@given(
    named=st.dictionaries(st.text(max_size=8), arrays(NPY_DTYPES), min_size=1, max_size=4),
    compress=st.booleans(),
)
def test_lists_and_dicts_of_arrays_are_one_npz_in_order(
    manager: PackagersManager,
    same_array: SameArray,
    named: dict[str, np.ndarray[Any, Any]],
    compress: bool,
) -> None:
    hint = LogHint("arrays", "file", packing_kwargs={"compress": compress})
    if any("\x00" in name for name in named):  # README: zip names cannot hold NUL characters
        with pytest.raises(PackingError, match="cannot be an npz member name"):
            manager.pack(named, hint)
        return
    restored_dict, _ = round_trip(manager, named, hint, dict[str, np.ndarray])
    assert list(restored_dict) == list(named)
    for name, array in named.items():
        same_array(array, restored_dict[name])
    listed = list(named.values())
    restored_list, _ = round_trip(manager, listed, hint, list[np.ndarray])
    assert len(restored_list) == len(listed)
    for array, restored in zip(listed, restored_list, strict=True):
        same_array(array, restored)
