"""Which worker of a multi-process job this is, as the common launchers announce it."""

from __future__ import annotations

import os

from packagers.runner.errors import RunError

__all__ = ["RANK_VARIABLES", "current_rank"]

#: torchrun / generic, Open MPI, MPICH and Intel MPI; the first one set wins.
RANK_VARIABLES = ("RANK", "OMPI_COMM_WORLD_RANK", "PMI_RANK")


def current_rank() -> int:
    """The rank of this process (0 when no launcher set one).

    Read on every run, not cached: a launcher may fork workers after ``packagers`` is imported.
    """
    for name in RANK_VARIABLES:
        value = os.environ.get(name)
        if value is not None and value.strip():
            try:
                return int(value)
            except ValueError:
                raise RunError(f"{name}={value!r} is not an integer rank") from None
    return 0
