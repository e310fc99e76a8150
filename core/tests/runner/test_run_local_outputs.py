"""A local run's outputs: returns logged by the hints of run() and @handler, tuples, leftovers."""

from __future__ import annotations

from types import ModuleType
from typing import Any

import pytest

import packagers
from packagers import PackagersManager, config
from packagers.runner import handler, run
from packagers.store import get_store


def load(store_url: str, uri: str, hint: Any = None) -> Any:
    """An output read back the way a later run would read it."""
    with config.override(pickle__policy="allow"), PackagersManager() as manager:
        return manager.unpack(get_store(store_url).resolve(uri), hint)


def test_params_results_and_artifacts(samples: ModuleType, store_url: str) -> None:
    record = run(
        samples.split,
        params={"n": 3, "scale": 2.0},
        returns=["doubled : result", "point : object"],
        store=store_url,
    )
    assert record.state == "completed", record.error
    assert record.results == {"doubled": 6}
    assert set(record.artifacts) == {"point"}
    ref = record.artifacts["point"]
    assert ref.uri.startswith("store://")
    assert ref.manifest["object_type"] == "run_samples.Point"
    assert load(store_url, ref.uri) == samples.Point(6.0, -3)
    assert record.name == "split"
    assert record.params == {"n": 3, "scale": 2.0}
    assert record.function == "run_samples:split"
    assert record.error is None and record.logged and record.executor == "local"


def test_returns_from_handler_and_call_overrides_them(samples: ModuleType, store_url: str) -> None:
    from_handler = run(samples.decorated, params={"n": 4}, store=store_url)
    assert from_handler.results == {"total": 4}
    assert set(from_handler.artifacts) == {"point"}
    with pytest.warns(packagers.PackagersWarning, match="no log hint"):
        overridden = run(
            samples.decorated, params={"n": 4}, returns=["only : result"], store=store_url
        )
    assert overridden.results == {"only": 4}
    assert overridden.artifacts == {}


def test_handler_leaves_the_function_as_it_was(samples: ModuleType) -> None:
    assert samples.decorated(2) == (2, samples.Point(2, -2))
    assert samples.bare(5) == 5
    assert samples.decorated.__name__ == "decorated"
    assert [str(h) for h in samples.decorated.__packagers_returns__] == [
        "total : result",
        "point : object",
    ]
    assert samples.bare.__packagers_returns__ == ()


def test_a_bad_handler_hint_fails_at_decoration() -> None:
    with pytest.raises(packagers.LogHintError, match="position"):

        @handler(returns=["a b"])
        def f() -> int:
            return 1


def test_tuple_returns_with_auto_pack(samples: ModuleType, store_url: str) -> None:
    with config.override(auto_pack_outputs=True):
        record = run(samples.split, params={"n": 1}, returns=["n2 : result"], store=store_url)
    assert record.results == {"n2": 2}
    assert set(record.artifacts) == {"split-artifact-1"}


def test_pack_tuples_logs_the_tuple_as_one_output(samples: ModuleType, store_url: str) -> None:
    with config.override(pack_tuples=True):
        record = run(samples.split, params={"n": 1}, returns=["both : object"], store=store_url)
    assert set(record.artifacts) == {"both"}
    assert load(store_url, record.artifacts["both"].uri) == (2, samples.Point(1.0, -1))


def test_unmatched_outputs_warn_and_are_not_logged(samples: ModuleType, store_url: str) -> None:
    with pytest.warns(packagers.PackagersWarning, match="no log hint"):
        record = run(samples.split, params={"n": 1}, returns=["n2 : result"], store=store_url)
    assert record.results == {"n2": 2} and record.artifacts == {}
