"""What a project's environment file asks for: a python version and pip requirements.

``python_env.yaml`` (MLflow's virtualenv format: ``python``, ``build_dependencies``,
``dependencies``) is read as it is; of a ``conda.yaml`` only the python version and the ``pip:``
list can be honoured by a virtual environment, and what is dropped is said in a warning.
Requirements are normalised (names in canonical form, spaces removed, sorted, duplicates
dropped) so that two files asking for the same thing give the same environment digest.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from packagers.projects.errors import ProjectFileError

__all__ = [
    "Requirements",
    "canonical_name",
    "normalise",
    "read_conda_env",
    "read_python_env",
    "requirement_name",
]

_NAME = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(.*)$", re.DOTALL)
_CONDA_PYTHON = re.compile(r"^python\s*(?:[=<>!~]=?\s*)?([0-9][0-9.*]*)?\s*$")
_PYTHON_ENV_KEYS = ("python", "build_dependencies", "dependencies")


@dataclass(frozen=True)
class Requirements:
    """A python version request (None: the running interpreter's) and pip requirement lines."""

    python: str | None
    build: tuple[str, ...]
    dependencies: tuple[str, ...]
    #: The conda packages and channels a conda.yaml asked for that pip cannot install.
    dropped: tuple[str, ...] = ()


def canonical_name(name: str) -> str:
    """A distribution name in its canonical form (PEP 503): ``Foo_Bar`` -> ``foo-bar``."""
    return re.sub(r"[-_.]+", "-", name).lower()


def requirement_name(line: str) -> str | None:
    """The canonical distribution name a requirement line names; None for options and paths."""
    match = _NAME.match(line.strip())
    if match is None or match.group(2).strip()[:1] not in (
        "",
        "[",
        "=",
        "<",
        ">",
        "!",
        "~",
        "@",
        ";",
    ):
        return None
    return canonical_name(match.group(1))


def normalise(line: str) -> str:
    """One requirement line as the digest sees it: canonical name, no spaces in the specifier.

    Options and paths (``-r file``, ``./pkg``, URLs) are kept as written; markers keep their
    spaces (they separate words there).
    """
    text = " ".join(line.split())
    match = _NAME.match(text)
    if match is None:
        return text
    name, rest = match.groups()
    specifier, semicolon, marker = rest.partition(";")
    if specifier.strip()[:1] not in ("", "[", "=", "<", ">", "!", "~", "@"):
        return text
    return (
        canonical_name(name)
        + specifier.replace(" ", "")
        + (f"; {marker.strip()}" if semicolon else "")
    )


def _load(path: Path) -> Any:
    import yaml

    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise ProjectFileError(f"{path}: cannot read the environment file ({error})") from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise ProjectFileError(f"{path}: not valid YAML: {error}") from None


def _string_list(path: Path, key: str, value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ProjectFileError(f"{path}: {key!r} must be a list of requirement strings")
    return tuple(sorted({normalise(item) for item in value if item.strip()}))


def _python(path: Path, value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, float):
        raise ProjectFileError(
            f"{path}: 'python' is the number {value!r}; quote it (python: \"{value}\"), "
            "YAML reads 3.10 as 3.1"
        )
    if not isinstance(value, (str, int)) or isinstance(value, bool):
        raise ProjectFileError(f"{path}: 'python' must be a version string such as \"3.11\"")
    return str(value).strip()


def read_python_env(path: Path) -> Requirements:
    """The requirements of a ``python_env.yaml``; unknown keys are an error naming them."""
    data = _load(path)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ProjectFileError(
            f"{path}: expected a mapping with keys {', '.join(_PYTHON_ENV_KEYS)}"
        )
    unknown = sorted(set(data) - set(_PYTHON_ENV_KEYS))
    if unknown:
        raise ProjectFileError(
            f"{path}: unknown key(s) {', '.join(map(repr, unknown))}; "
            f"expected {', '.join(_PYTHON_ENV_KEYS)}"
        )
    return Requirements(
        python=_python(path, data.get("python")),
        build=_string_list(path, "build_dependencies", data.get("build_dependencies")),
        dependencies=_string_list(path, "dependencies", data.get("dependencies")),
    )


def read_conda_env(path: Path) -> Requirements:
    """The python version and ``pip:`` list of a conda environment file; the rest is dropped."""
    data = _load(path)
    if not isinstance(data, dict):
        raise ProjectFileError(f"{path}: expected a conda environment mapping (dependencies: …)")
    dependencies = data.get("dependencies") or []
    if not isinstance(dependencies, list):
        raise ProjectFileError(f"{path}: 'dependencies' must be a list")
    python: str | None = None
    pip: list[str] = []
    dropped = [f"channel {channel}" for channel in data.get("channels") or []]
    for item in dependencies:
        if isinstance(item, dict) and set(item) == {"pip"}:
            pip.extend(_string_list(path, "dependencies: pip", item["pip"]))
        elif isinstance(item, str):
            match = _CONDA_PYTHON.match(item.strip())
            if match:
                python = (match.group(1) or "").rstrip(".*") or None
            elif canonical_name(re.split(r"[=<>!~ ]", item.strip())[0]) != "pip":
                dropped.append(f"conda package {item.strip()}")
        else:
            raise ProjectFileError(
                f"{path}: a dependency must be a conda package string or a {{pip: [...]}} "
                f"list, not {item!r}"
            )
    return Requirements(
        python=python,
        build=(),
        dependencies=tuple(sorted(set(pip))),
        dropped=tuple(dropped),
    )
