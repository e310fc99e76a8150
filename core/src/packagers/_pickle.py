"""The pickle fallback: provenance on the way out, policy, digest and signature on the way in."""

from __future__ import annotations

import contextlib
import contextvars
import functools
import hashlib
import hmac
import importlib
import importlib.metadata
import io
import json
import pickle
import platform
import sys
from collections.abc import Iterator
from typing import Any

from packagers._errors import PackingError, UnpackingError
from packagers._warnings import warn

__all__ = [
    "PICKLE_STAND_IN",
    "check_policy",
    "distribution_of",
    "dump",
    "guarded_unpickling",
    "load",
]


def dump(obj: Any, path: str) -> dict[str, Any]:
    """Pickle ``obj`` to ``path``; the returned instructions let ``load`` judge the file later."""
    from packagers._config import config

    module_name = config.pickle.module
    try:
        module = importlib.import_module(module_name)
    except ImportError as error:
        raise PackingError(
            f"cannot pickle a {type(obj).__module__}.{type(obj).__qualname__}: the pickle module "
            f"{module_name!r} (setting pickle.module, MLRUN_PACKAGERS__PICKLE__MODULE) cannot be "
            f"imported: {error}"
        ) from error
    data = module.dumps(obj)  # one buffer: hashing per pickler write costs more than it saves
    with open(path, "wb") as stream:
        stream.write(data)
    object_module = type(obj).__module__
    distribution, version = distribution_of(object_module)
    instructions: dict[str, Any] = {
        "pickle_module": module_name,
        "pickle_module_version": _version_of(module_name),
        "python_version": platform.python_version(),
        "object_type": f"{object_module}.{type(obj).__qualname__}",
        "object_module": object_module,
        "object_distribution": distribution,
        "object_distribution_version": version,
        "sha256": hashlib.sha256(data).hexdigest(),
    }
    key = config.pickle.signing_key
    if key is not None:
        instructions["signature"] = _sign(key, instructions)
    return instructions


def load(
    path: str,
    instructions: dict[str, Any],
    *,
    what: str = "this artifact",
) -> Any:
    """Unpickle after the checks: policy, digest, signature, then provenance warnings."""
    from packagers._config import config

    if config.pickle.policy == "deny":
        check_policy(what)
    with open(path, "rb") as stream:
        data = stream.read()
    expected = instructions.get("sha256")
    actual = hashlib.sha256(data).hexdigest()
    if expected is not None and actual != expected:
        raise UnpackingError(
            f"refusing to unpickle {what}: its sha256 {actual} differs from the recorded "
            f"{expected}; the file was changed or corrupted"
        )
    key = config.pickle.signing_key
    if key is not None:
        _verify(key, instructions, actual, what)
    check_policy(what)
    _check_provenance(instructions, what)
    module_name = instructions.get("pickle_module") or config.pickle.module
    try:
        module = importlib.import_module(module_name)
    except ImportError as error:
        raise UnpackingError(
            f"cannot unpickle {what}: it was written with {module_name!r}, which is not "
            f"installed (pip install {module_name})"
        ) from error
    written = instructions.get("pickle_module_version")
    current = _version_of(module_name)
    if written and current and written != current:
        warn(
            f"{what} was pickled with {module_name} {written}, this environment has {current}; "
            "pickles of one version may not load, or load differently, with another",
            UnpackingError,
        )
    try:
        return module.loads(data)
    except ModuleNotFoundError as error:
        distribution = instructions.get("object_distribution") or error.name
        raise UnpackingError(
            f"cannot unpickle {what}: module {error.name!r} is missing; "
            f"install {distribution!r} (pip install {distribution})"
        ) from error
    except Exception as error:
        written = _other_python(instructions)
        if written is None:
            raise
        # The likeliest cause, which the bare error (often about code objects) never names.
        raise UnpackingError(
            f"cannot unpickle {what}: it was pickled with Python {written} and this is Python "
            f"{platform.python_version()}; load it with Python {written} and store it in a "
            f"portable format ({type(error).__name__}: {error})"
        ) from error


def check_policy(what: str) -> None:
    """Apply ``pickle.policy`` before anything is unpickled; for every reader of pickled data."""
    from packagers._config import config

    policy = config.pickle.policy
    if policy == "deny":
        raise UnpackingError(
            f"refusing to unpickle {what}: unpickling runs code from the file and the pickle "
            "policy is 'deny' (set MLRUN_PACKAGERS__PICKLE__POLICY=allow or warn to permit it)"
        )
    if policy == "warn":
        warn(
            f"unpickling {what}: this runs code from the file; trust its source "
            "(set MLRUN_PACKAGERS__PICKLE__POLICY=allow to silence this)",
            UnpackingError,
        )


def _check_provenance(instructions: dict[str, Any], what: str) -> None:
    written = _other_python(instructions)
    if written is not None:
        warn(
            f"{what} was pickled with Python {written}, this is Python "
            f"{platform.python_version()}; the object may not load or behave the same",
            UnpackingError,
        )
    module = instructions.get("object_module")
    recorded = instructions.get("object_distribution_version")
    if module and recorded:
        try:
            importlib.import_module(module)
        except ImportError as error:
            distribution = instructions.get("object_distribution") or module
            raise UnpackingError(
                f"cannot unpickle {what}: its module {module!r} is not installed; "
                f"install {distribution}=={recorded}"
            ) from error
        current = distribution_of(module)[1]
        if current != recorded:
            warn(
                f"{what} was pickled with {instructions.get('object_distribution')} {recorded}, "
                f"this environment has {current}",
                UnpackingError,
            )


def _other_python(instructions: dict[str, Any]) -> str | None:
    """The Python version a pickle was written with, when its minor version is not ours."""
    written = instructions.get("python_version")
    if not written or written.split(".")[:2] == platform.python_version().split(".")[:2]:
        return None
    return str(written)


@functools.lru_cache(maxsize=512)
def distribution_of(module: str) -> tuple[str | None, str | None]:
    """The distribution providing a module and its version, looked up once per module."""
    top = module.split(".", 1)[0]
    if top in sys.stdlib_module_names or top in ("builtins", "__main__"):
        return None, None
    try:
        return top, importlib.metadata.version(top)
    except importlib.metadata.PackageNotFoundError:
        pass
    names = _packages_distributions().get(top)
    if not names:
        return None, None
    try:
        return names[0], importlib.metadata.version(names[0])
    except importlib.metadata.PackageNotFoundError:
        return names[0], None


@functools.cache
def _packages_distributions() -> dict[str, list[str]]:
    return dict(importlib.metadata.packages_distributions())


def _version_of(module: str) -> str | None:
    return distribution_of(module)[1]


def _signed_text(instructions: dict[str, Any]) -> str:
    """Everything the loader reads, as canonical JSON: the digest, and the modules it imports."""
    signed = {name: value for name, value in instructions.items() if name != "signature"}
    return json.dumps(signed, sort_keys=True, separators=(",", ":"), ensure_ascii=True)


def _sign(key: str, instructions: dict[str, Any]) -> str:
    text = _signed_text(instructions)
    return hmac.new(key.encode(), text.encode(), hashlib.sha256).hexdigest()


def _verify(key: str, instructions: dict[str, Any], digest: str, what: str) -> None:
    """Before anything is imported: data or a recorded module changed after signing is refused."""
    signature = instructions.get("signature")
    if not isinstance(signature, str) or not signature or instructions.get("sha256") != digest:
        raise UnpackingError(
            f"refusing to unpickle {what}: a signing key is configured "
            "(MLRUN_PACKAGERS__PICKLE__SIGNING_KEY) and the pickle is not signed"
        )
    if hmac.compare_digest(signature, _sign(key, instructions)):
        return
    digest_only = hmac.new(key.encode(), digest.encode(), hashlib.sha256).hexdigest()
    if hmac.compare_digest(signature, digest_only):
        raise UnpackingError(
            f"refusing to unpickle {what}: it was signed by an older packagers, whose signature "
            "covers only the data and not the modules its instructions import; if you trust it, "
            "load it with MLRUN_PACKAGERS__PICKLE__SIGNING_KEY unset and log it again"
        )
    raise UnpackingError(
        f"refusing to unpickle {what}: its signature does not match the configured signing key "
        "or its instructions (pickle module, object module, digest) were changed after signing"
    )


# -- readers that unpickle inside a library ------------------------------------------------------

#: Classes a pickle of plain data may name: value types whose construction runs no code the file
#: chooses (PyTables keeps a column's time zone as a pickled ``datetime.timezone``).
_PLAIN_GLOBALS = frozenset(
    {
        ("datetime", "timezone"),
        ("datetime", "timedelta"),
        ("datetime", "datetime"),
        ("datetime", "date"),
        ("datetime", "time"),
    }
)


class _NeedsCode(Exception):
    """A pickle names a class or function beyond plain data: loading it runs code."""


class _PlainUnpickler(pickle.Unpickler):
    """Loads containers, strings, numbers and :data:`_PLAIN_GLOBALS`, and refuses anything else."""

    def find_class(self, module: str, name: str) -> Any:  # also reached by the EXT opcodes
        if (module, name) in _PLAIN_GLOBALS:
            return super().find_class(module, name)
        raise _NeedsCode(f"{module}.{name}")

    def persistent_load(self, pid: Any) -> Any:
        raise _NeedsCode("a persistent id")


class _Guard:
    """One guarded read: the policy is applied at the first pickle that would run code."""

    def __init__(self, what: str) -> None:
        self.what = what
        self.checked = False
        self.refusal: BaseException | None = None

    def loads(self, data: Any, **options: Any) -> Any:
        try:
            return _PlainUnpickler(io.BytesIO(bytes(data)), **options).load()
        except _NeedsCode as needed:
            if self.refusal is not None:
                raise self.refusal from None
            if not self.checked:
                try:
                    check_policy(f"{self.what} (a pickle in it names {needed})")
                except BaseException as refusal:  # kept: the library may swallow what it raises
                    self.refusal = refusal
                    raise
                self.checked = True
        return pickle.loads(data, **options)  # looked up now: pandas patches it while reading


_guard: contextvars.ContextVar[_Guard | None] = contextvars.ContextVar("pickle_guard", default=None)


@contextlib.contextmanager
def guarded_unpickling(what: str) -> Iterator[None]:
    """Within the block, :data:`PICKLE_STAND_IN` applies the pickle policy to ``what``.

    Pickles of plain data (PyTables' own metadata) load without asking; one that would import
    anything is refused under ``deny`` (the error is raised when the block ends even if the
    library caught it), warned about under ``warn``.
    """
    guard = _Guard(what)
    token = _guard.set(guard)
    try:
        yield
    except BaseException:
        if guard.refusal is not None:
            raise guard.refusal from None
        raise
    finally:
        _guard.reset(token)
    if guard.refusal is not None:
        raise guard.refusal


class _PickleStandIn:
    """Installed as the ``pickle`` module of a library that unpickles inside its readers.

    Outside :func:`guarded_unpickling` it is the pickle module itself.
    """

    def __getattr__(self, name: str) -> Any:
        return getattr(pickle, name)

    def loads(self, data: Any, **options: Any) -> Any:
        guard = _guard.get()
        if guard is None:
            return pickle.loads(data, **options)
        return guard.loads(data, **options)


PICKLE_STAND_IN: Any = _PickleStandIn()
"""Stands in for the ``pickle`` module where a library unpickles (see ``guarded_unpickling``)."""
