"""Manager test fixtures: a manager of the sample packagers.

This directory goes on ``sys.path`` so that the tests import their helper module
(``manager_samples``) by name.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from packagers import PackagersManager

sys.path.insert(0, str(Path(__file__).resolve().parent))


@pytest.fixture
def manager() -> Iterator[PackagersManager]:
    from manager_samples import CORE

    with PackagersManager(CORE) as manager:
        yield manager
