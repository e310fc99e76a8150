"""Core cases: the cost of importing packagers, and pickling a small object.

The int result case lives in ``bench_stdlib``: the stdlib plugin is what packs an int.
"""

from __future__ import annotations

import atexit
import os
import subprocess
import sys
from collections.abc import Callable
from typing import Any

from benchmarks.harness import Case, scratch_dir

#: Seconds a preview may add to packing a small object. A container's preview may call its
#: items' ``str`` (any code), so it runs on a helper thread, under a time limit; handing it over
#: and back costs about 120 µs on this two-core virtual machine (measured: 181 µs a pack with
#: the preview, 58 µs without, against 37 µs for the raw write), whatever the preview does.
_PREVIEW_ALLOWANCE = 0.25e-3


class _Point:
    def __init__(self, x: float, y: float) -> None:
        self.x, self.y = x, y


def _manager(preview: bool) -> Any:
    from packagers import PackagersManager, config

    config.pickle.policy = "allow"
    config.preview.enabled = preview
    manager = PackagersManager()
    atexit.register(manager.clear)
    return manager


def _pickle_setup(preview: bool) -> Callable[[], tuple[Any, str, Any]]:
    def setup() -> tuple[Any, str, Any]:
        points = {"points": [_Point(i, i * 2) for i in range(10)]}
        return _manager(preview), scratch_dir("packagers-bench-core-"), points

    return setup


def _pickle_ours(data: tuple[Any, str, Any]) -> None:
    manager, _, obj = data
    package = manager.pack(obj, "obj : object", digest=False)
    os.remove(package.artifact.src_path)


def _pickle_raw(data: tuple[Any, str, Any]) -> None:
    """A new file each time, as packing makes (rewriting one file in place is another cost:
    cheaper while the disk is busy allocating inodes, dearer when it is not)."""
    import cloudpickle

    _, directory, obj = data
    path = os.path.join(directory, "obj.pkl")
    with open(path, "wb") as stream:
        stream.write(cloudpickle.dumps(obj))
    os.remove(path)


def cases(quick: bool) -> list[Case]:
    return [
        Case(
            name="core: python -c 'import packagers' vs 'pass'",
            ours=lambda _: subprocess.run([sys.executable, "-c", "import packagers"], check=True),
            raw=lambda _: subprocess.run([sys.executable, "-c", "pass"], check=True),
            repeat=11,
        ),
        Case(
            name="core: pickle a small object",
            setup=_pickle_setup(preview=True),
            ours=_pickle_ours,
            raw=_pickle_raw,
            inner=200,
            target=2.0,
            slack_seconds=_PREVIEW_ALLOWANCE,
        ),
        Case(
            name="core: pickle a small object, no preview",
            setup=_pickle_setup(preview=False),
            ours=_pickle_ours,
            raw=_pickle_raw,
            inner=200,
            target=2.0,
        ),
    ]
