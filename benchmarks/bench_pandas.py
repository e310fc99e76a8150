"""pandas cases: a float frame packed to parquet and unpacked, against pyarrow by hand.

Raw packing is ``pq.write_table(pa.Table.from_pandas(df), path)`` (the conversion counts on both
sides); raw unpacking is ``pq.read_table(path).to_pandas()``. Both sides of packing write a new
file and delete it after each call, as in the numpy cases. Ours go through the manager, as a
run does, without the file digest (the store computes it while uploading). Packing is measured
with the preview (as runs pack), with a fixed allowance for it, and without, held to the target
alone (see ``format_cases``).
"""

from __future__ import annotations

import atexit
import functools
import os
from typing import Any

from benchmarks.harness import Case, format_cases, scratch_dir

_COLUMNS = 10
#: Seconds a table's preview may add to a pack: statistics of a sample of at most 8192 rows,
#: about 2 ms for these 10 columns (measured here), whatever the number of rows.
_PREVIEW_ALLOWANCE = 4e-3


def _frame(rows: int) -> Any:
    import numpy as np
    import pandas as pd

    generator = np.random.default_rng(0)
    values = generator.random((rows, _COLUMNS))
    return pd.DataFrame(values, columns=[f"c{i}" for i in range(_COLUMNS)])


def _pack_setup(rows: int, preview: bool) -> Any:
    def setup() -> tuple[Any, Any, str]:
        from packagers import PackagersManager, config

        config.preview.enabled = preview
        manager = PackagersManager()
        atexit.register(manager.clear)
        return manager, _frame(rows), scratch_dir("bench-pandas-")

    return setup


def _pack_ours(data: tuple[Any, Any, str]) -> None:
    manager, frame, _ = data
    package = manager.pack(frame, "frame : dataset", digest=False)
    os.remove(package.artifact.src_path)  # one file at a time, as the raw side writes its own


def _pack_raw(data: tuple[Any, Any, str]) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    _, frame, directory = data
    path = os.path.join(directory, "frame.parquet")
    pq.write_table(pa.Table.from_pandas(frame), path)
    os.remove(path)


def _unpack_setup(rows: int) -> Any:
    def setup() -> tuple[Any, Any, str]:
        import pyarrow as pa
        import pyarrow.parquet as pq

        from packagers import DataItem, PackagersManager

        manager = PackagersManager()
        atexit.register(manager.clear)
        frame = _frame(rows)
        package = manager.pack(frame, "frame : dataset", digest=False)
        assert package.artifact is not None and package.artifact.src_path is not None
        item = DataItem(package.artifact.src_path, key="frame", manifest=package.manifest)
        raw_path = os.path.join(scratch_dir("bench-pandas-"), "frame.parquet")
        pq.write_table(pa.Table.from_pandas(frame), raw_path)
        return manager, item, raw_path

    return setup


def _unpack_ours(data: tuple[Any, Any, str]) -> Any:
    import pandas as pd

    manager, item, _ = data
    return manager.unpack(item, pd.DataFrame)


def _unpack_raw(data: tuple[Any, Any, str]) -> Any:
    import pyarrow.parquet as pq

    return pq.read_table(data[2]).to_pandas()


def cases(quick: bool) -> list[Case]:
    sizes = [100_000] if quick else [1_000_000, 10_000_000]
    found: list[Case] = []
    for rows in sizes:
        label = f"{rows:.0e}".replace("+0", "").replace("+", "")
        repeat = 5 if rows >= 1_000_000 else 11
        found += format_cases(
            f"pandas: pack {label}x{_COLUMNS} floats to parquet",
            (functools.partial(_pack_setup, rows), _pack_ours, _pack_raw),
            f"pandas: unpack {label}x{_COLUMNS} floats from parquet",
            (_unpack_setup(rows), _unpack_ours, _unpack_raw),
            repeat=repeat,
            preview_allowance=_PREVIEW_ALLOWANCE,
        )
    return found
