"""The shared store on S3 (a moto server on 127.0.0.1): logging and loading a 76 MB array.

The raw side is what a user would write by hand: ``np.save`` to a local file and ``fs.put`` of
it, and for loading ``fs.get`` and ``np.load``. The case's setup starts the server, a process of
its own as a real S3 is, and both sides talk to it over loopback (the harness times both sides in
one process, on one setup). Logging the same array again must upload nothing: the setup of that
case checks that the blob object is not written again and that no temporary object is left.

The two sides differ by a few small requests whatever the size, each a round trip of a few
milliseconds to the server: a log sends three besides its upload, if any (the look that spares
an upload of data the store holds, the manifest, its preview) and waits for them in turn (to a
server elsewhere the preview goes up beside the manifest; this one is on loopback), and a load
one (the manifest, which names the blob). The targets are for the work that grows with the data,
so those round trips are allowed on top, each as long as the same kind of small request takes in
the same process (:func:`_requests`; a look or an upload 2.5 to 3.5 ms on an idle two-core
machine, a download 5 to 7 ms, more on a busy one): at the full size they are a few percent of
the raw time, at the quick size up to a third of it. A second log that uploaded its blob again
would still exceed its allowance by half the raw time.
"""

from __future__ import annotations

import os
import statistics
import time
import uuid
from collections.abc import Callable
from typing import Any

from benchmarks.harness import Case, scratch_dir

_FULL = 9_500_000  # float64: 76 MB
_QUICK = 1_000_000  # 8 MB
#: Where the raw side times small requests, and how many of each kind it times.
_SMALL = "bench/round-trip.txt"
_TIMED_TRIPS = 10


#: Run in a process of its own: a moto server on loopback, port chosen by the system, printed.
_SERVE = """
import sys, threading
from moto.server import ThreadedMotoServer
server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
server.start()
print("%s:%s" % server.get_host_and_port(), flush=True)
sys.stdin.read()  # until the benchmark side closes it (or dies)
server.stop()
"""


def _server() -> dict[str, Any]:
    """A moto S3 server on loopback with one bucket; the options an fsspec store needs.

    The server is a process of its own, as a real S3 is: sharing the measured process (and its
    GIL) with it would charge whichever side sends more requests for the server's own work too.
    """
    import atexit
    import subprocess
    import sys

    import boto3

    # moto keeps an object over 5 MB in a temporary file: in TMPDIR, on tmpfs (the harness), as
    # a real S3's disks are not this machine's (on its disk, each side's uploads took 36 to 56 ms)
    server = subprocess.Popen(
        [sys.executable, "-c", _SERVE],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,  # its request log
        text=True,
    )
    atexit.register(server.wait, 10)
    atexit.register(server.stdin.close)  # type: ignore[union-attr]  # runs first: LIFO
    endpoint = f"http://{server.stdout.readline().strip()}"  # type: ignore[union-attr]
    boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        region_name="us-east-1",
    ).create_bucket(Bucket="bench")
    return {
        "key": "testing",
        "secret": "testing",
        "endpoint_url": endpoint,
        "client_kwargs": {"region_name": "us-east-1"},
    }


def _setup(size: int) -> dict[str, Any]:
    """Both sides write their local file (ours, the packer's) in TMPDIR, on tmpfs (the
    harness): the cases measure the store on S3, and this disk's file creation varies by what
    earlier cases deleted (ours took 61 ms a log after the other quick cases, 51 ms run alone)."""
    import numpy as np
    import s3fs

    options = _server()
    array = np.random.default_rng(0).random(size)
    base = scratch_dir("bench-s3-")
    return {
        "array": array,
        "raw_array": array.copy(),  # the raw side's: it changes it, ours may log it unchanged
        "base": base,
        "options": options,
        "fs": s3fs.S3FileSystem(**options),
        "url": f"s3://bench/{uuid.uuid4().hex}",
    }


def _requests(
    *kinds: str, after: Callable[[dict[str, Any]], None]
) -> Callable[[dict[str, Any]], float]:
    """Seconds for the small requests ``kinds`` to this side's server, each the median of a few:
    ``head`` a look at an object, ``put`` an upload of a manifest's size, ``get`` a download of
    one. Each is timed right after the raw side's own work (``after``), as ours sends them after
    writing and moving megabytes, which leave the client's code cold in the processor's caches
    (timed in a loop of their own, they took a third to a half less)."""

    def measure(state: dict[str, Any]) -> float:
        fs = state["fs"]
        fs.pipe_file(_SMALL, b"x" * 800)
        calls = {
            "head": lambda: fs.info(_SMALL, refresh=True),
            "put": lambda: fs.pipe_file(_SMALL, b"x" * 800),
            "get": lambda: fs.cat_file(_SMALL),
        }
        times: dict[str, list[float]] = {kind: [] for kind in kinds}
        for _ in range(_TIMED_TRIPS):
            after(state)
            for kind in kinds:
                start = time.perf_counter()
                calls[kind]()
                times[kind].append(time.perf_counter() - start)
        return sum(statistics.median(times[kind]) for kind in kinds)

    return measure


def _store(state: dict[str, Any]) -> Any:
    from packagers.store import Store

    return Store(state["url"], storage_options=state["options"])


def _log_new(state: dict[str, Any]) -> None:
    from packagers.api import log

    state["array"][0] += 1
    log(state["array"], "a : file", store=_store(state))


def _raw_put(state: dict[str, Any]) -> None:
    import numpy as np

    state["raw_array"][0] += 1
    path = os.path.join(state["base"], "raw.npy")
    np.save(path, state["raw_array"])
    state["fs"].put_file(path, f"bench/raw/{uuid.uuid4().hex}.npy")
    os.remove(path)


def _setup_again(size: int) -> dict[str, Any]:
    from packagers.api import log

    state = _setup(size)
    store = _store(state)
    ref = log(state["array"], "a : file", store=store)
    blob = f"{state['url']}/{ref.manifest['blob']}"
    written = state["fs"].info(blob)["LastModified"]
    log(state["array"], "a : file", store=store)
    state["fs"].invalidate_cache()
    if state["fs"].info(blob)["LastModified"] != written:
        raise AssertionError("logging the same array again uploaded its blob again")
    if state["fs"].find(f"{state['url']}/tmp"):
        raise AssertionError("logging the same array again left temporary objects")
    return state


def _log_again(state: dict[str, Any]) -> None:
    from packagers.api import log

    log(state["array"], "a : file", store=_store(state))


def _setup_load(size: int) -> dict[str, Any]:
    import numpy as np

    from packagers.api import log

    state = _setup(size)
    state["uri"] = log(state["array"], "a : file", store=_store(state)).uri
    path = os.path.join(state["base"], "raw.npy")
    np.save(path, state["array"])
    state["raw"] = "bench/raw/raw.npy"
    state["fs"].put_file(path, state["raw"])
    os.remove(path)
    return state


def _load(state: dict[str, Any]) -> None:
    import numpy as np

    from packagers.api import load

    load(state["uri"], np.ndarray, store=_store(state))


def _raw_get(state: dict[str, Any]) -> None:
    import numpy as np

    path = os.path.join(state["base"], "raw-get.npy")
    state["fs"].get_file(state["raw"], path)
    np.load(path)
    os.remove(path)


def cases(quick: bool) -> list[Case]:
    size = _QUICK if quick else _FULL
    label = f"{size * 8 // 1_000_000} MB"
    repeat = 15 if quick else 5  # a log of 8 MB varies by a tenth from one to the next
    return [
        Case(
            name=f"s3: log a {label} array vs np.save+put",
            setup=lambda: _setup(size),
            ours=_log_new,
            raw=_raw_put,
            repeat=repeat,
            target=1.2,
            measured_slack=_requests("head", "put", "put", after=_raw_put),
        ),
        Case(
            name=f"s3: log the same {label} array again",
            setup=lambda: _setup_again(size),
            ours=_log_again,
            raw=_raw_put,
            repeat=repeat,
            target=0.5,
            measured_slack=_requests("head", "put", "put", after=_raw_put),
        ),
        Case(
            name=f"s3: load a {label} array vs get+np.load",
            setup=lambda: _setup_load(size),
            ours=_load,
            raw=_raw_get,
            repeat=repeat,
            target=1.1,
            measured_slack=_requests("get", after=_raw_get),
        ),
    ]
