"""Manager test fixtures: a manager of the sample packagers."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from packagers import PackagersManager

from .manager_samples import CORE


@pytest.fixture
def manager() -> Iterator[PackagersManager]:
    with PackagersManager(CORE) as manager:
        yield manager
