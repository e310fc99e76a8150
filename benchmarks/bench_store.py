"""Store cases: logging a large array (digest included) against a bare ``np.save``.

Each call of the first case changes one element of the array first (both sides), so every log
stores a new blob in the same store; it deletes the blob of the previous call (else dirty pages
pile up and the kernel throttles every write, which says nothing about the store). The raw side
does the same by hand: ``np.save`` to a new file each call, and the previous file deleted (over
the same file, ``np.save`` took twice as long here: ext4 flushes a file truncated and rewritten).
The dedup case logs into a store that already holds the array: it must hash, and write no data
at all (its setup checks that the store's size is unchanged by a second log).

The targets are for the store's own work: the write, the digest and placing the blob, besides
the array's preview, allowed as the numpy packing case allows it (:data:`PREVIEW_ALLOWANCE`,
about 0.5 ms of a 3 ms log here). The store sits in ``TMPDIR``, on tmpfs (the harness), beside
the packer's temporary file, so that the store can hard-link that file instead of copying it.
A log makes three small files besides its data (the manifest, the preview, and the marker that
tells a concurrent ``gc`` a writer is busy): on this machine's disk the same case measured 1.3
to 2.9 times ``np.save`` from one run to the next, with no change in between, by the block
group each side's directory sat in (``bench_run`` says why, and measures a run's files on
disk).
"""

from __future__ import annotations

import importlib.util
import os
from typing import Any

from benchmarks.bench_numpy import PREVIEW_ALLOWANCE
from benchmarks.harness import Case, scratch_dir

_FULL = 95_000_000  # float64: 760 MB
_QUICK = 1_000_000  # 8 MB


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

    import numpy as np

    _use_numpy_packager()
    base = scratch_dir("bench-store-")
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


def cases(quick: bool) -> list[Case]:
    # the stand-in packer (without the numpy plugin) makes no preview
    preview = PREVIEW_ALLOWANCE if importlib.util.find_spec("packagers_numpy") else 0.0
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
            slack_seconds=preview,
        ),
        Case(
            name=f"store: log the same {label} array again",
            setup=lambda: _setup_dedup(size),
            ours=_log_again,
            raw=_np_save,
            repeat=repeat,
            target=1.5,
            slack_seconds=preview,
        ),
    ]
