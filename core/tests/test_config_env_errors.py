"""Bad settings in the environment: refused with a ConfigError naming the variable and the rule."""

from __future__ import annotations

import os
from typing import Any

import pytest

from packagers._config import config
from packagers._errors import ConfigError, PackagersError
from packagers._settings import SETTINGS

pytestmark = pytest.mark.usefixtures("clean_config")  # see conftest.py


@pytest.mark.parametrize("raw", ["", "  "])
def test_an_empty_signing_key_is_an_error_not_signing_off(
    monkeypatch: pytest.MonkeyPatch, raw: str
) -> None:
    monkeypatch.setenv("MLRUN_PACKAGERS__PICKLE__SIGNING_KEY", raw)
    with pytest.raises(ConfigError, match="MLRUN_PACKAGERS__PICKLE__SIGNING_KEY.*non-empty"):
        config.pickle.signing_key  # noqa: B018
    with pytest.raises(ConfigError, match="config.pickle.signing_key.*non-empty"):
        config.pickle.signing_key = raw


@pytest.mark.parametrize(
    ("var", "raw", "problem"),
    [
        ("MLRUN_PACKAGERS__STORE__URL", "s3://", "the s3:// URL names no bucket or path"),
        ("MLRUN_PACKAGERS__STORE__URL", "gs:///", "the gs:// URL names no bucket or path"),
        ("MLRUN_PACKAGERS__PROJECT", "../x", "a key: letters, digits"),
        ("MLRUN_PACKAGERS__PROJECT", "a/b", "a key: letters, digits"),
        ("MLRUN_PACKAGERS__PICKLE__MODULE", "os", "module 'os' has no dumps or loads"),
        ("MLRUN_PACKAGERS__PICKLE__MODULE", "json.decoder", "has no dumps"),
    ],
)
def test_unusable_values_are_refused_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, var: str, raw: str, problem: str
) -> None:
    monkeypatch.setenv(var, raw)
    with pytest.raises(ConfigError) as info:
        config.as_dict()
    message = str(info.value)
    assert message.startswith(f"{var}: invalid value {raw!r}")
    assert problem in message


def test_a_store_url_that_is_a_file_or_cannot_be_created_is_refused(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    afile = tmp_path / "afile"
    afile.write_text("x")
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    cases = [
        (str(afile), "is a file, not a directory"),
        (f"file://{afile}/store", f"cannot be created: {afile} is a file"),
        (str(afile / "deeper" / "store"), f"cannot be created: {afile} is a file"),
    ]
    if os.geteuid() != 0:  # root may write anywhere
        cases.append((str(locked / "store"), f"{locked} is not writable"))
    for url, problem in cases:
        monkeypatch.setenv("MLRUN_PACKAGERS__STORE__URL", url)
        with pytest.raises(ConfigError, match="MLRUN_PACKAGERS__STORE__URL") as info:
            config.reload()
        assert problem in str(info.value)
    monkeypatch.setenv("MLRUN_PACKAGERS__STORE__URL", str(tmp_path / "new" / "store"))
    config.reload()
    assert config.store.url == str(tmp_path / "new" / "store")


def test_the_logging_worker_must_be_a_rank_of_the_job(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MLRUN_PACKAGERS__LOGGING_WORKER", "4")
    assert config.logging_worker == 4  # no launcher announced the number of workers
    monkeypatch.setenv("WORLD_SIZE", "4")
    with pytest.raises(
        ConfigError, match=r"LOGGING_WORKER.*WORLD_SIZE=4 numbers the workers 0 to 3"
    ):
        config.reload()
    monkeypatch.setenv("MLRUN_PACKAGERS__LOGGING_WORKER", "3")
    config.reload()
    assert config.logging_worker == 3
    with pytest.raises(ConfigError, match="config.logging_worker.*WORLD_SIZE=4"):
        config.logging_worker = 7


@pytest.mark.parametrize(
    ("var", "raw", "accepted"),
    [
        ("MLRUN_PACKAGERS__STRICT", "maybe", "a boolean: true/false/1/0/yes/no"),
        ("MLRUN_PACKAGERS__ENABLED", "", "a boolean: true/false/1/0/yes/no"),
        ("MLRUN_PACKAGERS__PLUGINS__AUTOLOAD", "2", "a boolean: true/false/1/0/yes/no"),
        ("MLRUN_PACKAGERS__LOGGING_WORKER", "abc", "a decimal integer >= 0"),
        ("MLRUN_PACKAGERS__LOGGING_WORKER", "1.5", "a decimal integer >= 0"),
        ("MLRUN_PACKAGERS__LOGGING_WORKER", "1_000", "a decimal integer >= 0"),
        ("MLRUN_PACKAGERS__LOGGING_WORKER", "-1", "a decimal integer >= 0"),
        ("MLRUN_PACKAGERS__PLUGINS__BLOCKED", '["numpy", 1]', "a JSON array of strings"),
        ("MLRUN_PACKAGERS__PLUGINS__MANDATORY", "[numpy", "a JSON array of strings"),
        ("MLRUN_PACKAGERS__PICKLE__POLICY", "never", "one of allow, warn, deny"),
        ("MLRUN_PACKAGERS__PICKLE__MODULE", "not a module", "dotted module name"),
        ("MLRUN_PACKAGERS__PICKLE__MODULE", "pkg..mod", "dotted module name"),
        ("MLRUN_PACKAGERS__PICKLE__MODULE", "1pkg", "dotted module name"),
        ("MLRUN_PACKAGERS__PROJECT", "  ", "a key: letters, digits"),
        ("MLRUN_PACKAGERS__STORE__URL", "", "a non-empty string"),
        ("MLRUN_PACKAGERS__STORE__DURABILITY", "fsync", "one of process, power"),
    ],
)
def test_bad_env_value_names_variable_value_and_accepted(
    monkeypatch: pytest.MonkeyPatch, var: str, raw: str, accepted: str
) -> None:
    monkeypatch.setenv(var, raw)
    with pytest.raises(ConfigError) as info:
        _ = config.enabled  # any read loads the whole environment
    message = str(info.value)
    assert var in message
    assert repr(raw) in message
    assert accepted in message


def test_bad_env_value_keeps_failing_until_fixed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MLRUN_PACKAGERS__PICKLE__POLICY", "never")
    with pytest.raises(ConfigError):
        _ = config.pickle.policy
    with pytest.raises(ConfigError):
        _ = config.strict
    monkeypatch.setenv("MLRUN_PACKAGERS__PICKLE__POLICY", "deny")
    config.reload()
    assert config.pickle.policy == "deny"


def test_config_error_is_a_value_error() -> None:
    assert issubclass(ConfigError, ValueError)
    assert issubclass(ConfigError, PackagersError)


def test_unknown_env_var_is_named_with_known_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MLRUN_PACKAGERS__AUTO_PACK_OUTPUT", "1")
    with pytest.raises(ConfigError) as info:
        _ = config.strict
    message = str(info.value)
    assert "'MLRUN_PACKAGERS__AUTO_PACK_OUTPUT'" in message
    assert "did you mean 'MLRUN_PACKAGERS__AUTO_PACK_OUTPUTS'?" in message
    assert all(s.env_var in message for s in SETTINGS)


@pytest.mark.parametrize(
    "name", ["MLRUN_PACKAGERS__PICKLE", "mlrun_packagers__", "MLRUN_PACKAGERS__X__Y"]
)
def test_group_or_empty_names_are_unknown_variables(
    monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    monkeypatch.setenv(name, "x")
    with pytest.raises(ConfigError, match="not a known packagers environment variable"):
        config.reload()


@pytest.mark.parametrize("value", ["a b", "my/key", ""])
def test_auto_pack_key_must_be_a_key(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    """It becomes part of every auto-packed output's key."""
    monkeypatch.setenv("MLRUN_PACKAGERS__AUTO_PACK_KEY", value)
    config.reset()
    with pytest.raises(ConfigError, match="MLRUN_PACKAGERS__AUTO_PACK_KEY.*expected"):
        _ = config.auto_pack_key
