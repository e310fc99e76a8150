"""Links between the outputs of one run: ``extra_data``/``metrics`` entries written ``...``.

Linking runs after every output is packed (so the order of the log hints does not matter) and,
when the packages go to a store, after the store stamped their URIs (see ``Store.stamp``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from packagers._errors import PackingError
from packagers._warnings import warn
from packagers.artifacts import ArtifactKind
from packagers.package import iter_packages

if TYPE_CHECKING:
    from packagers.package import Package
    from packagers.store import ArtifactRef, Store

__all__ = ["iter_packages", "link", "log_linked"]


def link(packages: Iterable[Package], reference: Callable[[Package], Any] | None = None) -> None:
    """Fill every ``...`` in the hints' ``extra_data``/``metrics`` with the named package.

    ``reference(package)`` gives what is stored for a linked artifact (its URI once a store
    stamped it); by default a result links its value and an artifact its key.
    """
    everything = list(iter_packages(packages))
    index = {package.key: package for package in everything}
    for package in everything:
        for field_name in ("extra_data", "metrics"):
            links = [k for k, v in getattr(package.hint, field_name).items() if v is ...]
            for name in links:
                target = index.get(name)
                if target is None:
                    warn(
                        f"{package.key!r}: {field_name} links to {name!r}, which is not among "
                        "the logged outputs; the link is dropped",
                        PackingError,
                    )
                    continue
                if field_name == "metrics" and not (
                    package.manifest.get("kind") == ArtifactKind.MODEL and target.is_result
                ):
                    warn(
                        f"{package.key!r}: metrics link only results to model artifacts; "
                        f"{name!r} ({target.artifact_type}) is dropped (use extra_data)",
                        PackingError,
                    )
                    continue
                if target.is_result:
                    value = target.value
                else:
                    value = reference(target) if reference is not None else target.key
                if field_name == "metrics":
                    package.manifest.setdefault("metrics", {})[name] = value
                else:
                    package.manifest.setdefault("extra_data", {})[name] = value


def log_linked(
    store: Store,
    packages: list[Package],
    *,
    project: str | None = None,
    run_id: str | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> dict[str, ArtifactRef]:
    """Store packed outputs with their links as URIs, in the one order that allows it.

    1. the store stamps each package's version and URI (``Store.stamp``);
    2. links are filled, an artifact's with its URI;
    3. the store writes blobs, then manifests, previews and tags (``Store.log_packages``).
    """
    store.stamp(packages, project=project, run_id=run_id)
    link(packages, reference=lambda target: target.manifest["uri"])
    return store.log_packages(packages, progress=progress)
