"""Building a virtual environment: ``uv`` when it is on PATH, else ``python -m venv`` and pip.

Packages come from wherever pip is configured to take them (its config files and ``PIP_*``
variables): nothing here names an index. uv does not read pip's configuration, so for uv the
index settings pip reports (``pip config list``) are passed on as uv's own flags.

The packagers distributions are installed the way they are installed here: an editable
install stays editable from the same directory, any other install becomes the same version
from the index. That is what makes handler entry points (and packagers' plugins) importable
inside the environment.
"""

from __future__ import annotations

import ast
import functools
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

from packagers.projects._interpreters import Interpreter
from packagers.projects._requirements import Requirements, requirement_name
from packagers.projects.errors import ProjectEnvironmentError

__all__ = ["build", "env_python", "packagers_installs", "pip_index_flags", "uv_flags_from_pip"]

_CORE = "packagers"
#: pip settings uv takes as flags of the same meaning, in the order they are passed.
_INDEX_SETTINGS = {
    "index-url": "--index-url",
    "extra-index-url": "--extra-index-url",
    "find-links": "--find-links",
    "constraint": "--constraint",
}
_OUTPUT_TAIL = 30  # lines of a failed installer's output kept in the error


def env_python(directory: Path) -> Path:
    """The interpreter of the virtual environment at ``directory``."""
    if sys.platform == "win32":
        return directory / "Scripts" / "python.exe"
    return directory / "bin" / "python"


def packagers_installs(dependencies: tuple[str, ...]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """``(install arguments for packagers distributions, the other dependencies)``.

    The core always, with the ``packagers-*`` distributions it requires itself (the stdlib
    family); a ``packagers-*`` distribution the dependencies name, when it is installed here, from
    the same place as here (replacing the dependency line).
    """
    wanted = {_CORE, *_core_family()}
    others = []
    for line in dependencies:
        name = requirement_name(line)
        if name is not None and _is_packagers(name) and _installed(name) is not None:
            wanted.add(name)
        else:
            others.append(line)
    arguments: list[str] = []
    for name in sorted(wanted):
        arguments.extend(_install_arguments(name))
    return tuple(arguments), tuple(others)


def _core_family() -> list[str]:
    """The ``packagers-*`` distributions the core requires (not its extras): they come with it."""
    import importlib.metadata

    names = (
        requirement_name(line)
        for line in importlib.metadata.requires(_CORE) or []
        if "extra ==" not in line
    )
    return [name for name in names if name is not None and _is_packagers(name)]


def _is_packagers(name: str) -> bool:
    """Whether ``name`` is the core or one of the ``packagers-*`` distributions."""
    return name == _CORE or name.startswith(_CORE + "-")


@functools.cache
def _installed(name: str) -> tuple[str, str | None] | None:
    """``(version, editable directory or None)`` of an installed distribution, or None."""
    import importlib.metadata
    import json

    try:
        distribution = importlib.metadata.distribution(name)
    except importlib.metadata.PackageNotFoundError:
        return None
    direct = distribution.read_text("direct_url.json")
    editable: str | None = None
    if direct:
        info = json.loads(direct)
        if info.get("dir_info", {}).get("editable") and info.get("url", "").startswith("file:"):
            from urllib.parse import unquote, urlparse

            editable = unquote(urlparse(info["url"]).path)
    return distribution.version, editable


def _install_arguments(name: str) -> list[str]:
    found = _installed(name)
    if found is None:
        raise ProjectEnvironmentError(
            f"{name} is not installed in this interpreter, so it cannot be installed into the "
            "project's environment the same way"
        )
    version, editable = found
    return ["-e", editable] if editable else [f"{name}=={version}"]


def uv_flags_from_pip(listing: str) -> list[str]:
    """uv flags for the index settings in ``pip config list`` output.

    A ``PIP_*`` variable (``:env:``) wins over the ``install`` section, which wins over
    ``global``, as in pip. List settings hold several values separated by whitespace.
    """
    values: dict[str, dict[str, str]] = {}
    for line in listing.splitlines():
        name, equals, raw = line.partition("=")
        section, _, key = name.rpartition(".")
        if not equals or (key not in _INDEX_SETTINGS and key != "no-index"):
            continue
        try:
            value = ast.literal_eval(raw)
        except (ValueError, SyntaxError):
            value = raw
        values.setdefault(key, {})[section] = str(value)
    flags: list[str] = []
    for key in [*_INDEX_SETTINGS, "no-index"]:
        scopes = values.get(key, {})
        value = next((scopes[s] for s in (":env:", "install", "global") if s in scopes), None)
        if value is None:
            continue
        if key == "no-index":
            if value.strip().lower() in ("1", "true", "yes", "on"):
                flags.append("--no-index")
            continue
        for item in value.split():
            flags.extend([_INDEX_SETTINGS[key], item])
    if "--extra-index-url" in flags:
        # pip takes the best version across all its indexes; uv by default only looks at the
        # first index that has the package at all.
        flags.extend(["--index-strategy", "unsafe-best-match"])
    return flags


def pip_index_flags() -> list[str]:
    """The uv flags that reproduce pip's configured indexes here (none without pip)."""
    done = subprocess.run(
        [sys.executable, "-m", "pip", "config", "list"],
        capture_output=True,
        text=True,
        check=False,
    )
    return uv_flags_from_pip(done.stdout) if done.returncode == 0 else []


def build(
    directory: Path,
    interpreter: Interpreter,
    requirements: Requirements,
    dependencies: tuple[str, ...],
    project_root: Path,
) -> None:
    """Create the environment at ``directory`` and install everything it needs into it.

    ``dependencies`` are the install arguments (packagers' own first). They run from
    ``project_root`` so that relative paths (``-r requirements.txt``, ``.``) mean the project's.
    """
    arguments = [part for line in dependencies for part in shlex.split(line)]
    build_arguments = [part for line in requirements.build for part in shlex.split(line)]
    python = str(env_python(directory))
    uv = _uv()
    if uv is not None:
        flags = pip_index_flags()
        _run([uv, "venv", "--quiet", "--python", interpreter.path, str(directory)], project_root)
        install = [uv, "pip", "install", "--quiet", "--python", python, *flags]
    else:
        _run([interpreter.path, "-m", "venv", str(directory)], project_root)
        install = [python, "-m", "pip", "install", "--quiet"]
    if build_arguments:
        _run([*install, *build_arguments], project_root)
    _run([*install, *arguments], project_root)


@functools.cache
def _uv() -> str | None:
    """uv's path when it is on PATH and starts (a pyenv shim may lead nowhere)."""
    uv = shutil.which("uv")
    if uv is None:
        return None
    try:
        done = subprocess.run([uv, "--version"], capture_output=True, check=False, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return uv if done.returncode == 0 else None


def _run(command: list[str], cwd: Path) -> None:
    # The environment's own packages only: a PYTHONPATH from here would make pip think
    # requirements are already met.
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    env.update(PIP_NO_INPUT="1", PIP_DISABLE_PIP_VERSION_CHECK="1")
    try:
        done = subprocess.run(
            command, cwd=cwd, env=env, capture_output=True, text=True, check=False
        )
    except OSError as error:
        raise ProjectEnvironmentError(f"cannot run {command[0]}: {error}") from None
    if done.returncode != 0:
        output = (done.stdout + done.stderr).strip().splitlines()[-_OUTPUT_TAIL:]
        raise ProjectEnvironmentError(
            f"building the environment failed: {shlex.join(command)} exited with "
            f"{done.returncode}:\n" + "\n".join(output)
        )
