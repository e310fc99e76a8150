"""When settings read the environment (lazily, once), and code over environment over defaults."""

from __future__ import annotations

from typing import Any

import pytest

from packagers import _config
from packagers._config import Config, config
from packagers._errors import ConfigError

pytestmark = pytest.mark.usefixtures("clean_config")  # see conftest.py


def test_environment_is_read_lazily_once(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    real = _config._read_env

    def counting() -> Any:
        calls.append(1)
        return real()

    monkeypatch.setattr(_config, "_read_env", counting)
    fresh = Config()
    monkeypatch.setenv("MLRUN_PACKAGERS__STRICT", "bogus")
    fresh.strict = True  # setting in code does not read the environment
    assert calls == []
    monkeypatch.setenv("MLRUN_PACKAGERS__STRICT", "yes")
    monkeypatch.setenv("MLRUN_PACKAGERS__PROJECT", "p")
    for _ in range(100):
        assert fresh.project == "p"
        assert fresh.pickle.policy == "warn"
    assert calls == [1]
    monkeypatch.setenv("MLRUN_PACKAGERS__PROJECT", "changed")
    assert fresh.project == "p"  # cached until reload/reset
    fresh.reload()
    assert fresh.project == "changed"
    assert calls == [1, 1]


def test_building_a_config_does_not_read_a_bad_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("MLRUN_PACKAGERS__NOPE", "1")
    fresh = Config()  # what `import packagers` does: must not raise
    assert not hasattr(fresh, "no_such_setting")  # probing a bad name does not load either
    with pytest.raises(ConfigError, match="MLRUN_PACKAGERS__NOPE"):
        _ = fresh.enabled


def test_values_become_plain_attributes_after_first_read() -> None:
    _ = config.enabled
    assert vars(config)["auto_pack_outputs"] is False
    assert vars(config.pickle)["policy"] == "warn"


def test_code_beats_env_beats_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MLRUN_PACKAGERS__PICKLE__POLICY", "deny")
    assert config.pickle.policy == "deny"
    config.pickle.policy = "allow"
    assert config.pickle.policy == "allow"
    monkeypatch.setenv("MLRUN_PACKAGERS__PICKLE__POLICY", "warn")
    config.reload()
    assert config.pickle.policy == "allow"  # reload keeps code-set values
    sources = config.sources()
    assert sources["pickle.policy"] == "code"
    assert sources["strict"] == "default"
    config.reset()
    assert config.pickle.policy == "warn"
    assert config.sources()["pickle.policy"] == "env:MLRUN_PACKAGERS__PICKLE__POLICY"


def test_code_set_before_first_read_still_beats_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MLRUN_PACKAGERS__STRICT", "true")
    config.strict = False
    assert config.strict is False
    assert config.sources()["strict"] == "code"
