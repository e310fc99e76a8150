"""Which worker of a multi-process job this is, as the common launchers announce it."""

from __future__ import annotations

import os

from packagers.runner.errors import RunError

__all__ = ["RANK_VARIABLES", "WORLD_SIZE_VARIABLES", "current_rank", "world_size"]

#: torchrun / generic, Open MPI, MPICH and Intel MPI; the first one set wins.
RANK_VARIABLES = ("RANK", "OMPI_COMM_WORLD_RANK", "PMI_RANK")
#: The number of workers, from the same launchers, in the same order.
WORLD_SIZE_VARIABLES = ("WORLD_SIZE", "OMPI_COMM_WORLD_SIZE", "PMI_SIZE")


def current_rank() -> int:
    """The rank of this process (0 when no launcher set one).

    Read on every run, not cached: a launcher may fork workers after ``packagers`` is imported.
    """
    for name in RANK_VARIABLES:
        value = os.environ.get(name)
        if value is not None and value.strip():
            try:
                rank = int(value)
            except ValueError:
                raise RunError(f"{name}={value!r} is not an integer rank") from None
            if rank < 0:
                raise RunError(f"{name}={value!r} is negative; ranks count from 0")
            return rank
    return 0


def world_size() -> tuple[str, int] | None:
    """The variable announcing the number of workers and that number, when a launcher set one.

    A value that is not a positive integer announces nothing: the rank check reports launchers'
    mistakes, this only bounds the ``logging_worker`` setting.
    """
    for name in WORLD_SIZE_VARIABLES:
        value = os.environ.get(name, "").strip()
        if value:
            return (name, int(value)) if value.isdigit() and int(value) > 0 else None
    return None
