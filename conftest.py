"""Fixtures every test in the repository gets: no setting, custom packager or collection leaks."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

try:
    from hypothesis import HealthCheck, settings
except ImportError:  # hypothesis is a test dependency; only the property tests need it
    settings = None

if settings is not None:
    # Property tests are deterministic and quick by default (CI); PACKAGERS_HYPOTHESIS=fuzz runs
    # many more random examples, to look for the next bug before a user does.
    _RELAXED = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
    settings.register_profile(
        "packagers",
        max_examples=30,
        derandomize=True,
        deadline=None,
        database=None,
        print_blob=True,
        suppress_health_check=_RELAXED,
    )
    settings.register_profile(
        "fuzz", max_examples=2000, deadline=None, suppress_health_check=_RELAXED
    )
    settings.load_profile(os.environ.get("PACKAGERS_HYPOTHESIS", "packagers"))


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


def pytest_sessionfinish(session: pytest.Session) -> None:
    """pytest-xdist's workers end by ``os._exit``, which runs no atexit handler: the process's
    folder for packers' files goes here, or it would stay behind in the temporary directory."""
    from packagers import _scratch

    _scratch.remove()
