"""Project environment cases: what preparing an environment costs when it is already built.

The environment (no dependencies beyond packagers itself) is built for real once, in a cache
directory kept between benchmark runs (under the user's cache directory, not the temporary
one, which a run must leave as it found it), so only the first run pays the build. A hit reads the
environment file, finds the interpreter, digests and checks the completion marker; the raw
side is the ``local`` manager (the current interpreter), the floor of any preparation.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from benchmarks.harness import Case


def _setup() -> Any:
    from packagers import config
    from packagers.projects.environments import EnvironmentSpec, prepare

    cache = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    root = Path(cache) / "packagers-bench-environments"
    project = root / "project"
    project.mkdir(parents=True, exist_ok=True)
    spec_file = project / "python_env.yaml"
    spec_file.write_text("dependencies: []\n")
    config.projects.env_dir = str(root / "envs")
    spec = EnvironmentSpec("python_env", spec_file)
    prepare(spec, project, "venv")  # builds on the first benchmark run only
    return prepare, spec, project


def _hit(data: Any) -> None:
    prepare, spec, project = data
    assert prepare(spec, project, "venv").digest is not None


def _local(data: Any) -> None:
    prepare, spec, project = data
    prepare(spec, project, "local")


def cases(quick: bool) -> list[Case]:
    return [
        Case(
            name="project env: venv cache hit (no build)",
            setup=_setup,
            ours=_hit,
            raw=_local,
            repeat=5 if quick else 20,
            max_seconds=0.05,
        )
    ]
