"""Project environments: the current interpreter, or a virtual environment cached by digest.

Most tests replace the build (pip, seconds) by a stand-in that makes the directory, since what
they check is the caching around it; the tests marked slow build real environments.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from packagers import config
from packagers.projects import _installers, environments
from packagers.projects._interpreters import Interpreter
from packagers.projects._requirements import Requirements
from packagers.projects.environments import (
    MARKER,
    EnvironmentSpec,
    EnvironmentWarning,
    prepare,
)
from packagers.projects.errors import ProjectEnvironmentError, ProjectFileError

Builds = list[tuple[Path, tuple[str, ...]]]


def _stand_in(builds: Builds, delay: float = 0.0) -> Callable[..., None]:
    def build(
        directory: Path,
        interpreter: Interpreter,
        requirements: Requirements,
        dependencies: tuple[str, ...],
        project_root: Path,
    ) -> None:
        python = _installers.env_python(directory)
        python.parent.mkdir(parents=True)
        python.symlink_to(interpreter.path)
        builds.append((directory, dependencies))
        time.sleep(delay)

    return build


@pytest.fixture
def builds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Builds:
    """Every build done in the test (made by the stand-in), in an environment cache of its own."""
    config.projects.env_dir = str(tmp_path / "envs")
    done: Builds = []
    monkeypatch.setattr(environments, "build", _stand_in(done))
    return done


def _python_env(directory: Path, text: str) -> EnvironmentSpec:
    directory.mkdir(exist_ok=True)
    path = directory / "python_env.yaml"
    path.write_text(textwrap.dedent(text))
    return EnvironmentSpec("python_env", path)


def test_local_is_the_current_interpreter(tmp_path: Path, builds: Builds) -> None:
    spec = _python_env(tmp_path / "p", "dependencies: [anything]\n")
    prepared = prepare(spec, tmp_path, "local")
    assert prepared == environments.PreparedEnvironment(sys.executable, None, None, "local")
    assert builds == []


def test_a_miss_builds_and_a_hit_reuses(tmp_path: Path, builds: Builds) -> None:
    spec = _python_env(tmp_path / "p", "dependencies: [PyYAML>=6, six]\n")
    first = prepare(spec, tmp_path / "p", "venv")
    assert len(builds) == 1
    assert first.manager == "venv"
    assert first.digest is not None and first.digest.startswith("blake3:")
    assert first.bin_dir == Path(first.python).parent
    assert (first.bin_dir.parent / MARKER).exists()
    # the same requirements, written differently, are the same environment
    same = _python_env(tmp_path / "q", "dependencies: [six, pyyaml >= 6, six]\n")
    assert prepare(same, tmp_path / "q", "virtualenv") == first
    assert len(builds) == 1
    other = _python_env(tmp_path / "r", "dependencies: [pyyaml>=5]\n")
    assert prepare(other, tmp_path / "r", "venv").digest != first.digest
    assert len(builds) == 2


def test_a_requirements_file_counts_by_its_contents(tmp_path: Path, builds: Builds) -> None:
    spec = _python_env(tmp_path / "p", "dependencies: ['-r requirements.txt']\n")
    (tmp_path / "p" / "requirements.txt").write_text("six\n")
    first = prepare(spec, tmp_path / "p", "venv").digest
    assert prepare(spec, tmp_path / "p", "venv").digest == first
    (tmp_path / "p" / "requirements.txt").write_text("six==1.16\n")
    assert prepare(spec, tmp_path / "p", "venv").digest != first
    assert len(builds) == 2


def test_packagers_is_installed_as_it_is_here(tmp_path: Path, builds: Builds) -> None:
    spec = _python_env(tmp_path / "p", "dependencies: [packagers-stdlib, six]\n")
    prepare(spec, tmp_path / "p", "venv")
    dependencies = builds[0][1]
    core = Path(__file__).resolve().parents[2]
    stdlib = core.parent / "plugins" / "stdlib"
    # an editable checkout stays editable; the named plugin replaces its requirement line
    assert dependencies == ("-e", str(core), "-e", str(stdlib), "six")


def test_a_half_built_environment_is_never_used(tmp_path: Path, builds: Builds) -> None:
    spec = _python_env(tmp_path / "p", "dependencies: [six]\n")
    prepared = prepare(spec, tmp_path / "p", "venv")
    directory = prepared.bin_dir.parent
    (directory / MARKER).unlink()  # what a build killed before its end leaves
    (directory / "leftover").write_text("half")
    assert prepare(spec, tmp_path / "p", "venv") == prepared
    assert len(builds) == 2
    assert not (directory / "leftover").exists()


def test_a_killed_build_is_built_again(tmp_path: Path, builds: Builds) -> None:
    spec = _python_env(tmp_path / "p", "dependencies: [six]\n")
    script = f"""
        import sys, time
        from pathlib import Path
        from packagers import config
        from packagers.projects import environments
        config.projects.env_dir = {str(tmp_path / "envs")!r}
        def build(directory, *args):
            (directory / "bin").mkdir(parents=True)
            print("building", flush=True)
            time.sleep(60)
        environments.build = build
        environments.prepare(
            environments.EnvironmentSpec("python_env", Path({str(spec.path)!r})),
            Path({str(tmp_path / "p")!r}), "venv")
    """
    child = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(script)], stdout=subprocess.PIPE, text=True
    )
    assert child.stdout is not None
    assert child.stdout.readline().strip() == "building"
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    prepared = prepare(spec, tmp_path / "p", "venv")  # the lock died with the builder
    assert len(builds) == 1
    assert (prepared.bin_dir.parent / MARKER).exists()


def test_two_builds_of_one_environment_at_once_both_succeed(
    tmp_path: Path, builds: Builds, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(environments, "build", _stand_in(builds, delay=0.3))
    spec = _python_env(tmp_path / "p", "dependencies: [six]\n")
    results: list[object] = []

    def one() -> None:
        try:
            results.append(prepare(spec, tmp_path / "p", "venv"))
        except BaseException as error:
            results.append(error)

    threads = [threading.Thread(target=one) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 3 and len(set(results)) == 1
    assert isinstance(results[0], environments.PreparedEnvironment)
    assert len(builds) == 1


def test_an_unavailable_python_names_the_versions_found(tmp_path: Path, builds: Builds) -> None:
    spec = _python_env(tmp_path / "p", 'python: "3.99"\n')
    current = "{}.{}.{}".format(*sys.version_info[:3])
    with pytest.raises(ProjectEnvironmentError, match=rf"python 3\.99; found .*{current}"):
        prepare(spec, tmp_path / "p", "venv")
    assert builds == []


def test_another_micro_version_is_used_with_a_warning(tmp_path: Path, builds: Builds) -> None:
    major, minor = sys.version_info[:2]
    spec = _python_env(tmp_path / "p", f'python: "{major}.{minor}.999"\n')
    with pytest.warns(EnvironmentWarning, match=rf"{major}\.{minor}\.999 is not installed"):
        prepare(spec, tmp_path / "p", "venv")
    assert len(builds) == 1


def test_a_python_version_read_as_a_number_is_an_error(tmp_path: Path, builds: Builds) -> None:
    spec = _python_env(tmp_path / "p", "python: 3.10\n")
    with pytest.raises(ProjectFileError, match="quote it"):
        prepare(spec, tmp_path / "p", "venv")


def test_an_unknown_key_in_python_env_is_an_error(tmp_path: Path, builds: Builds) -> None:
    spec = _python_env(tmp_path / "p", "python: '3.11'\ndependencie: [six]\n")
    with pytest.raises(ProjectFileError, match="unknown key.*'dependencie'"):
        prepare(spec, tmp_path / "p", "venv")


def test_conda_yaml_gives_its_pip_part_and_says_what_it_drops(
    tmp_path: Path, builds: Builds
) -> None:
    (tmp_path / "p").mkdir()
    path = tmp_path / "p" / "conda.yaml"
    path.write_text(
        textwrap.dedent(
            f"""
            channels: [conda-forge]
            dependencies:
              - python={sys.version_info[0]}.{sys.version_info[1]}
              - pip
              - numpy=1.26
              - pip:
                - six
            """
        )
    )
    with pytest.warns(EnvironmentWarning, match="dropped channel conda-forge, conda package numpy"):
        prepare(EnvironmentSpec("conda_env", path), tmp_path / "p", "venv")
    assert builds[0][1][-1] == "six"
    assert not [arg for arg in builds[0][1] if arg.startswith("numpy")]  # not paths: any name


@pytest.mark.parametrize(
    ("kind", "manager", "message"),
    [
        ("conda_env", "conda", "conda environments are not supported; use --env-manager venv"),
        ("docker_env", "venv", "docker environments are not supported"),
        ("python_env", "docker", "docker environments are not supported"),
    ],
)
def test_conda_and_docker_are_refused(
    tmp_path: Path, builds: Builds, kind: str, manager: str, message: str
) -> None:
    with pytest.raises(ProjectEnvironmentError, match=message):
        prepare(EnvironmentSpec(kind, None), tmp_path, manager)
    assert builds == []


def test_an_unknown_env_manager_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ProjectEnvironmentError, match="unknown env manager 'mamba'; expected one"):
        prepare(None, tmp_path, "mamba")


def test_unused_environments_are_pruned(tmp_path: Path, builds: Builds) -> None:
    old = prepare(_python_env(tmp_path / "p", "dependencies: [six]\n"), tmp_path, "venv")
    new = prepare(_python_env(tmp_path / "q", "dependencies: [a]\n"), tmp_path, "venv")
    month_ago = time.time() - 31 * 86400
    os.utime(old.bin_dir.parent / MARKER, (month_ago, month_ago))
    assert environments.prune() == [old.bin_dir.parent.name]
    assert not old.bin_dir.parent.exists()
    assert new.bin_dir.exists()


def test_pip_index_settings_become_uv_flags() -> None:
    listing = textwrap.dedent(
        """\
        :env:.find-links='/opt/wheels'
        global.cert='/etc/ssl/certs/ca-certificates.crt'
        global.extra-index-url='file:///a/simple file:///b/simple'
        global.find-links='/ignored/because/env/wins'
        global.index-url='https://mirror.example/simple'
        install.index-url='https://install.example/simple'
        """
    )
    assert _installers.uv_flags_from_pip(listing) == [
        "--index-url",
        "https://install.example/simple",
        "--extra-index-url",
        "file:///a/simple",
        "--extra-index-url",
        "file:///b/simple",
        "--find-links",
        "/opt/wheels",
        "--index-strategy",
        "unsafe-best-match",
    ]


@pytest.mark.slow
def test_two_processes_build_one_real_environment(tmp_path: Path) -> None:
    """A real build (pip, from this machine's configured index), started twice at once."""
    spec = _python_env(tmp_path / "p", "dependencies: []\n")
    script = f"""
        from pathlib import Path
        from packagers import config
        from packagers.projects import environments
        config.projects.env_dir = {str(tmp_path / "envs")!r}
        print(environments.prepare(
            environments.EnvironmentSpec("python_env", Path({str(spec.path)!r})),
            Path({str(tmp_path / "p")!r}), "venv").python)
    """
    children = [
        subprocess.Popen(
            [sys.executable, "-c", textwrap.dedent(script)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = [child.communicate(timeout=600) for child in children]
    assert [child.returncode for child in children] == [0, 0], outputs
    pythons = {out.strip() for out, _ in outputs}
    assert len(pythons) == 1
    (python,) = pythons
    done = subprocess.run(
        [python, "-c", "import packagers; print(packagers.__file__)"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert Path(done.stdout.strip()).is_relative_to(Path(__file__).resolve().parents[2])
