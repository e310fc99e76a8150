"""A project's software environment: the current interpreter, or a cached virtual environment.

``prepare`` returns the interpreter to run entry points with. With ``env_manager="venv"`` the
environment is built once per digest of what it holds (the normalised requirements, the
contents of requirement files they include, the interpreter's version and path, and how
packagers itself is installed) and reused by every later run asking for the same.

Virtual environments are not relocatable: their scripts and ``pyvenv.cfg`` hold absolute
paths, so one built in a temporary directory and renamed into place would have broken
scripts. Each environment is therefore built at its final path while its lock is held, and a
completion marker is written last, atomically. Only a directory with the marker is ever used;
one without it (a killed build) is removed and built again by the next run, and a second run
asking for the same environment meanwhile waits on the lock and then uses the finished one.
"""

from __future__ import annotations

import json
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from packagers._errors import PackagersWarning
from packagers.projects import _cache
from packagers.projects._installers import build, env_python, packagers_installs
from packagers.projects._interpreters import Interpreter, find_interpreter, parse_request
from packagers.projects._requirements import Requirements, read_conda_env, read_python_env
from packagers.projects.errors import ProjectEnvironmentError

__all__ = [
    "ENV_KINDS",
    "ENV_MANAGERS",
    "EnvironmentSpec",
    "EnvironmentWarning",
    "PreparedEnvironment",
    "default_manager",
    "prepare",
    "prune",
]

ENV_KINDS = ("python_env", "conda_env", "docker_env")
#: Accepted ``env_manager`` values; ``virtualenv`` is MLflow's name for ``venv``.
ENV_MANAGERS = ("local", "venv", "virtualenv", "conda", "docker")
#: Written last into a finished environment; its modification time is the environment's last use.
MARKER = ".packagers-env.json"
_DIGEST_SCHEMA = 1
_REQUIREMENT_FILE_OPTIONS = ("-r", "--requirement", "-c", "--constraint")


class EnvironmentWarning(PackagersWarning):
    """An environment was prepared with less than the project asked for (said what)."""


@dataclass(frozen=True)
class EnvironmentSpec:
    """The environment a project declares: its kind and the file describing it (if any)."""

    kind: str
    path: Path | None


@dataclass(frozen=True)
class PreparedEnvironment:
    """Where to run: ``python`` to start, ``bin_dir`` to put first on PATH (None: as it is).

    ``digest`` names the environment's contents (None for the current interpreter) and goes
    into the run record with ``manager``.
    """

    python: str
    bin_dir: Path | None
    digest: str | None
    manager: str


def default_manager(spec: EnvironmentSpec | None) -> str:
    """``venv`` when the project declares an environment, else ``local``."""
    return "local" if spec is None else "venv"


def prepare(
    spec: EnvironmentSpec | None, project_root: Path, env_manager: str
) -> PreparedEnvironment:
    """The environment to run the project's entry points in, built now if it is not cached."""
    manager = _check_manager(env_manager)
    if manager == "local":
        return PreparedEnvironment(sys.executable, None, None, "local")
    if manager in ("conda", "docker") or (spec is not None and spec.kind == "docker_env"):
        raise ProjectEnvironmentError(_unsupported(manager, spec))
    where = str(spec.path) if spec is not None and spec.path is not None else str(project_root)
    requirements = _requirements(spec)
    request = parse_request(requirements.python, where) if requirements.python else None
    interpreter, exact = find_interpreter(request, where)
    if not exact:
        _warn(
            f"{where}: python {requirements.python} is not installed; using "
            f"{interpreter.version_text} ({interpreter.path}), the newest of the same minor version"
        )
    installs, others = packagers_installs(requirements.dependencies)
    digest = _digest(
        interpreter.version_text, interpreter.path, requirements, installs, others, project_root
    )
    from packagers._config import config

    root = _cache.cache_root(config.projects.env_dir, "envs")
    name = digest.partition(":")[2][:32]
    directory = root / name
    if not (directory / MARKER).exists():
        with _cache.entry_lock(root, name):
            if not (directory / MARKER).exists():
                _build(
                    directory, interpreter, requirements, (*installs, *others), project_root, digest
                )
                _cache.prune(root, config.projects.cache_days, MARKER)
    _cache.touch(directory / MARKER)
    return PreparedEnvironment(
        str(env_python(directory)), env_python(directory).parent, digest, "venv"
    )


def prune(days: int | None = None) -> list[str]:
    """Remove environments unused for ``days`` (default ``projects.cache_days``); their names."""
    from packagers._config import config

    root = _cache.cache_root(config.projects.env_dir, "envs")
    return _cache.prune(root, config.projects.cache_days if days is None else days, MARKER)


def _check_manager(env_manager: str) -> str:
    manager = env_manager.strip().lower()
    if manager not in ENV_MANAGERS:
        raise ProjectEnvironmentError(
            f"unknown env manager {env_manager!r}; expected one of {', '.join(ENV_MANAGERS)}"
        )
    return "venv" if manager == "virtualenv" else manager


def _unsupported(manager: str, spec: EnvironmentSpec | None) -> str:
    if manager == "docker" or (spec is not None and spec.kind == "docker_env"):
        return (
            "docker environments are not supported; run the project in a container you start "
            "yourself with --env-manager local, or declare a python_env instead"
        )
    return (
        "conda environments are not supported; use --env-manager venv (a virtual environment "
        "from the pip: part of conda.yaml) or --env-manager local"
    )


def _warn(message: str) -> None:
    from packagers._warnings import warn

    warn(message, ProjectEnvironmentError, category=EnvironmentWarning)


def _requirements(spec: EnvironmentSpec | None) -> Requirements:
    if spec is None:
        return Requirements(None, (), ())
    if spec.kind not in ENV_KINDS:
        raise ProjectEnvironmentError(
            f"unknown environment kind {spec.kind!r}; expected one of {', '.join(ENV_KINDS)}"
        )
    if spec.path is None:
        raise ProjectEnvironmentError(f"the {spec.kind} declares no file to read")
    if spec.kind == "python_env":
        return read_python_env(spec.path)
    requirements = read_conda_env(spec.path)
    if requirements.dropped:
        _warn(
            f"{spec.path}: a virtual environment installs only the pip: part of a conda "
            f"environment; dropped {', '.join(requirements.dropped)}"
        )
    return requirements


def _digest(
    python: str,
    interpreter: str,
    requirements: Requirements,
    installs: tuple[str, ...],
    others: tuple[str, ...],
    project_root: Path,
) -> str:
    """The name of what the environment holds; requirement files count by their contents."""
    from packagers._digest import file_digest, new_hasher, text

    included: dict[str, str | None] = {}
    for line in (*requirements.build, *others):
        option, _, value = line.partition(" ")
        if option in _REQUIREMENT_FILE_OPTIONS and value:
            path = project_root / value.strip()
            included[value.strip()] = file_digest(str(path))[0] if path.is_file() else None
    content = {
        "schema": _DIGEST_SCHEMA,
        "python": python,
        "interpreter": interpreter,
        "build": requirements.build,
        "dependencies": others,
        "packagers": installs,
        "files": included,
        "platform": sys.platform,
    }
    hasher = new_hasher()
    hasher.update(json.dumps(content, sort_keys=True).encode())
    return text(hasher)


def _build(
    directory: Path,
    interpreter: Interpreter,
    requirements: Requirements,
    dependencies: tuple[str, ...],
    project_root: Path,
    digest: str,
) -> None:
    """Build at ``directory`` (the caller holds its lock); the marker is the last thing written."""
    if directory.exists():
        _cache.remove_tree(directory)  # a build that was killed before it finished
    try:
        build(directory, interpreter, requirements, dependencies, project_root)
    except BaseException:
        _cache.remove_tree(directory)
        raise
    record = {
        "digest": digest,
        "python": interpreter.version_text,
        "interpreter": interpreter.path,
        "build": list(requirements.build),
        "dependencies": list(dependencies),
        "built": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    partial = directory / f"{MARKER}.{os.getpid()}"
    with open(partial, "w", encoding="utf-8") as stream:
        json.dump(record, stream, indent=2)
        stream.flush()
        os.fsync(stream.fileno())
    os.replace(partial, directory / MARKER)
