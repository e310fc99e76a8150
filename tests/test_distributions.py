"""Each distribution is ready to publish: metadata, license, a README for its index page.

The core's version is the one place the family's versions follow: every plugin requires the
core's current minor series, and ``packagers[all]`` asks for plugins of that same series.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path
from typing import Any

import pytest

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent
DISTRIBUTIONS = [
    ROOT / "core",
    ROOT / "plugins" / "stdlib",
    ROOT / "plugins" / "numpy",
    ROOT / "plugins" / "pandas",
    ROOT / "plugins" / "pil",
]
PLUGINS = DISTRIBUTIONS[1:]


def _project(directory: Path) -> dict[str, Any]:
    with open(directory / "pyproject.toml", "rb") as stream:
        project: dict[str, Any] = tomllib.load(stream)["project"]
    return project


def _minor() -> tuple[int, int]:
    major, minor = _project(ROOT / "core")["version"].split(".")[:2]
    return int(major), int(minor)


def _series() -> str:
    """``>=0.1,<0.2`` for core 0.1.x: the range every member of the family asks for."""
    major, minor = _minor()
    return f">={major}.{minor},<{major}.{minor + 1}"


def _requirement(requirements: list[str], name: str) -> str:
    found = [r for r in requirements if re.match(rf"{re.escape(name)}(?![\w-])", r)]
    assert len(found) == 1, f"expected one requirement on {name}, got {found}"
    return found[0][len(name) :]


@pytest.mark.parametrize("directory", PLUGINS[1:], ids=lambda d: d.name)
def test_plugins_require_the_cores_series(directory: Path) -> None:
    assert _requirement(_project(directory)["dependencies"], "packagers") == _series()


def test_the_core_requires_stdlib_which_does_not_require_it_back() -> None:
    """``pip install packagers`` logs builtins as JSON and text; a cycle installers refuse."""
    assert _requirement(_project(ROOT / "core")["dependencies"], "packagers-stdlib") == _series()
    assert _project(ROOT / "plugins" / "stdlib")["dependencies"] == []


def test_the_all_extra_asks_for_plugins_of_the_same_series() -> None:
    extra = _project(ROOT / "core")["optional-dependencies"]["all"]
    for directory in PLUGINS[1:]:
        name = _project(directory)["name"]
        assert _requirement(extra, name) == _series()
    for directory in PLUGINS:
        assert _project(directory)["version"].startswith("{}.{}.".format(*_minor()))


@pytest.mark.parametrize("directory", DISTRIBUTIONS, ids=lambda d: d.name)
def test_metadata_a_package_index_page_needs(directory: Path) -> None:
    project = _project(directory)
    assert project["license"] == "Apache-2.0" and project["license-files"] == ["LICENSE"]
    assert "Apache License" in (directory / "LICENSE").read_text(encoding="utf-8")
    assert project["authors"] and project["description"]
    claimed = {c for c in project["classifiers"] if c.startswith("Programming Language :: Python")}
    floor = tuple(int(part) for part in project["requires-python"].removeprefix(">=").split("."))
    for minor in range(floor[1], 14):
        assert f"Programming Language :: Python :: 3.{minor}" in claimed


@pytest.mark.parametrize("directory", DISTRIBUTIONS, ids=lambda d: d.name)
def test_readme_has_no_link_that_only_resolves_in_the_repository(directory: Path) -> None:
    text = (directory / "README.md").read_text(encoding="utf-8")
    targets = re.findall(r"\]\(([^)]+)\)", text)
    assert [t for t in targets if not re.match(r"https?://", t)] == []


@pytest.mark.slow
def test_wheels_and_sdists_pass_twine_check_strict(tmp_path: Path) -> None:
    """What an upload would be refused for (metadata version, README rendering) fails here."""
    pytest.importorskip("twine")
    for directory in DISTRIBUTIONS:
        subprocess.run(
            [sys.executable, "-m", "hatchling", "build", "-d", str(tmp_path)],
            cwd=directory,
            check=True,
            capture_output=True,
        )
    built = sorted(tmp_path.iterdir())
    assert len(built) == 2 * len(DISTRIBUTIONS)
    check = subprocess.run(
        [sys.executable, "-m", "twine", "check", "--strict", *map(str, built)],
        capture_output=True,
        text=True,
    )
    assert check.returncode == 0, check.stdout + check.stderr
    for wheel in tmp_path.glob("*.whl"):
        with zipfile.ZipFile(wheel) as archive:
            assert any(name.endswith(".dist-info/licenses/LICENSE") for name in archive.namelist())
    for sdist in tmp_path.glob("*.tar.gz"):
        with tarfile.open(sdist) as archive:
            assert any(name.endswith("/LICENSE") for name in archive.getnames())
