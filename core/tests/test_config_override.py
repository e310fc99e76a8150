"""config.override, reset and reload: temporary values restored, validated before applied."""

from __future__ import annotations

import pytest

from packagers._config import config
from packagers._errors import ConfigError

pytestmark = pytest.mark.usefixtures("clean_config")  # see conftest.py


def test_override_sets_and_restores() -> None:
    with config.override(strict=True, pickle__policy="deny") as cfg:
        assert cfg is config
        assert config.strict is True
        assert config.pickle.policy == "deny"
        assert config.sources()["pickle.policy"] == "code"
    assert config.strict is False
    assert config.pickle.policy == "warn"
    assert config.sources()["pickle.policy"] == "default"


def test_override_accepts_dotted_names_and_coerces() -> None:
    with config.override(**{"pickle.policy": "ALLOW", "plugins.blocked": "a,b"}):
        assert config.pickle.policy == "allow"
        assert config.plugins.blocked == ["a", "b"]
    assert config.plugins.blocked == []


def test_override_restores_on_exception() -> None:
    with pytest.raises(RuntimeError), config.override(auto_pack_outputs=True):
        assert config.auto_pack_outputs is True
        raise RuntimeError("boom")
    assert config.auto_pack_outputs is False
    assert config.sources()["auto_pack_outputs"] == "default"


def test_override_nests_and_restores_code_set_values(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MLRUN_PACKAGERS__PROJECT", "from-env")
    config.pickle.policy = "allow"
    with config.override(pickle__policy="deny", project="outer"):
        with config.override(pickle__policy="warn"):
            assert config.pickle.policy == "warn"
            assert config.project == "outer"
        assert config.pickle.policy == "deny"
    assert config.pickle.policy == "allow"  # the code-set value, not the default
    assert config.sources()["pickle.policy"] == "code"
    assert config.project == "from-env"


def test_override_validates_everything_before_applying() -> None:
    with (
        pytest.raises(ConfigError, match="config.pickle.policy"),
        config.override(strict=True, pickle__policy="never"),
    ):
        pass  # pragma: no cover - never entered
    assert config.strict is False
    with (
        pytest.raises(ConfigError, match="did you mean 'pickle.policy'"),
        config.override(pickle__polcy="deny"),
    ):
        pass  # pragma: no cover - never entered


def test_reset_forgets_code_values_and_rereads_env(monkeypatch: pytest.MonkeyPatch) -> None:
    config.strict = True
    config.plugins.mandatory = ["stdlib"]
    assert config.strict is True
    monkeypatch.setenv("MLRUN_PACKAGERS__PROJECT", "after-reset")
    assert config.project == "default"  # environment was cached before the change
    config.reset()
    assert config.strict is False
    assert config.plugins.mandatory == []
    assert config.project == "after-reset"


def test_reload_raises_now_on_a_bad_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    _ = config.strict
    monkeypatch.setenv("MLRUN_PACKAGERS__LOGGING_WORKER", "x")
    with pytest.raises(ConfigError, match="MLRUN_PACKAGERS__LOGGING_WORKER"):
        config.reload()
