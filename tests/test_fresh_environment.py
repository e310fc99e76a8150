"""The core with a single plugin, installed alone in a fresh virtual environment."""

from __future__ import annotations

import json
import os
import subprocess
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

CHECK = """
import json, sys
import packagers
rows = packagers.list_packagers()
import numpy as np
with packagers.PackagersManager() as manager:
    package = manager.pack(np.arange(1000.0).reshape(100, 10), "matrix")
    try:
        manager.pack(np.ones((3, 2)), "table : dataset")
        dataset_error = None
    except packagers.PackagersError as error:
        dataset_error = str(error)
print(json.dumps({
    "plugins": sorted({row.plugin for row in rows if row.state == "active"}),
    "format": package.manifest["format"],
    "pandas_importable": __import__("importlib.util").util.find_spec("pandas") is not None,
    "dataset_error": dataset_error,
}))
"""


@pytest.mark.slow
def test_core_and_numpy_plugin_install_and_work_alone(tmp_path):
    environment = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(environment)
    python = environment / "bin" / "python"
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    subprocess.run(
        [
            str(python),
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            str(ROOT / "core"),
            str(ROOT / "plugins" / "numpy"),
        ],
        check=True,
        env=env,
    )
    result = subprocess.run(
        [str(python), "-c", CHECK], capture_output=True, text=True, env=env, cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["plugins"] == ["builtin", "numpy"]
    assert report["format"] == "npy"
    assert report["pandas_importable"] is False
    assert "pip install" in report["dataset_error"]
