"""A plain npy file whose header claims more than the file holds is refused before numpy
allocates the array."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from packagers import PackagersManager, UnpackingError


@pytest.mark.parametrize("hint", [np.ndarray, np.memmap], ids=lambda hint: hint.__name__)
def test_a_header_claiming_more_than_the_file_holds_is_refused(
    manager: PackagersManager,
    tmp_path: Path,
    hint: type,
    lying_npy: Callable[[tuple[int, ...]], bytes],
) -> None:
    path = tmp_path / "forged.npy"
    path.write_bytes(lying_npy((10**12,)))
    with pytest.raises(
        UnpackingError, match=r"refusing to load 'forged'.*claims a float64 array of shape"
    ):
        manager.unpack(path, hint)


def test_a_header_claiming_what_the_file_holds_loads(
    manager: PackagersManager, tmp_path: Path, lying_npy: Callable[[tuple[int, ...]], bytes]
) -> None:
    path = tmp_path / "exact.npy"
    path.write_bytes(lying_npy((8,)))
    assert manager.unpack(path, np.ndarray).tolist() == [0.0] * 8
