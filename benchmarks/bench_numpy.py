"""numpy cases: a float64 array packed to npy and unpacked, against ``np.save``/``np.load``.

Ours go through the manager, as a run does, without the file digest (the store computes it while
uploading). Packing is measured twice. Without the preview, it is the packer's own cost, held to
the 1.10x every format is. With it (as runs pack), the preview gets a fixed allowance on top,
:data:`PREVIEW_ALLOWANCE`: it summarises a fixed sample whatever the array's size, about 70 µs
in a loop of previews and 250-350 µs after a write of 8 MB, which evicts from the processor's
caches both the sample and the code that summarises it (measured here, on two cores). That is a
tenth of writing 8 MB, and under a thousandth of the 76 MB and 760 MB cases.

Both sides of packing write a new file and delete it after each call (overwriting in place
would be slower: ext4 flushes a file that is truncated and rewritten), ours under a new name each
time: its packager keeps its paths until it is cleared, which belongs to the end of a run.
Unpacking reads a file already in the page cache on both sides.
"""

from __future__ import annotations

import atexit
import functools
import os
import shutil
import tempfile
from typing import Any

from benchmarks.harness import Case, format_cases

_SIZES = {"8 MB": 1_000_000, "76 MB": 9_500_000, "760 MB": 95_000_000}
#: Seconds a preview may add to a pack, whatever the array's size (see above).
PREVIEW_ALLOWANCE = 0.5e-3


def _array(size: int) -> Any:
    import numpy as np

    return np.random.default_rng(0).random(size)


def _manager(preview: bool = True) -> Any:
    from packagers import PackagersManager, config
    from packagers_numpy import NDArrayPackager

    config.preview.enabled = preview
    manager = PackagersManager([NDArrayPackager])
    atexit.register(manager.clear)
    return manager


def _raw_path() -> str:
    """Where the raw side writes, deleted when the measuring process exits."""
    directory = tempfile.mkdtemp(prefix="bench-numpy-")
    atexit.register(shutil.rmtree, directory, ignore_errors=True)
    return os.path.join(directory, "arr.npy")


def _pack_setup(size: int, preview: bool) -> Any:
    def setup() -> tuple[Any, Any, str]:
        return _manager(preview), _array(size), _raw_path()

    return setup


def _pack_ours(data: tuple[Any, Any, str]) -> None:
    manager, array, _ = data
    package = manager.pack(array, "arr : file", digest=False)
    os.remove(package.artifact.src_path)


def _pack_raw(data: tuple[Any, Any, str]) -> None:
    import numpy as np

    _, array, path = data
    np.save(path, array)
    os.remove(path)


def _unpack_setup(size: int) -> Any:
    def setup() -> tuple[Any, Any, str]:
        import numpy as np

        from packagers import DataItem

        manager, array = _manager(), _array(size)
        package = manager.pack(array, "arr : file", digest=False)
        assert package.artifact is not None and package.artifact.src_path is not None
        item = DataItem(package.artifact.src_path, key="arr", manifest=package.manifest)
        raw_path = _raw_path()
        np.save(raw_path, array)
        return manager, item, raw_path

    return setup


def _unpack_ours(data: tuple[Any, Any, str]) -> Any:
    import numpy as np

    manager, item, _ = data
    return manager.unpack(item, np.ndarray)


def _unpack_raw(data: tuple[Any, Any, str]) -> Any:
    import numpy as np

    return np.load(data[2])


def cases(quick: bool) -> list[Case]:
    labels = ["8 MB"] if quick else ["76 MB", "760 MB"]
    found: list[Case] = []
    for label in labels:
        size = _SIZES[label]
        repeat = 3 if size >= 50_000_000 else 5
        found += format_cases(
            f"numpy: pack {label} float64 to npy",
            (functools.partial(_pack_setup, size), _pack_ours, _pack_raw),
            f"numpy: unpack {label} float64 from npy",
            (_unpack_setup(size), _unpack_ours, _unpack_raw),
            repeat=repeat,
            preview_allowance=PREVIEW_ALLOWANCE,
        )
    return found
