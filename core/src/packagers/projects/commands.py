"""Rendering an entry point's command exactly as MLflow does, after checking its placeholders.

A command is a Python format string: ``{name}`` is replaced by the parameter's value quoted for
the shell, ``{{`` and ``}}`` are literal braces, and parameters the entry point does not declare
are appended as ``--name value``. The string is the one MLflow renders for the same file and
values; the difference is that a placeholder naming no parameter, or a stray brace, is found when
the file is read, not when the run starts.
"""

from __future__ import annotations

import shlex
import string
from collections.abc import Iterable, Mapping
from typing import Any

__all__ = ["command_problem", "render_command", "script_command"]

#: How MLflow runs a script given as the entry point: by its extension.
_INTERPRETERS = {".py": "python", ".sh": "bash"}


def command_problem(command: str, declared: Iterable[str]) -> str | None:
    """What is wrong with the placeholders of ``command``, or None when every one is declared."""
    names = set(declared)
    try:
        fields = list(string.Formatter().parse(command))
    except ValueError as error:
        return f"{error}; write {{{{ and }}}} for literal braces"
    for _, name, spec, _ in fields:
        if name is None:
            continue
        if name == "":
            return "has an empty placeholder {}; name a parameter, or write {{}} for braces"
        if name not in names:
            known = ", ".join(sorted(names)) or "none"
            return (
                f"has the placeholder {{{name}}}, which names no declared parameter "
                f"(declared: {known}); write {{{{ and }}}} for literal braces"
            )
        if spec and "{" in spec:
            return f"has a nested placeholder in {{{name}:{spec}}}, which is not supported"
    return None


def render_command(command: str, substituted: Mapping[str, str], extra: Mapping[str, Any]) -> str:
    """The shell command: placeholders replaced by quoted values, undeclared ones appended."""
    rendered = command.format(**{name: shlex.quote(text) for name, text in substituted.items()})
    appended = (f"--{shlex.quote(str(name))} {shlex.quote(str(v))}" for name, v in extra.items())
    return " ".join([rendered, *appended])


def script_command(path: str) -> str | None:
    """The command of a script entry point (``python x.py``, ``bash x.sh``), None for others."""
    for suffix, interpreter in _INTERPRETERS.items():
        if path.endswith(suffix):
            return f"{interpreter} {shlex.quote(path)}"
    return None
