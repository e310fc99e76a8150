"""Store cases: logging a large array (digest included) against a bare ``np.save``.

Each call of the first case changes one element of the array first (both sides), so every log
stores a new blob in the same store; it deletes the blob of the previous call (else dirty pages
pile up and the kernel throttles every write, which says nothing about the store). The raw side
does the same by hand: ``np.save`` to a new file each call, and the previous file deleted (over
the same file, ``np.save`` took twice as long here: ext4 flushes a file truncated and rewritten).
The dedup case logs into a store that already holds the array: it must hash, and write no data
at all (its setup checks that the store's size is unchanged by a second log).

The targets are for the data's path (the write and the digest). Besides it a log writes three
small files whatever the size (the manifest, the preview, and the marker that tells a concurrent
``gc`` a writer is busy), allowed on top as long as writing three small files by hand takes in
the same run (:func:`_small_files`). On a quiet disk that is a few tens of microseconds; on
this machine's ext4, creating a file costs up to a millisecond for minutes after many deletions
(``bench_run`` says why), and the two sides differ by those files, not by the data.

The store directory sits in the system temp directory, like the packer's temporary file, so the
store can hard-link that file instead of copying it; on a store on another filesystem the store
copies while hashing, which adds one write.
"""

from __future__ import annotations

import os
import shutil
import statistics
import tempfile
import time
from typing import Any

from benchmarks.harness import Case

_FULL = 95_000_000  # float64: 760 MB
_QUICK = 1_000_000  # 8 MB
#: The small files a log writes besides its data, and how many times the raw side times them.
_SMALL_FILES = 3
_TIMED_TRIPS = 10


def _use_numpy_packager() -> None:
    """Without the numpy plugin, an ``np.save`` packer stands in: what is measured is the store."""
    try:
        import packagers_numpy  # noqa: F401
    except ImportError:
        import numpy as np

        from packagers import Artifact, DefaultPackager, add_custom_packager

        class NpySavePackager(DefaultPackager):
            PACKABLE_OBJECT_TYPE = np.ndarray
            DEFAULT_PACKING_ARTIFACT_TYPE = "file"

            def pack_file(self, obj: Any, key: str) -> tuple[Artifact, dict[str, Any]]:
                path = self.temp_path(key, ".npy")
                np.save(path, obj)
                return Artifact(key, path, format="npy"), {}

        add_custom_packager(NpySavePackager)


def _store_size(root: str) -> int:
    return sum(
        os.path.getsize(os.path.join(directory, name))
        for directory, _, names in os.walk(os.path.join(root, "blobs"))
        for name in names
    )


def _setup(size: int) -> dict[str, Any]:
    import atexit

    import numpy as np

    _use_numpy_packager()
    base = tempfile.mkdtemp(prefix="bench-store-")
    atexit.register(shutil.rmtree, base, True)
    array = np.random.default_rng(0).random(size)
    # the raw side's own copy: it changes it, ours may log it unchanged
    return {
        "array": array,
        "raw_array": array.copy(),
        "base": base,
        "store": os.path.join(base, "store"),
    }


def _log_new(state: dict[str, Any]) -> None:
    from packagers.api import log

    if "previous" in state:
        os.remove(os.path.join(state["store"], state.pop("previous")))
    state["array"][0] += 1
    state["previous"] = log(state["array"], "a : file", store=state["store"]).manifest["blob"]


def _np_save_new(state: dict[str, Any]) -> None:
    state["raw_array"][0] += 1
    _np_save(state)


def _setup_dedup(size: int) -> dict[str, Any]:
    from packagers.api import log

    state = _setup(size)
    log(state["array"], "a : file", store=state["store"])
    before = _store_size(state["store"])
    log(state["array"], "a : file", store=state["store"])
    if _store_size(state["store"]) != before:
        raise AssertionError("logging the same array twice wrote new blob bytes")
    return state


def _log_again(state: dict[str, Any]) -> None:
    from packagers.api import log

    log(state["array"], "a : file", store=state["store"])


def _np_save(state: dict[str, Any]) -> None:
    import numpy as np

    number = state["saved"] = state.get("saved", 0) + 1
    np.save(os.path.join(state["base"], f"raw-{number}.npy"), state["raw_array"])
    if number > 1:
        os.remove(os.path.join(state["base"], f"raw-{number - 1}.npy"))


def _small_files(state: dict[str, Any]) -> float:
    """Seconds to write :data:`_SMALL_FILES` small files by hand, each to a temporary name and
    renamed into place, in a folder beside the store: the median of a few, each timed right
    after the raw side's own call, so on the disk as the sides found it."""
    folder = os.path.join(state["base"], "small")
    os.makedirs(folder, exist_ok=True)
    times = []
    for trip in range(_TIMED_TRIPS):
        _np_save(state)
        start = time.perf_counter()
        for number in range(_SMALL_FILES):
            target = os.path.join(folder, f"{trip}-{number}.json")
            with open(f"{target}.part", "wb") as stream:
                stream.write(b"x" * 800)
            os.replace(f"{target}.part", target)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def cases(quick: bool) -> list[Case]:
    size = _QUICK if quick else _FULL
    label = f"{size * 8 // 1_000_000} MB"
    repeat = 5 if quick else 3
    return [
        Case(
            name=f"store: log a {label} array (digest) vs np.save",
            setup=lambda: _setup(size),
            ours=_log_new,
            raw=_np_save_new,
            repeat=repeat,
            target=1.5,
            measured_slack=_small_files,
        ),
        Case(
            name=f"store: log the same {label} array again",
            setup=lambda: _setup_dedup(size),
            ours=_log_again,
            raw=_np_save,
            repeat=repeat,
            target=1.5,
            measured_slack=_small_files,
        ),
    ]
