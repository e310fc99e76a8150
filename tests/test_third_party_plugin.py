"""The example third-party distribution, built and installed beside the core, then collected."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "plugin"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("site")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "--target",
            str(target),
            str(EXAMPLE),
        ],
        check=True,
    )
    return target


def _python(site: Path, code: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(site), os.environ.get("PYTHONPATH", "")]),
    }
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)


@pytest.mark.slow
def test_the_installed_plugin_is_collected_and_used(site):
    result = _python(
        site,
        (
            "import json, packagers\n"
            "from fractions import Fraction\n"
            "rows = [r.to_dict() for r in packagers.list_packagers() if r.plugin == 'exact']\n"
            "package = packagers.PackagersManager().pack(Fraction(1, 3), 'third')\n"
            "print(json.dumps({'rows': rows, 'value': package.value}))\n"
        ),
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert [row["name"] for row in report["rows"]] == [
        "packagers_exact._packagers.FractionPackager",
        "packagers_exact._packagers.DecimalPackager",
    ]
    assert {row["distribution"] for row in report["rows"]} == {"packagers-exact"}
    assert report["value"] == "1/3"


@pytest.mark.slow
def test_the_installed_plugin_passes_its_own_conformance_tests(site):
    env = {**os.environ, "PYTHONPATH": str(site)}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-o",
            "addopts=",
            "-c",
            os.devnull,
            "--rootdir",
            str(EXAMPLE),
            str(EXAMPLE / "tests"),
        ],
        capture_output=True,
        text=True,
        env=env,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.slow
def test_blocking_the_installed_plugin_from_the_environment(site):
    result = _python(
        site,
        (
            "import os, packagers\n"
            "os.environ['MLRUN_PACKAGERS__PLUGINS__BLOCKED'] = 'exact'\n"
            "packagers.config.reload()\n"
            "print({r.state for r in packagers.list_packagers() if r.plugin == 'exact'})\n"
        ),
    )
    assert result.stdout.strip() == "{'blocked'}", result.stderr


@pytest.mark.slow
def test_the_example_builds_a_publishable_wheel_and_sdist(tmp_path):
    """Authors copy the example: as it stands it passes what an upload is checked for."""
    import tarfile
    import zipfile

    pytest.importorskip("twine")
    subprocess.run(
        [sys.executable, "-m", "hatchling", "build", "-d", str(tmp_path)],
        cwd=EXAMPLE,
        check=True,
        capture_output=True,
    )
    built = sorted(tmp_path.iterdir())
    check = subprocess.run(
        [sys.executable, "-m", "twine", "check", "--strict", *map(str, built)],
        capture_output=True,
        text=True,
    )
    assert check.returncode == 0, check.stdout + check.stderr
    (wheel,) = tmp_path.glob("*.whl")
    with zipfile.ZipFile(wheel) as archive:
        assert any(name.endswith(".dist-info/licenses/LICENSE") for name in archive.namelist())
        metadata = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
        assert "Requires-Dist: packagers<0.2,>=0.1" in archive.read(metadata).decode()
    (sdist,) = tmp_path.glob("*.tar.gz")
    with tarfile.open(sdist) as archive:
        assert any(name.endswith("/LICENSE") for name in archive.getnames())
