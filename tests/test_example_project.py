"""The example project, run from the command line in a freshly built environment."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "project"


def _packagers(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "MLRUN_PACKAGERS__STORE__URL": str(tmp_path / "store"),
        "MLRUN_PACKAGERS__PROJECTS__ENV_DIR": str(tmp_path / "envs"),
    }
    return subprocess.run(
        [sys.executable, "-m", "packagers.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=900,
    )


@pytest.mark.slow
def test_the_example_project_runs_its_entry_points_and_workflow(tmp_path: Path) -> None:
    import packagers

    project = tmp_path / "project"
    shutil.copytree(EXAMPLE, project, ignore=shutil.ignore_patterns("__pycache__"))

    # the command entry point; the first run builds the environment from python_env.yaml
    done = _packagers(tmp_path, "project", "run", str(project), "-P", "times=2", "--json")
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stderr.count("hello from the example project") == 2  # echoed; stdout is JSON
    (environment,) = (tmp_path / "envs").glob("*/bin/python")
    record = json.loads(done.stdout)
    assert record["project_run"]["environment"]["manager"] == "venv"

    # the workflow: prep (a handler) logs a dict as a file, train reads it back typed
    done = _packagers(tmp_path, "project", "run", str(project), "--workflow", "--json")
    assert done.returncode == 0, done.stdout + done.stderr
    workflow = json.loads(done.stdout)
    steps = workflow["project_run"]["workflow"]["steps"]
    assert [steps[name]["state"] for name in ("prep", "train")] == ["completed", "completed"]
    assert list((tmp_path / "envs").glob("*/bin/python")) == [environment]  # built once
    with packagers.config.override(store__url=str(tmp_path / "store")):
        train = packagers.get_store().get_run(steps["train"]["run_id"])
        assert train["parent_id"] == workflow["id"]
        assert train["results"] == {"total": 8.0}  # 0.5 * (1 + 3 + 5 + 7)
        model = packagers.load(train["artifacts"]["model"]["uri"])
    assert model == {"slope": 2.0, "intercept": 1.0}

    # run again: both steps are unchanged and reused
    done = _packagers(tmp_path, "project", "run", str(project), "--workflow", "--json")
    assert done.returncode == 0, done.stdout + done.stderr
    again = json.loads(done.stdout)["project_run"]["workflow"]["steps"]
    assert {name: step["reused"] for name, step in again.items()} == {
        "prep": "unchanged",
        "train": "unchanged",
    }
