"""Timing and memory of our call against the raw library call, in the same process and window.

The two sides of a case are timed in one process, sample by sample in turn (ours, raw, raw,
ours, ...), on one setup: whatever the machine does meanwhile (another process on the two
cores, the host, a cache cleared) falls on both alike. Timed in separate processes a minute
apart, the same case measured 1.19 and 1.72. One thing it cannot even out: on this machine's
ext4, creating a file costs 8 µs or a millisecond for minutes, by the state of the block group
of its directory, and two directories of one process may sit in groups in different states (a
small pickle, 40 µs, cost 1.1 ms on one side and 42 µs on the other in the same run). So every
measuring process's ``TMPDIR`` is on tmpfs where the machine has one, and the cases measure our
code against the raw call's, not where the disk put an inode; ``bench_run`` writes a run on disk
too (:func:`disk_dir`), beside the same files written by hand. Times are medians of at least
``repeat`` samples a side, more for short operations: each side samples until it has measured
for ``_MIN_SAMPLING_SECONDS`` (at most ``_MAX_SAMPLES`` samples), because the median of five
200 µs samples moves by a third from one process to the next. The ratio is ours / raw.

Peak memory (the resident-set high-water mark of the measured calls above the level before
them) is measured apart, each side in a fresh process of its own, so that neither side's
allocations, nor what the allocator keeps of them, count for the other. Every process gets a
private, empty temporary directory (``TMPDIR``, on tmpfs where there is one) and a private one
on disk: a case that leaves anything in either fails, so a benchmark run leaves nothing behind.
"""

from __future__ import annotations

import argparse
import atexit
import importlib
import json
import os
import pkgutil
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = [
    "MEMORY_SLACK_MB",
    "PACK_TARGET",
    "UNPACK_TARGET",
    "Case",
    "disk_dir",
    "format_cases",
    "has_tmpfs",
    "main",
    "scratch_dir",
]

_ROOT = Path(__file__).resolve().parent.parent
_MIN_SAMPLING_SECONDS = 0.5
#: What every format's packing and unpacking may cost against the raw write and read, and the
#: peak memory they may take beyond it.
PACK_TARGET = 1.10
UNPACK_TARGET = 1.05
MEMORY_SLACK_MB = 16
_MAX_SAMPLES = 500
_TMPFS = "/dev/shm"
#: Names a measuring process's private folder on disk, which the harness makes and checks.
_DISK_ENV = "PACKAGERS_BENCH_DISK"


@dataclass(frozen=True)
class Case:
    """One comparison: ``ours(data)`` against ``raw(data)``, ``data`` coming from ``setup()``.

    ``target`` is the ratio the issue sets, with ``slack_seconds`` allowed on top of it
    (``ours <= raw * target + slack``: a fixed cost such as starting a process), and the seconds
    ``measured_slack(data)`` gives in the timing process (a fixed cost that depends on the
    machine, such as a request's round trip, measured in the same run as the rest);
    ``max_seconds`` an absolute bound per call, for operations whose raw counterpart is trivial
    (an int result). ``inner`` calls are timed together and divided, for operations too short
    to time one by one. Both sides are timed on the same ``setup()``, so neither may write where
    the other reads.
    """

    name: str
    ours: Callable[[Any], Any]
    raw: Callable[[Any], Any]
    setup: Callable[[], Any] | None = None
    repeat: int = 5
    target: float | None = None
    slack_seconds: float = 0.0
    measured_slack: Callable[[Any], float] | None = None
    max_seconds: float | None = None
    memory_slack_mb: float | None = None
    inner: int = 1


Side = tuple[Callable[[], Any], Callable[[Any], Any], Callable[[Any], Any]]


def format_cases(
    pack_name: str,
    pack: tuple[Callable[[bool], Callable[[], Any]], Callable[[Any], Any], Callable[[Any], Any]],
    unpack_name: str,
    unpack: Side,
    *,
    repeat: int,
    preview_allowance: float,
) -> list[Case]:
    """The three cases every format plugin measures, with the targets the issues set.

    ``pack`` is ``(setup(preview), ours, raw)``: packing as runs pack, with the packager's
    preview, may cost :data:`PACK_TARGET` and ``preview_allowance`` seconds on top (a preview
    summarises a fixed sample, whatever the size of the object); the same packing without the
    preview (``"<pack_name>, no preview"``) :data:`PACK_TARGET` alone. ``unpack`` is
    ``(setup, ours, raw)``, held to :data:`UNPACK_TARGET`, its files on disk. Each may take at most
    :data:`MEMORY_SLACK_MB` more peak memory.
    """
    setup, ours, raw = pack
    return [
        _side_case(
            pack_name,
            (setup(True), ours, raw),
            repeat=repeat,
            target=PACK_TARGET,
            slack_seconds=preview_allowance,
        ),
        _side_case(
            f"{pack_name}, no preview", (setup(False), ours, raw), repeat=repeat, target=PACK_TARGET
        ),
        _side_case(
            unpack_name, (_on_disk(unpack[0]), *unpack[1:]), repeat=repeat, target=UNPACK_TARGET
        ),
    ]


def _on_disk(setup: Callable[[], Any]) -> Callable[[], Any]:
    """``setup`` with the process's temporary files on disk, for a case that only reads them.

    Reading costs nothing of where a file was created, and on tmpfs it depends on the order the
    files were written: of two copies of one 760 MB npy file, the one written first took 25%
    longer to read, whichever side's it was. The page cache of a disk reads both alike.
    """

    def on_disk() -> Any:
        tempfile.tempdir = disk_dir()
        return setup()

    return on_disk


def _side_case(
    name: str, side: Side, *, repeat: int, target: float, slack_seconds: float = 0.0
) -> Case:
    setup, ours, raw = side
    return Case(
        name,
        ours=ours,
        raw=raw,
        setup=setup,
        repeat=repeat,
        target=target,
        slack_seconds=slack_seconds,
        memory_slack_mb=MEMORY_SLACK_MB,
    )


def scratch_dir(prefix: str, directory: str | None = None) -> str:
    """A fresh directory for a case's setup, removed when the side's process exits."""
    path = tempfile.mkdtemp(prefix=prefix, dir=directory)
    atexit.register(shutil.rmtree, path, True)
    return path


def has_tmpfs() -> bool:
    """Whether measuring processes write their temporary files on tmpfs (``TMPDIR``)."""
    return os.path.isdir(_TMPFS)


def disk_dir() -> str:
    """Where a case writes on disk: in a measuring process, a private folder that the harness
    checks is left empty, as ``TMPDIR``."""
    return os.environ.get(_DISK_ENV) or tempfile.gettempdir()


def _modules() -> list[str]:
    package = Path(__file__).resolve().parent
    return sorted(
        f"benchmarks.{info.name}"
        for info in pkgutil.iter_modules([str(package)])
        if info.name.startswith("bench_")
    )


def _cases(quick: bool) -> dict[str, Case]:
    cases: dict[str, Case] = {}
    for module_name in _modules():
        module = importlib.import_module(module_name)
        for case in module.cases(quick):
            cases[case.name] = case
    return cases


def _rss_mb() -> float:
    with open("/proc/self/statm") as stream:
        pages = int(stream.read().split()[1])
    return pages * resource.getpagesize() / 2**20


def _reset_peak() -> None:
    """Start the resident-set high-water mark again from now (Linux: ``clear_refs``)."""
    with open("/proc/self/clear_refs", "w") as stream:
        stream.write("5")


def _peak_mb() -> float:
    """The resident-set high-water mark since the last :func:`_reset_peak`."""
    with open("/proc/self/status") as stream:
        for line in stream:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc/self/status: peak memory is measured on Linux only")


def _time_both(case: Case) -> dict[str, float]:
    """Median seconds per call of each side, sampled in turn on one setup in this process.

    The order runs ours, raw, raw, ours: each side follows itself as often as the other, so
    neither always pays for what the other leaves behind (evicted caches, dirty pages, files
    to free). A measured slack is taken after the samples, in the same process.
    """
    data = case.setup() if case.setup else None
    functions = {"ours": case.ours, "raw": case.raw}
    for function in functions.values():
        function(data)  # warm-up: imports, caches, page cache
    samples: dict[str, list[float]] = {"ours": [], "raw": []}
    sampling = {"ours": 0.0, "raw": 0.0}

    def wanted(side: str) -> bool:
        return _more_samples(case, len(samples[side]), sampling[side])

    while wanted("ours") or wanted("raw"):
        for side in ("ours", "raw", "raw", "ours"):
            function = functions[side]
            start = time.perf_counter()
            for _ in range(case.inner):
                function(data)
            elapsed = time.perf_counter() - start
            sampling[side] += elapsed
            samples[side].append(elapsed / case.inner)
    measured = {side: statistics.median(taken) for side, taken in samples.items()}
    if case.measured_slack is not None:
        measured["slack_seconds"] = case.measured_slack(data)
    return measured


def _more_samples(case: Case, taken: int, seconds: float) -> bool:
    """Whether a side needs another sample: ``repeat`` at least, and short calls until they have
    run for ``_MIN_SAMPLING_SECONDS`` (at most ``_MAX_SAMPLES``)."""
    return taken < case.repeat or (seconds < _MIN_SAMPLING_SECONDS and taken < _MAX_SAMPLES)


def _peak(case: Case, side: str) -> dict[str, float]:
    """Peak MB of one side's calls above the level before them, in this process.

    The high-water mark is reset after the warm-up, whose own peak (and what an allocator keeps
    from it) would otherwise count for one side and not the other. The side is called as long
    as it is timed: what an allocator keeps between calls varies, and a few calls of a pandas
    read peaked anywhere from 12 to 176 MB above the level before them.
    """
    data = case.setup() if case.setup else None
    function = case.ours if side == "ours" else case.raw
    function(data)
    _reset_peak()
    baseline = _rss_mb()
    calls, start = 0, time.perf_counter()
    while _more_samples(case, calls, time.perf_counter() - start):
        for _ in range(case.inner):
            function(data)
        calls += 1
    return {"peak_mb": max(0.0, _peak_mb() - baseline)}


def _run_child(name: str, measure: str, quick: bool) -> tuple[dict[str, float], list[str]]:
    """A fresh process's measure (``time``, or the peak of ``ours`` or ``raw``), and what it left
    in its private temporary directory."""
    command = [sys.executable, "-m", "benchmarks.harness", "--one", name, "--measure", measure]
    if quick:
        command.append("--quick")
    private = [tempfile.mkdtemp(prefix="packagers-bench-side-")]
    env = {**os.environ, "TMPDIR": private[0], _DISK_ENV: private[0]}
    if has_tmpfs():
        private.append(tempfile.mkdtemp(prefix="packagers-bench-side-", dir=_TMPFS))
        env["TMPDIR"] = private[1]
    try:
        output = subprocess.run(
            command, check=True, capture_output=True, text=True, cwd=_ROOT, env=env
        )
        left = sorted(name for folder in private for name in os.listdir(folder))
    finally:
        for folder in private:
            shutil.rmtree(folder, ignore_errors=True)
    return json.loads(output.stdout.strip().splitlines()[-1]), left


def _measure_case(name: str, quick: bool) -> tuple[dict[str, float], dict[str, float], list[str]]:
    """Each side's median and peak, and whatever any of the case's processes left behind."""
    times, left = _run_child(name, "time", quick)
    sides: dict[str, dict[str, float]] = {}
    for side in ("ours", "raw"):
        peak, side_left = _run_child(name, side, quick)
        sides[side] = {"median": times[side], **peak}
        left += side_left
    if "slack_seconds" in times:
        sides["raw"]["slack_seconds"] = times["slack_seconds"]
    return sides["ours"], sides["raw"], sorted(set(left))


def _format_time(seconds: float) -> str:
    if seconds < 1e-3:
        return f"{seconds * 1e6:9.2f} µs"
    if seconds < 1:
        return f"{seconds * 1e3:9.2f} ms"
    return f"{seconds:9.3f} s "


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke run")
    parser.add_argument("-k", dest="keyword", default="", help="only cases whose name has this")
    parser.add_argument("--json", action="store_true", help="print one JSON object per case")
    parser.add_argument("--one", help=argparse.SUPPRESS)
    parser.add_argument("--measure", choices=("time", "ours", "raw"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one:
        case = _cases(args.quick)[args.one]
        measured = _time_both(case) if args.measure == "time" else _peak(case, args.measure)
        print(json.dumps(measured))
        return 0
    names = [name for name in _cases(args.quick) if args.keyword in name]
    if not args.json:
        print(
            f"{'case':50} {'ours':>12} {'raw':>12} {'ratio':>7} {'target':>9} "
            f"{'peak ours':>10} {'peak raw':>10}"
        )
    failed = False
    for name in names:
        case = _cases(args.quick)[name]
        ours, raw, left = _measure_case(name, args.quick)
        ratio = ours["median"] / raw["median"] if raw["median"] else float("inf")
        slack_seconds = case.slack_seconds + raw.get("slack_seconds", 0.0)
        allowed = raw["median"] * (case.target or 0) + slack_seconds
        over_time = (case.target is not None and ours["median"] > allowed) or (
            case.max_seconds is not None and ours["median"] > case.max_seconds
        )
        over_memory = (
            case.memory_slack_mb is not None
            and ours["peak_mb"] > raw["peak_mb"] + case.memory_slack_mb
        )
        failed |= over_time or over_memory or bool(left)
        if args.json:
            print(
                json.dumps(
                    {
                        "case": name,
                        "ours": ours,
                        "raw": raw,
                        "ratio": ratio,
                        "target": case.target,
                        "slack_seconds": slack_seconds,
                        "left_in_tmp": left,
                    }
                )
            )
            continue
        slack = f"+{slack_seconds * 1e3:.3g}ms" if slack_seconds else ""
        target = (
            f"{case.target:.2f}{slack}"
            if case.target is not None
            else _format_time(case.max_seconds).strip()
            if case.max_seconds is not None
            else "-"
        )
        flag = " !" if over_time or over_memory or left else ""
        if left:
            flag += f" left in tmp: {', '.join(left[:3])}" + (" ..." if len(left) > 3 else "")
        print(
            f"{name:50} {_format_time(ours['median'])} {_format_time(raw['median'])} "
            f"{ratio:7.2f} {target:>9} {ours['peak_mb']:8.1f}MB {raw['peak_mb']:8.1f}MB{flag}"
        )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
