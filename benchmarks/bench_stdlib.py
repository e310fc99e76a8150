"""stdlib cases: an int result, and a 1 MB dict to a JSON file and back, against plain ``json``.

Ours go through ``PackagersManager()`` with every collected plugin, as a run does, and without
the file digest (the store computes it while uploading). The dict is logged with the default
hint, so the timing includes choosing ``file`` over ``result`` and the typed-JSON encoding. Both
sides of packing write a new file and delete it after each call.
"""

from __future__ import annotations

import json
import os
from typing import Any

from benchmarks.harness import Case, scratch_dir

#: Records of about 80 characters of JSON each: 12 500 make 1 MB.
_RECORDS = {"1 MB": 12_500, "100 kB": 1_250}


def _manager() -> Any:
    import atexit

    from packagers import PackagersManager

    manager = PackagersManager()
    atexit.register(manager.clear)
    return manager


def _records(count: int) -> dict[str, Any]:
    return {
        f"key{i}": {"id": i, "score": i * 0.5, "name": f"name{i}", "tags": ["a", "b"]}
        for i in range(count)
    }


def _pack_setup(count: int) -> Any:
    def setup() -> tuple[Any, dict[str, Any], str]:
        path = os.path.join(scratch_dir("bench-stdlib-"), "data.json")
        return _manager(), _records(count), path

    return setup


def _pack_ours(data: tuple[Any, dict[str, Any], str]) -> None:
    manager, records, _ = data
    package = manager.pack(records, "data", digest=False)
    os.remove(package.artifact.src_path)


def _pack_raw(data: tuple[Any, dict[str, Any], str]) -> None:
    _, records, path = data
    with open(path, "w") as stream:
        json.dump(records, stream)
    os.remove(path)


def _unpack_setup(count: int) -> Any:
    def setup() -> tuple[Any, Any, str]:
        from packagers import DataItem

        manager, records = _manager(), _records(count)
        package = manager.pack(records, "data", digest=False)
        item = DataItem(package.artifact.src_path, key="data", manifest=package.manifest)
        return manager, item, package.artifact.src_path

    return setup


def _unpack_ours(data: tuple[Any, Any, str]) -> Any:
    manager, item, _ = data
    return manager.unpack(item, dict)


def _unpack_raw(data: tuple[Any, Any, str]) -> Any:
    with open(data[2], "rb") as stream:
        return json.load(stream)


def cases(quick: bool) -> list[Case]:
    label = "100 kB" if quick else "1 MB"
    count = _RECORDS[label]
    return [
        Case(
            name="stdlib: pack int result (per call)",
            setup=_manager,
            ours=lambda manager: manager.pack(7, "n"),
            raw=lambda manager: {"n": 7},
            inner=10_000,
            max_seconds=10e-6,
        ),
        Case(
            name=f"stdlib: {label} dict to json file",
            setup=_pack_setup(count),
            ours=_pack_ours,
            raw=_pack_raw,
            inner=5,
            target=2.0,
        ),
        Case(
            name=f"stdlib: {label} dict from json file",
            setup=_unpack_setup(count),
            ours=_unpack_ours,
            raw=_unpack_raw,
            inner=5,
            target=2.0,
        ),
    ]
