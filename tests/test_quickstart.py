"""The main job: the quickstart pipeline, end to end, in this process and across processes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PIPELINE = ROOT / "examples" / "quickstart" / "pipeline.py"


def _run_pipeline(store: Path, *args: str) -> str:
    env = {**os.environ, "MLRUN_PACKAGERS__STORE__URL": str(store)}
    result = subprocess.run(
        [sys.executable, str(PIPELINE), *args], capture_output=True, text=True, env=env, cwd=ROOT
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


@pytest.mark.slow
@pytest.mark.parametrize("executor", ["local", "process"])
def test_the_quickstart_logs_every_step_and_loads_back(tmp_path, executor):
    import pandas as pd

    import packagers

    output = _run_pipeline(tmp_path / "store", "--executor", executor)
    for key in ("raw", "row_count", "cleaned", "model", "r2", "mse", "fit_plot", "test_set"):
        assert key in output
    assert "loaded store://quickstart/model" in output
    with packagers.config.override(store__url=str(tmp_path / "store")):
        cleaned = packagers.load("store://quickstart/cleaned", pd.DataFrame)
        model_manifest = packagers.get_store().manifest("store://quickstart/model")
    assert not cleaned.isna().any().any()
    assert not cleaned.duplicated().any()
    assert set(model_manifest["metrics"]) == {"r2", "mse"}
    assert model_manifest["metrics"]["r2"] > 0.9
    assert model_manifest["extra_data"]["fit_plot"].startswith("store://quickstart/fit_plot")
