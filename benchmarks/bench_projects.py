"""Project cases: a ``local`` run of a no-op command entry point against ``subprocess.run``.

Both sides start ``bash -c true`` in the project directory; ours also reads the ``MLproject``
file, checks the parameters, records the run (``running``, then final), captures stdout and
stderr and stores them as artifacts. The issue allows 1.2x plus 30 ms.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from benchmarks.harness import Case, scratch_dir


def _setup() -> Any:
    from packagers.projects import load, run

    root = Path(scratch_dir("packagers-bench-project-"))
    (root / "MLproject").write_text(
        "name: bench\nentry_points:\n  main:\n    parameters: {n: {type: int, default: 1}}\n"
        "    command: true {n}\n"
    )
    store = scratch_dir("packagers-bench-project-store-")
    return root, store, load, run


def _ours(data: Any) -> None:
    root, store, _, run = data
    handle = run(str(root), "main", env_manager="local", store=store)
    assert handle.state == "completed", handle.record.error


def _raw(data: Any) -> None:
    import subprocess

    root = data[0]
    subprocess.run(["bash", "-c", "true 1"], cwd=root, check=True)


def cases(quick: bool) -> list[Case]:
    return [
        Case(
            name="project: local run of a no-op command",
            setup=_setup,
            ours=_ours,
            raw=_raw,
            repeat=5 if quick else 20,
            target=1.2,
            slack_seconds=0.030,
        )
    ]
