"""The worker side of every remote executor: :func:`run_envelope` runs one job's envelope here.

A cluster executor calls it on its workers; the ``process`` executor runs this module,
``python -m packagers.runner._worker OUT < envelope``. It applies the parent's settings, registers
the parent's custom packagers, runs the job in-process like the ``local`` executor (which saves
the run record, unless the envelope says ``"save": false`` because the parent completes it) and
returns ``{"record": ...}`` (the process worker writes it to OUT, a file, because the user's
function may print to stdout). When the job cannot even be prepared here (the function or a
custom packager does not import), it returns ``{"error": ...}`` instead and the caller finishes
the record.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import Any

from packagers._config import config
from packagers.plugins.collection import add_custom_packager, collect
from packagers.run_states import RunState
from packagers.runner.handler import hint_from_json
from packagers.runner.job import prepare_job
from packagers.runner.local import run_in_process
from packagers.runner.record import error_info
from packagers.store import Store
from packagers.store.errors import RunFinishedError

__all__ = ["main", "run_envelope"]

#: Custom packagers this process registered for earlier envelopes (a cluster worker runs many).
_registered: set[tuple[str, int | None]] = set()
#: Stores opened for earlier envelopes, by URL and options (one filesystem per store and worker).
_stores: dict[str, Store] = {}


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1:
        print("usage: python -m packagers.runner._worker OUT < request.json", file=sys.stderr)
        return 2
    stop = _stop_on_terminate()
    reply = run_envelope(json.load(sys.stdin), should_stop=lambda: stop[0])
    with open(argv[0], "w", encoding="utf-8") as stream:
        json.dump(reply, stream)
    return 0


def run_envelope(
    envelope: dict[str, Any],
    *,
    worker: str | None = None,
    should_stop: Callable[[], str | None] | None = None,
) -> dict[str, Any]:
    """Run the job an envelope describes, here: ``{"record": ...}`` or ``{"error": ...}``.

    The one code path of every executor that runs jobs elsewhere. ``worker`` is recorded as where
    the run happened; ``should_stop`` is checked between the run's phases (see
    :func:`~packagers.runner.local.run_in_process`).
    """
    paths = [entry for entry in envelope.get("sys_path", ()) if entry not in sys.path]
    sys.path[:0] = paths
    with config.override(**envelope["config"]):
        try:
            for entry in envelope["custom_packagers"]:
                _register(entry["name"], entry["priority"])
            collect()  # a custom packager that does not import here is reported before the run
            job = prepare_job(
                envelope["function"],
                envelope["inputs"],
                envelope["params"],
                None
                if envelope["returns"] is None
                else [hint_from_json(hint) for hint in envelope["returns"]],
                envelope["project"],
                _store(envelope["store"], envelope["storage_options"]),
                check=False,  # the launcher checked the job before sending it
            )
        except Exception as error:
            return {"error": error_info(error)}
        job.run_id = envelope["run_id"]
        job.record_fields = dict(envelope.get("record_fields", {}))
        if worker is not None:
            job.record_fields["worker"] = worker
        job.retries = envelope.get("retries", 0)
        job.retry_on = tuple(envelope.get("retry_on", ()))
        job.timeout = envelope.get("timeout")
        job.should_stop = should_stop
        # A map's child is saved once, when it ends: its parent is the run saved as running.
        announce = "item" not in job.record_fields
        save = envelope.get("save", True)
        try:
            record = run_in_process(job, envelope["executor"], announce=announce, save=save)
        except RunFinishedError as finished:  # a scheduler ran the task again: it ended already
            return {"record": finished.record}
        return {"record": record.to_dict()}


def _register(name: str, priority: int | None) -> None:
    # Mandatory: the parent packs with it, so a worker without it must not fall back.
    if (name, priority) not in _registered:
        add_custom_packager(name, is_mandatory=True, priority=priority)
        _registered.add((name, priority))


def _store(url: str, options: dict[str, Any]) -> Store:
    key = json.dumps([url, options], sort_keys=True)
    store = _stores.get(key)
    if store is None:
        store = _stores[key] = Store(url, storage_options=options)
    return store


def _stop_on_terminate() -> list[str | None]:
    """SIGTERM asks the run to stop at its next phase (the parent cancelling it): ``[state]``."""
    import signal

    stop: list[str | None] = [None]

    def handler(signum: int, frame: object) -> None:
        stop[0] = RunState.CANCELLED

    signal.signal(signal.SIGTERM, handler)
    return stop


if __name__ == "__main__":
    sys.exit(main())
