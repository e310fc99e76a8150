"""The core (which brings the stdlib family) with a single plugin, alone in a fresh environment."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
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
    builtins = manager.pack({"rows": [1, 2]}, "rows : file").manifest["format"]
    package = manager.pack(np.arange(1000.0).reshape(100, 10), "matrix")
    try:
        manager.pack(np.ones((3, 2)), "table : dataset")
        dataset_error = None
    except packagers.PackagersError as error:
        dataset_error = str(error)
print(json.dumps({
    "plugins": sorted({row.plugin for row in rows if row.state == "active"}),
    "format": package.manifest["format"],
    "builtins": builtins,
    "pandas_importable": __import__("importlib.util").util.find_spec("pandas") is not None,
    "dataset_error": dataset_error,
}))
"""


def _install(installer: str, environment: Path, env: dict[str, str]) -> Path:
    """A fresh environment with the core, the stdlib family (which the core requires and the
    package index does not hold yet) and numpy, installed by ``installer``."""
    sources = [
        str(ROOT / "core"),
        str(ROOT / "plugins" / "stdlib"),
        str(ROOT / "plugins" / "numpy"),
    ]
    python = environment / "bin" / "python"
    if installer == "uv":
        uv = shutil.which("uv")
        if uv is None:
            pytest.skip("uv is not installed (requirements-dev.txt installs it)")
        subprocess.run(
            [uv, "venv", "--quiet", "--python", sys.executable, str(environment)],
            check=True,
            env=env,
        )
        command = [uv, "pip", "install", "--quiet", "--python", str(python), *sources]
    else:
        venv.EnvBuilder(with_pip=True).create(environment)
        command = [
            str(python),
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            *sources,
        ]
    subprocess.run(command, check=True, env=env)
    return python


@pytest.mark.slow
@pytest.mark.parametrize("installer", ["pip", "uv"])
def test_core_and_numpy_plugin_install_and_work_alone(tmp_path: Path, installer: str) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    python = _install(installer, tmp_path / "venv", env)
    result = subprocess.run(
        [str(python), "-c", CHECK], capture_output=True, text=True, env=env, cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["plugins"] == ["builtin", "numpy", "stdlib"]
    assert report["format"] == "npy"
    assert report["builtins"] == "json"
    assert report["pandas_importable"] is False
    assert "pip install" in report["dataset_error"]
