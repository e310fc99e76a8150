"""Handler entry points: a function run through ``packagers.run`` instead of a shell command.

The function runs in the project's environment, which may hold libraries this process does not
have, so it is never imported here: its signature is read from its source. That is enough to
check the parameters before the run (an unknown name, a missing required one) and to type the
parameters the file does not declare from their hints (``epochs: int`` -> ``int``), so a value
given as text on the command line arrives as the function expects it.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from packagers.projects.errors import ProjectParameterError
from packagers.projects.parameters import Parameter

if TYPE_CHECKING:
    from packagers.projects.spec import EntryPoint, Project

__all__ = ["HandlerSignature", "handler_parameters", "handler_reference", "read_signature"]

#: Hints whose values convert like a declared parameter of that type.
_HINT_TYPES = {
    "str": "string",
    "int": "int",
    "float": "float",
    "bool": "bool",
    "Path": "path",
    "pathlib.Path": "path",
}


@dataclass(frozen=True)
class HandlerSignature:
    """A function's keyword parameters (name -> hint as written, or None), as its source says."""

    name: str
    hints: dict[str, str | None]
    required: frozenset[str]
    takes_any_keyword: bool


def handler_reference(project: Project, entry: EntryPoint) -> str:
    """The reference another process loads the handler from (a script's path made absolute)."""
    assert entry.handler is not None
    target, _, function = entry.handler.rpartition(":")
    if target.endswith(".py"):
        return f"{(project.root / target).resolve()}:{function}"
    return entry.handler


def read_signature(root: Path, reference: str) -> HandlerSignature | None:
    """The signature of the function ``reference`` names in the project's source, or None when
    its source is not in the project (an installed module) or does not define it plainly."""
    target, _, qualname = reference.rpartition(":")
    source = _source_file(root, target)
    if source is None:
        return None
    try:
        tree = ast.parse(source.read_text(encoding="utf-8"), filename=str(source))
    except (OSError, SyntaxError, UnicodeDecodeError):
        return None  # the worker reports it, with the traceback of the import
    body: list[ast.stmt] = tree.body
    found: ast.FunctionDef | ast.AsyncFunctionDef | None = None
    for part in qualname.split("."):
        node = next((n for n in body if getattr(n, "name", None) == part), None)
        if isinstance(node, ast.ClassDef):
            body = node.body
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            found = node
        else:
            return None
    return None if found is None else _signature(found)


def handler_parameters(
    entry: EntryPoint, signature: HandlerSignature | None, given: Mapping[str, Any], where: str
) -> dict[str, Parameter]:
    """The entry point's declared parameters plus those its function's hints imply.

    A given parameter the file does not declare takes the type of its hint; with no usable
    hint, a ``store://`` value becomes a ``store`` parameter (an input unpacked by the hint).
    Raises when a name is not the function's, or a required one has no value.
    """
    from packagers.store.uri import is_store_uri

    parameters = dict(entry.parameters)
    if signature is None:
        return parameters
    problems = []
    for name, value in given.items():
        if name in parameters:
            continue
        if name not in signature.hints and not signature.takes_any_keyword:
            problems.append(
                f"{signature.name}() has no parameter {name!r}; its parameters: "
                f"{', '.join(signature.hints) or 'none'}"
            )
            continue
        kind = _hint_type(signature.hints.get(name))
        if kind is None and is_store_uri(value):
            kind = "store"
        if kind is not None:
            parameters[name] = Parameter(name=name, type=kind)
    missing = sorted(signature.required - set(parameters) - set(given))
    if missing:
        problems.append(
            f"{signature.name}() requires {', '.join(map(repr, missing))}, which "
            f"{'has' if len(missing) == 1 else 'have'} no value; give "
            f"{' '.join(f'-P {name}=VALUE' for name in missing)}"
        )
    if problems:
        raise ProjectParameterError(f"{where}: {'; '.join(problems)}")
    return parameters


def _source_file(root: Path, target: str) -> Path | None:
    if target.endswith(".py"):
        candidates = [root / target]
    else:
        base = root.joinpath(*target.split("."))
        candidates = [base.with_suffix(".py"), base / "__init__.py"]
    return next((path for path in candidates if path.is_file()), None)


def _signature(node: ast.FunctionDef | ast.AsyncFunctionDef) -> HandlerSignature:
    arguments = node.args
    positional = [*arguments.posonlyargs, *arguments.args]
    with_defaults = {a.arg for a in positional[len(positional) - len(arguments.defaults) :]}
    with_defaults |= {
        a.arg for a, d in zip(arguments.kwonlyargs, arguments.kw_defaults, strict=True) if d
    }
    keyword = [*arguments.args, *arguments.kwonlyargs]  # positional-only ones cannot be named
    hints = {a.arg: _hint_text(a.annotation) for a in keyword}
    return HandlerSignature(
        name=node.name,
        hints=hints,
        required=frozenset(name for name in hints if name not in with_defaults),
        takes_any_keyword=arguments.kwarg is not None,
    )


def _hint_text(annotation: ast.expr | None) -> str | None:
    if annotation is None:
        return None
    if isinstance(annotation, ast.Constant) and isinstance(annotation.value, str):
        return annotation.value  # a string annotation: "int"
    return ast.unparse(annotation)


def _hint_type(hint: str | None) -> str | None:
    """The parameter type of a simple hint (``int``, ``Optional[Path]``, ``float | None``)."""
    if hint is None:
        return None
    text = hint.strip()
    for prefix in ("Optional[", "typing.Optional["):
        if text.startswith(prefix) and text.endswith("]"):
            text = text[len(prefix) : -1]
    members = [member.strip() for member in text.split("|") if member.strip() != "None"]
    return _HINT_TYPES.get(members[0]) if len(members) == 1 else None
