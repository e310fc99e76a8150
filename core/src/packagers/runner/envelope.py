"""The envelope: the small JSON a run travels as to another process or another machine.

Every executor that runs a job elsewhere sends this and nothing else: a function reference, the
input URIs (with their digests when the store knows them), JSON params, log hints, the project,
the store URL and options, the settings in effect and the custom packagers registered in code.
Data never travels in it: inputs go by URI through the store. What would not arrive as it was
given is refused here, before anything runs.
"""

from __future__ import annotations

import functools
import json
import sys
from typing import TYPE_CHECKING, Any

from packagers._json import survives_json
from packagers.runner.errors import RunArgumentError
from packagers.runner.functions import function_reference
from packagers.runner.handler import hint_to_json
from packagers.runner.inputs import input_url
from packagers.store.uri import is_store_uri

if TYPE_CHECKING:
    from collections.abc import Iterable

    from packagers.log_hint import LogHint
    from packagers.runner.job import RunJob
    from packagers.store import Store

__all__ = [
    "envelope_size",
    "input_digests",
    "is_secret",
    "job_envelope",
    "strip_secrets",
    "worker_request",
]

#: Parts of option and setting names that hold credentials (``key`` alone is s3fs's access key).
_SECRET_PARTS = ("secret", "token", "password", "passwd", "credential", "signing_key", "api_key")


def job_envelope(
    job: RunJob, executor: str, *, secrets: bool = True, local: bool = True
) -> dict[str, Any]:
    """The envelope of a checked job: :func:`worker_request`, plus its run id, the digests of its
    inputs, its retry policy and the fields its record starts with.

    ``secrets=False`` leaves out every credential-like storage option and setting, for workers
    that take them from their own environment. ``local=False`` leaves out this process's
    ``sys.path``, which means nothing on another host.
    """
    envelope = worker_request(
        executor=executor,
        function=job.reference or function_reference(job.fn),
        inputs={name: input_url(value) for name, value in job.inputs.items()},
        params=job.params,
        returns=job.returns,
        project=job.project,
        store=job.store,
    )
    envelope.update(
        run_id=job.run_id,
        input_digests=input_digests(job),
        retries=job.retries,
        retry_on=list(job.retry_on),
        timeout=job.timeout,
        # The job's own dict: tries a lost worker adds reach the envelope that retries it.
        record_fields=job.record_fields,
    )
    if not secrets:
        envelope["storage_options"] = strip_secrets(envelope["storage_options"])
        envelope["config"] = {
            path: value for path, value in envelope["config"].items() if not is_secret(path)
        }
    if not local:
        del envelope["sys_path"]
    return envelope


def worker_request(
    *,
    executor: str,
    function: str,
    inputs: dict[str, str],
    params: dict[str, Any],
    returns: Iterable[LogHint] | None,
    project: str,
    store: Store,
) -> dict[str, Any]:
    """The JSON request of ``python -m packagers.runner._worker`` (``returns=None``: the
    function's own ``@handler`` hints); refuses what would not arrive as it was given.

    The caller adds ``run_id``, and may replace ``sys_path`` and ``custom_packagers`` (a project
    runs in its own environment, with its own path) or add ``record_fields`` (fields the record
    starts with) and ``save: False`` (the caller completes and saves the final record).
    """
    from packagers._config import config

    url = getattr(store, "url", None)
    if not isinstance(url, str) or url.startswith("memory://"):
        raise RunArgumentError(
            f"the store {url or store!r} lives in this process only, and the worker "
            f"cannot reach it (executor={executor!r}); use a directory or a bucket URL"
        )
    for name, value in params.items():
        if not survives_json(value):
            raise RunArgumentError(
                f"param {name!r} ({type(value).__name__}) does not survive JSON unchanged, "
                f"which executor={executor!r} sends params as; log it (packagers.log) and pass "
                "its URI as an input, or use executor='local'"
            )
    storage_options = getattr(store, "storage_options", {})
    if not survives_json(storage_options):
        raise RunArgumentError(
            f"the storage options of {url} do not survive JSON unchanged, which the worker "
            "gets them as; give them as plain values, or set them in the environment "
            "(fsspec's FSSPEC_* variables)"
        )
    return {
        "executor": executor,
        "function": function,
        "inputs": inputs,
        "params": params,
        "returns": None if returns is None else [hint_to_json(hint) for hint in returns],
        "project": project,
        "store": url,
        "storage_options": storage_options,
        "config": _flatten(config.as_dict(reveal_secrets=True)),
        "custom_packagers": _custom_packagers(),
        "sys_path": [entry for entry in sys.path if entry],
    }


def input_digests(job: RunJob) -> dict[str, str | None]:
    """The digest of each input the store knows (its manifest's), None for plain files and URLs.

    What identifies the data a run reads, whichever tag or "latest" the URI named.
    """
    from packagers.data_item import DataItem

    digests: dict[str, str | None] = {}
    for name, value in job.inputs.items():
        manifest = value.manifest if isinstance(value, DataItem) else None
        if manifest is None and is_store_uri(value):
            manifest = job.store.manifest(value)
        digests[name] = (manifest or {}).get("digest")
    return digests


def envelope_size(envelope: dict[str, Any]) -> int:
    """Bytes of the envelope as JSON: what the scheduler holds per task."""
    return len(json.dumps(envelope, separators=(",", ":")).encode())


@functools.lru_cache(maxsize=1024)
def is_secret(name: str) -> bool:
    """Whether an option or setting of this name holds a credential (the same names come back
    for every envelope: the answer is kept)."""
    leaf = name.rsplit(".", 1)[-1].lower()
    return leaf in ("key", "secret", "token") or any(part in leaf for part in _SECRET_PARTS)


def strip_secrets(options: Any) -> Any:
    """``options`` without credential-like entries, at any depth (``client_kwargs`` too)."""
    if isinstance(options, dict):
        return {
            name: strip_secrets(value) for name, value in options.items() if not is_secret(name)
        }
    if isinstance(options, list):
        return [strip_secrets(value) for value in options]
    return options


def _custom_packagers() -> list[dict[str, Any]]:
    """The custom packagers registered in code here, which the worker must register too.

    A ``PackagersManager`` there collects from entry points and its own registrations only; a
    packager added with ``add_custom_packager`` in this process would silently be missing.
    """
    from packagers.plugins.collection import list_packagers
    from packagers.plugins.records import CUSTOM_PLUGIN, PackagerState

    return [
        {"name": record.name, "priority": record.priority}
        for record in list_packagers()
        if record.plugin == CUSTOM_PLUGIN and record.state == PackagerState.ACTIVE
    ]


def _flatten(tree: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """``{"store": {"url": u}}`` -> ``{"store.url": u}``: the form ``config.override`` takes."""
    flat: dict[str, Any] = {}
    for name, value in tree.items():
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{prefix}{name}."))
        else:
            flat[f"{prefix}{name}"] = value
    return flat
