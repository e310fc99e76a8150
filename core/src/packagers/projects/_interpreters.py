"""Finding a Python interpreter on this machine for the version a project asks for.

Interpreters are never built or downloaded: the candidates are the running one, pyenv's
installed versions and ``python3.X`` executables on PATH. The cheap candidates (whose version is
known without starting them) are tried first, so that a cache hit starts no process; PATH
executables are only started when those do not satisfy the request.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from packagers.projects.errors import ProjectEnvironmentError

__all__ = ["Interpreter", "find_interpreter", "parse_request"]

Version = tuple[int, int, int]

_REQUEST = re.compile(r"^(?:==)?\s*(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:\.\*)?$")
_PYENV_NAME = re.compile(r"^(\d+)\.(\d+)\.(\d+)$")
_PROBE = "import sys; print(*sys.version_info[:3])"


@dataclass(frozen=True)
class Interpreter:
    """An installed interpreter: its executable and its ``major.minor.micro`` version."""

    path: str
    version: Version

    @property
    def version_text(self) -> str:
        return ".".join(map(str, self.version))


def parse_request(text: str, where: str) -> tuple[int, ...]:
    """``"3.11"`` -> ``(3, 11)``; a version with one to three parts, optionally ``==`` or ``.*``."""
    match = _REQUEST.match(text.strip())
    if match is None:
        raise ProjectEnvironmentError(
            f"{where}: python version {text!r} is not a version like 3.11 or 3.11.7"
        )
    return tuple(int(part) for part in match.groups() if part is not None)


def find_interpreter(request: tuple[int, ...] | None, where: str) -> tuple[Interpreter, bool]:
    """The interpreter for ``request`` and whether it matches exactly.

    ``None`` means the running interpreter, which is also preferred whenever it matches. Else a
    request of one or two parts takes the newest matching interpreter; ``3.11.7`` takes exactly
    that one, else the newest ``3.11`` (micro releases keep compatibility; the caller warns),
    since interpreters are never built here.
    Nothing of the same ``major.minor`` is an error naming every version found.
    """
    current = Interpreter(sys.executable, _version(sys.version_info[:3]))
    if request is None:
        return current, True
    found: list[Interpreter] = []
    for batch in (_cheap_candidates(current), _path_candidates()):
        found.extend(batch)
        chosen = _choose(request, found)
        if chosen is not None:
            return chosen
    versions = sorted({i.version for i in found})
    raise ProjectEnvironmentError(
        f"{where}: no interpreter on this machine satisfies python {'.'.join(map(str, request))}; "
        f"found {', '.join('.'.join(map(str, v)) for v in versions) or 'none'} "
        "(install that version, e.g. with pyenv, or change the python: line)"
    )


def _version(parts: tuple[int, ...]) -> Version:
    return (parts[0], parts[1], parts[2])


def _choose(request: tuple[int, ...], found: list[Interpreter]) -> tuple[Interpreter, bool] | None:
    same = [i for i in found if i.version[: min(len(request), 2)] == request[:2]]
    if not same:
        return None
    exact = [i for i in same if i.version[: len(request)] == request]
    if exact:
        # The running interpreter first (found[0]): what packagers was installed for here.
        return (found[0] if found[0] in exact else max(exact, key=lambda i: i.version)), True
    return max(same, key=lambda i: i.version), False


def _cheap_candidates(current: Interpreter) -> list[Interpreter]:
    """The running interpreter and pyenv's versions (their directory names are their versions)."""
    found = [current]
    versions = _pyenv_root() / "versions"
    if versions.is_dir():
        for entry in versions.iterdir():
            match = _PYENV_NAME.match(entry.name)
            executable = entry / "bin" / "python"
            if match and executable.exists():
                found.append(
                    Interpreter(str(executable), _version(tuple(map(int, match.groups()))))
                )
    return found


def _pyenv_root() -> Path:
    return Path(os.environ.get("PYENV_ROOT") or Path.home() / ".pyenv")


def _path_candidates() -> Iterator[Interpreter]:
    """``python3.X`` on PATH that start (pyenv's shims for an inactive version do not)."""
    # pyenv's shims only lead to the versions already listed, slowly: skip them.
    seen: set[str] = set()
    shims = os.path.realpath(_pyenv_root() / "shims")
    names = ["python3", *(f"python3.{minor}" for minor in range(6, 20))]
    for name in names:
        executable = shutil.which(name)
        if executable is None or os.path.realpath(executable) in seen:
            continue
        if os.path.dirname(os.path.realpath(executable)) == shims:
            continue
        seen.add(os.path.realpath(executable))
        try:
            done = subprocess.run(
                [executable, "-I", "-S", "-c", _PROBE],
                capture_output=True,
                text=True,
                timeout=30,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired):
            continue
        parts = done.stdout.split()
        if done.returncode == 0 and len(parts) == 3 and all(p.isdigit() for p in parts):
            yield Interpreter(executable, _version(tuple(map(int, parts))))
