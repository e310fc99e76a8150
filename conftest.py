"""Fixtures every test in the repository gets: no setting, custom packager or collection leaks."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest


@pytest.fixture(autouse=True)
def _isolated_packagers(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    from packagers import config
    from packagers.plugins import collection

    for name in [name for name in os.environ if name.upper().startswith("MLRUN_PACKAGERS__")]:
        monkeypatch.delenv(name)
    # pytest-xdist's workers set COLUMNS=80: tables would be cut to it, as in a terminal.
    monkeypatch.delenv("COLUMNS", raising=False)
    config.reset()
    custom = dict(collection._custom)
    collection.clear_cache()
    yield
    config.reset()
    collection._custom.clear()
    collection._custom.update(custom)
    collection.clear_cache()
