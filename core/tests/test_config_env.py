"""Settings from the environment: spellings, names, conflicts, near misses of the prefix."""

from __future__ import annotations

import re
import sys

import pytest

from packagers._config import config
from packagers._errors import ConfigError, PackagersWarning

pytestmark = pytest.mark.usefixtures("clean_config")  # see conftest.py


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("true", True),
        ("TRUE", True),
        ("1", True),
        ("yes", True),
        ("Yes", True),
        ("on", True),
        (" on ", True),
        ("false", False),
        ("False", False),
        ("0", False),
        ("no", False),
        ("OFF", False),
    ],
)
def test_env_bool_spellings(monkeypatch: pytest.MonkeyPatch, raw: str, expected: bool) -> None:
    monkeypatch.setenv("MLRUN_PACKAGERS__AUTO_PACK_OUTPUTS", raw)
    monkeypatch.setenv("MLRUN_PACKAGERS__ENABLED", raw)
    assert config.auto_pack_outputs is expected
    assert config.enabled is expected


@pytest.mark.parametrize(("raw", "expected"), [("3", 3), (" 7 ", 7), ("+2", 2), ("0", 0)])
def test_env_int(monkeypatch: pytest.MonkeyPatch, raw: str, expected: int) -> None:
    monkeypatch.setenv("MLRUN_PACKAGERS__LOGGING_WORKER", raw)
    assert config.logging_worker == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("numpy,pil", ["numpy", "pil"]),
        (" numpy , ,pil,", ["numpy", "pil"]),
        ("numpy", ["numpy"]),
        ("", []),
        ('["numpy", " pil "]', ["numpy", "pil"]),
        ("[]", []),
    ],
)
def test_env_list(monkeypatch: pytest.MonkeyPatch, raw: str, expected: list[str]) -> None:
    monkeypatch.setenv("MLRUN_PACKAGERS__PLUGINS__BLOCKED", raw)
    monkeypatch.setenv("MLRUN_PACKAGERS__PLUGINS__MANDATORY", raw)
    assert config.plugins.blocked == expected
    assert config.plugins.mandatory == expected


def test_env_strings_and_nesting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MLRUN_PACKAGERS__PROJECT", "churn")
    monkeypatch.setenv("MLRUN_PACKAGERS__AUTO_PACK_KEY", "out")
    monkeypatch.setenv("MLRUN_PACKAGERS__STORE__URL", "s3://bucket/x")
    monkeypatch.setenv("MLRUN_PACKAGERS__PICKLE__POLICY", "DENY")
    monkeypatch.setenv("MLRUN_PACKAGERS__PICKLE__MODULE", "my_pkg.pickler")
    monkeypatch.setenv("MLRUN_PACKAGERS__PICKLE__SIGNING_KEY", "s3cret")
    monkeypatch.setenv("MLRUN_PACKAGERS__PLUGINS__AUTOLOAD", "off")
    assert config.project == "churn"
    assert config.auto_pack_key == "out"
    assert config.store.url == "s3://bucket/x"
    assert config.pickle.policy == "deny"
    assert config.pickle.module == "my_pkg.pickler"
    assert config.pickle.signing_key == "s3cret"
    assert config.plugins.autoload is False
    assert config.sources()["store.url"] == "env:MLRUN_PACKAGERS__STORE__URL"


def test_env_names_are_case_insensitive(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("mlrun_packagers__pack_tuples", "yes")
    monkeypatch.setenv("Mlrun_Packagers__Pickle__Policy", "allow")
    assert config.pack_tuples is True
    assert config.pickle.policy == "allow"
    assert config.sources()["pack_tuples"] == "env:mlrun_packagers__pack_tuples"


@pytest.mark.skipif(sys.platform == "win32", reason="the Windows environment ignores case")
def test_two_spellings_with_different_values_conflict(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MLRUN_PACKAGERS__STRICT", "1")
    monkeypatch.setenv("mlrun_packagers__strict", "0")
    with pytest.raises(ConfigError, match="MLRUN_PACKAGERS__STRICT") as info:
        _ = config.strict
    assert "mlrun_packagers__strict" in str(info.value)


@pytest.mark.skipif(sys.platform == "win32", reason="the Windows environment ignores case")
def test_two_spellings_with_equal_values_agree(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MLRUN_PACKAGERS__STRICT", "1")
    monkeypatch.setenv("mlrun_packagers__strict", "yes")
    assert config.strict is True


def test_variables_outside_the_prefix_are_ignored(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MLRUN_OTHER", "x")
    monkeypatch.setenv("PACKAGERSX", "x")
    assert config.strict is False


@pytest.mark.parametrize(
    ("name", "meant"),
    [
        ("MLRUN_PACKAGERS_STRICT", "MLRUN_PACKAGERS__STRICT"),
        ("PACKAGERS__PICKLE__POLICY", "MLRUN_PACKAGERS__PICKLE__POLICY"),
        ("mlrun_packagers_pickle_policy", "MLRUN_PACKAGERS__PICKLE__POLICY"),
        ("Mlrun__Packagers__Store__Url", "MLRUN_PACKAGERS__STORE__URL"),
        ("MLRUN_PACKAGER__AUTO_PACK_OUTPUTS", "MLRUN_PACKAGERS__AUTO_PACK_OUTPUTS"),
        ("MLRUN_PACKAGERS_NO_SUCH_THING", "MLRUN_PACKAGERS__<SETTING>"),
    ],
)
def test_a_near_miss_of_the_prefix_warns_naming_the_right_variable(
    monkeypatch: pytest.MonkeyPatch, name: str, meant: str
) -> None:
    monkeypatch.setenv(name, "deny")
    with pytest.warns(PackagersWarning, match=f"{name} is ignored.*{re.escape(meant)}"):
        assert config.pickle.policy == "warn"
    assert config.pickle.policy == "warn"  # warned once, when the environment was read


def test_a_near_miss_is_an_error_in_strict_mode_until_fixed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("MLRUN_PACKAGERS__STRICT", "1")
    monkeypatch.setenv("MLRUN_PACKAGERS_PICKLE__POLICY", "deny")
    for _ in range(2):
        with pytest.raises(ConfigError, match="did you mean 'MLRUN_PACKAGERS__PICKLE__POLICY'"):
            config.pickle.policy  # noqa: B018
    monkeypatch.delenv("MLRUN_PACKAGERS_PICKLE__POLICY")
    assert config.pickle.policy == "warn"
