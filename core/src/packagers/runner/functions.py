"""Functions by reference (``"module:function"``, ``"path/to/script.py:function"``) and back.

A reference is how a function crosses a process boundary, so both directions live here. What a
run needs to know about a function (its parameters, its type hints) is computed once per function
and kept for as long as the function lives.
"""

from __future__ import annotations

import importlib
import inspect
import os
import sys
import weakref
from collections.abc import Callable
from types import ModuleType
from typing import Any

from packagers.runner.errors import FunctionReferenceError

__all__ = [
    "FunctionInfo",
    "canonical_reference",
    "function_info",
    "function_reference",
    "load_function",
]

_SCRIPT_PREFIX = "_packagers_script_"
#: Absolute script path -> the module it was loaded as, so a script runs its top level once.
_scripts: dict[str, ModuleType] = {}
_infos: weakref.WeakKeyDictionary[Callable[..., Any], FunctionInfo] = weakref.WeakKeyDictionary()


def load_function(reference: str) -> Callable[..., Any]:
    """The function a ``"module:function"`` or ``"path/to/script.py:function"`` reference names.

    ``function`` may be dotted (``"module:Class.method"``). A script is imported once per process
    under a private module name, with its own directory importable while its top level runs (as
    ``python script.py`` would have it).
    """
    target, sep, qualname = reference.rpartition(":")
    if not sep and _is_script(reference):
        raise FunctionReferenceError(_name_a_function(reference, reference))
    if not sep and (source := _module_source(reference)) is not None:
        raise FunctionReferenceError(_name_a_function(reference, source, "module"))
    if not sep or not target or not all(part.isidentifier() for part in qualname.split(".")):
        raise FunctionReferenceError(
            f"bad function reference {reference!r}: expected 'module:function' or "
            "'path/to/script.py:function'"
        )
    module = _load_script(target) if _is_script(target) else _import_module(target, reference)
    value: Any = module
    for part in qualname.split("."):
        owner, value = value, getattr(value, part, None)
        if value is None:
            raise FunctionReferenceError(
                f"{reference!r}: {target} has no attribute {qualname!r}{_did_you_mean(owner, part)}"
            )
    if not callable(value):
        raise FunctionReferenceError(f"{reference!r} is a {type(value).__name__}, not a function")
    return value  # type: ignore[no-any-return]


def canonical_reference(reference: str) -> str:
    """The reference with a script's path made absolute, so it means the same from anywhere."""
    target, sep, name = reference.rpartition(":")
    if sep and _is_script(target):
        return f"{os.path.abspath(target)}:{name}"
    return reference


def function_reference(fn: Callable[..., Any]) -> str:
    """The reference another process loads ``fn`` from; refuses what it could not find there."""
    qualname = getattr(fn, "__qualname__", None)
    module_name = getattr(fn, "__module__", None)
    if not isinstance(qualname, str) or not isinstance(module_name, str):
        raise FunctionReferenceError(f"{fn!r} has no module and name to refer to it by")
    if "<lambda>" in qualname:
        raise FunctionReferenceError(
            f"{qualname} is a lambda, which another process cannot import; define it with "
            "'def' at the top level of a module"
        )
    if "<locals>" in qualname:
        raise FunctionReferenceError(
            f"{qualname} is defined inside another function (a closure), which another process "
            "cannot import; define it at the top level of a module"
        )
    if module_name == "__main__":
        raise FunctionReferenceError(
            f"{qualname} is defined in __main__ (a script run directly, or a notebook), which "
            "another process cannot import; move it to a module, or pass "
            "'path/to/script.py:function'"
        )
    module = sys.modules.get(module_name)
    script = getattr(module, "__file__", None) if module_name.startswith(_SCRIPT_PREFIX) else None
    reference = f"{script}:{qualname}" if script else f"{module_name}:{qualname}"
    try:
        found = load_function(reference)
    except FunctionReferenceError as error:
        raise FunctionReferenceError(f"{qualname} cannot be referenced by name: {error}") from None
    if found is not fn:
        raise FunctionReferenceError(
            f"{reference!r} names another object than the function given (is it wrapped or "
            "redefined?); pass the reference string instead"
        )
    return reference


class FunctionInfo:
    """What a run needs to know about a function: its name, keyword parameters and type hints."""

    __slots__ = ("_fn", "_hints", "name", "parameters", "required", "takes_any_keyword")

    def __init__(self, fn: Callable[..., Any]) -> None:
        self._fn = weakref.ref(fn) if _weakrefable(fn) else lambda: fn
        self._hints: dict[str, Any] | None = None
        self.name: str = getattr(fn, "__name__", None) or type(fn).__name__
        try:
            signature = inspect.signature(fn)
        except (TypeError, ValueError):  # some builtins have none: accept any keyword
            self.parameters: tuple[str, ...] = ()
            self.required: tuple[str, ...] = ()
            self.takes_any_keyword = True
            return
        kinds = (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
        values = signature.parameters.values()
        self.parameters = tuple(p.name for p in values if p.kind in kinds)
        #: The parameters a call must name (no default); positional-only ones cannot be named.
        self.required = tuple(
            p.name for p in values if p.kind in kinds and p.default is inspect.Parameter.empty
        )
        self.takes_any_keyword = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in values)

    @property
    def hints(self) -> dict[str, Any]:
        """The parameters' type hints, resolved on first use (only runs with inputs need them)."""
        if self._hints is None:
            from packagers.type_hints import resolve_type_hints

            fn = self._fn()
            hints = resolve_type_hints(fn) if fn is not None else {}
            hints.pop("return", None)
            self._hints = hints
        return self._hints

    def accepts(self, name: str) -> bool:
        return self.takes_any_keyword or name in self.parameters


def function_info(fn: Callable[..., Any]) -> FunctionInfo:
    """The :class:`FunctionInfo` of ``fn``, computed once per function."""
    try:
        info = _infos.get(fn)
    except TypeError:  # not weak-referenceable (some builtins): no cache
        return FunctionInfo(fn)
    if info is None:
        info = _infos[fn] = FunctionInfo(fn)
    return info


def _weakrefable(fn: object) -> bool:
    try:
        weakref.ref(fn)
    except TypeError:
        return False
    return True


def _is_script(target: str) -> bool:
    return target.endswith(".py") or "/" in target or os.sep in target


def _module_source(name: str) -> str | None:
    """The source file of the module ``name``, found without importing it (None when none)."""
    import importlib.util

    if not all(part.isidentifier() for part in name.split(".")):
        return None
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        return None
    origin = spec.origin if spec is not None else None
    return origin if origin is not None and origin.endswith(".py") else None


def _did_you_mean(owner: object, name: str) -> str:
    """``; did you mean 'clean'?`` when ``owner`` has a callable of a close name."""
    from packagers._suggest import did_you_mean

    callables = [n for n in dir(owner) if not n.startswith("_") and callable(getattr(owner, n))]
    return did_you_mean(name, callables)


def _name_a_function(reference: str, source: str, kind: str = "script") -> str:
    """Which function of the script (or module) ``reference`` to run, with its functions listed.

    The functions are read from the source's syntax tree: importing it would run its code.
    """
    import ast

    message = f"{reference!r} names a {kind}, not a function: run {reference}:FUNCTION"
    try:
        with open(source, encoding="utf-8") as stream:
            tree = ast.parse(stream.read(), filename=source)
    except (OSError, SyntaxError, ValueError):
        return message
    names = [
        node.name
        for node in tree.body
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
        and not node.name.startswith("_")
    ]
    if not names:
        return f"{message} (it defines no top-level function)"
    return f"{message}, e.g. {reference}:{names[0]}; its functions: {', '.join(names)}"


def _import_module(name: str, reference: str) -> ModuleType:
    if not all(part.isidentifier() for part in name.split(".")):
        raise FunctionReferenceError(
            f"bad function reference {reference!r}: {name!r} is neither a module name nor a "
            "path to a .py file"
        )
    try:
        return importlib.import_module(name)
    except Exception as error:
        raise FunctionReferenceError(
            f"{reference!r}: importing module {name!r} failed: {type(error).__name__}: {error}"
        ) from error


def _load_script(target: str) -> ModuleType:
    path = os.path.abspath(target)
    module = _scripts.get(path)
    if module is not None:
        return module
    if not os.path.isfile(path):
        raise FunctionReferenceError(f"script {target!r} does not exist ({path})")
    import hashlib
    import importlib.util

    stem = "".join(c if c.isalnum() else "_" for c in os.path.splitext(os.path.basename(path))[0])
    name = f"{_SCRIPT_PREFIX}{stem}_{hashlib.sha1(path.encode()).hexdigest()[:8]}"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise FunctionReferenceError(f"cannot load {path} as a Python script")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses and pickle look classes up by module name
    directory = os.path.dirname(path)
    sys.path.insert(0, directory)
    try:
        spec.loader.exec_module(module)
    except BaseException as error:
        del sys.modules[name]
        if isinstance(error, Exception):
            raise FunctionReferenceError(
                f"running script {path} failed: {type(error).__name__}: {error}"
            ) from error
        raise
    finally:
        sys.path.remove(directory)
    _scripts[path] = module
    return module
