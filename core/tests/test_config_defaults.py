"""The settings tree's defaults, as_dict/sources, hidden secrets, and isolation between tests."""

from __future__ import annotations

import os
from typing import Any

import pytest

from packagers._config import config
from packagers._settings import SETTINGS

pytestmark = pytest.mark.usefixtures("clean_config")  # see conftest.py


EXPECTED_DEFAULTS: dict[str, Any] = {
    "enabled": True,
    "auto_unpack_inputs": False,
    "auto_pack_outputs": False,
    "auto_pack_key": "artifact",
    "pack_tuples": False,
    "logging_worker": 0,
    "strict": False,
    "project": "default",
    "store": {"url": ".packagers", "durability": "process"},
    "dask": {"address": None, "shared_path": False, "envelope_limit": 65536},
    "archive": {"max_size": 32 << 30, "max_ratio": 200},
    "plugins": {"autoload": True, "mandatory": [], "blocked": []},
    "preview": {"enabled": True},
    "pickle": {"module": "cloudpickle", "policy": "warn", "signing_key": None},
    "projects": {"env_dir": None, "source_dir": None, "cache_days": 30},
}


def test_defaults() -> None:
    assert config.as_dict() == EXPECTED_DEFAULTS
    assert config.auto_pack_outputs is False
    assert config.enabled is True
    assert config.store.url == ".packagers"
    assert config.pickle.policy == "warn"
    assert config.pickle.signing_key is None
    assert config.plugins.blocked == []
    assert set(config.sources().values()) == {"default"}


def _leaves(tree: dict[str, Any]) -> int:
    return sum(_leaves(value) if isinstance(value, dict) else 1 for value in tree.values())


def test_the_tree_has_one_leaf_per_row_of_the_table() -> None:
    assert len(SETTINGS) == _leaves(EXPECTED_DEFAULTS)
    assert config.describe() is SETTINGS


def test_list_defaults_are_fresh_lists() -> None:
    config.plugins.blocked.append("leak")
    config.reload()
    assert config.plugins.blocked == []


def test_as_dict_and_sources_reflect_each_origin(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MLRUN_PACKAGERS__PLUGINS__BLOCKED", "pil")
    config.store.url = "/tmp/store"
    settings = config.as_dict()
    assert settings["plugins"]["blocked"] == ["pil"]
    assert settings["store"] == {"url": "/tmp/store", "durability": "process"}
    assert settings["pickle"]["policy"] == "warn"
    settings["plugins"]["blocked"].append("mutated")
    assert config.plugins.blocked == ["pil"]  # as_dict hands out copies
    sources = config.sources()
    assert set(sources) == {s.path for s in SETTINGS}
    assert sources["plugins.blocked"] == "env:MLRUN_PACKAGERS__PLUGINS__BLOCKED"
    assert sources["store.url"] == "code"
    assert sources["enabled"] == "default"


def test_isolation_first_sets_everything(monkeypatch: pytest.MonkeyPatch) -> None:
    config.strict = True
    config.pickle.policy = "deny"
    monkeypatch.setenv("MLRUN_PACKAGERS__PROJECT", "leaky")
    assert config.project == "leaky"  # cached: only reset() in the fixture forgets it


def test_isolation_second_sees_defaults() -> None:
    assert config.as_dict() == EXPECTED_DEFAULTS
    assert "MLRUN_PACKAGERS__PROJECT" not in os.environ


def test_a_set_signing_key_is_hidden_when_settings_are_shown(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Printing the settings (a log, a bug report) cannot leak the key; a worker still gets it."""
    from packagers._config import HIDDEN

    monkeypatch.setenv("MLRUN_PACKAGERS__PICKLE__SIGNING_KEY", "s3cret")
    assert config.as_dict()["pickle"]["signing_key"] == HIDDEN
    assert "s3cret" not in repr(config.as_dict())
    assert config.as_dict(reveal_secrets=True)["pickle"]["signing_key"] == "s3cret"
    assert config.pickle.signing_key == "s3cret"
