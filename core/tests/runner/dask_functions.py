"""Functions the distributed tests run, in a module every worker process can import by name."""

from __future__ import annotations

import os
import time

from distributed.diagnostics.plugin import SchedulerPlugin
from run_samples import Point


def typed(n: int, scale: float = 1.0) -> tuple[int, Point]:
    return n * 2, Point(n * scale, -n)


def noop() -> int:
    return 1


def score(x: int, y: int = 0) -> float:
    """A sweep's objective, best at x=3."""
    return -((x - 3) ** 2) + y


def fails_on(x: int, bad: list[int]) -> int:
    if x in bad:
        raise ValueError(f"bad x {x}")
    return x


def flaky(marker: str) -> int:
    """Raises TimeoutError the first time (when ``marker`` does not exist yet), then works."""
    if not os.path.exists(marker):
        open(marker, "w").close()
        raise TimeoutError("the service did not answer")
    return 1


def dies_once(marker: str) -> int:
    """Kills the worker process running it the first time, as a crashed machine would."""
    if not os.path.exists(marker):
        open(marker, "w").close()
        os._exit(1)
    return 7


def sleeps(seconds: float) -> int:
    time.sleep(seconds)
    return 1


class TaskSizes(SchedulerPlugin):
    """A scheduler plugin that keeps the largest task spec it saw (pickled bytes): what the
    client put on the scheduler, measured there."""

    name = "packagers-task-sizes"

    def __init__(self) -> None:
        super().__init__()
        self.largest = 0
        self.seen = 0

    def update_graph(self, scheduler: object, *, tasks: list[str], **kwargs: object) -> None:
        import cloudpickle

        for key in tasks:
            state = scheduler.tasks.get(key)  # type: ignore[attr-defined]
            if state is not None and state.run_spec is not None:
                self.seen += 1
                self.largest = max(self.largest, len(cloudpickle.dumps(state.run_spec)))


def task_sizes(dask_scheduler: object) -> tuple[int, int]:
    plugin = dask_scheduler.plugins[TaskSizes.name]  # type: ignore[attr-defined]
    return plugin.largest, plugin.seen


def slow_item(i: int) -> int:
    time.sleep(0.2)
    return i


def total(part: list[int]) -> int:
    """One partition's share of a sum (a partition arrives as the list it was logged as)."""
    return sum(part)
