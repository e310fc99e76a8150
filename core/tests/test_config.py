"""Tests of the settings tree: env parsing, precedence, validation, override/reset/reload."""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterator
from typing import Any

import pytest

from packagers import _config
from packagers._config import Config, config
from packagers._errors import ConfigError, PackagersError, PackagersWarning
from packagers._settings import ENV_PREFIX, SETTINGS

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


@pytest.fixture(autouse=True)
def clean_config(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Start every test from defaults with no packagers variables, and leak nothing after it."""
    for name in list(os.environ):
        if name.upper().startswith(ENV_PREFIX):
            monkeypatch.delenv(name)
    config.reset()
    yield
    config.reset()


def _read(path: str) -> Any:
    node: Any = config
    for part in path.split("."):
        node = getattr(node, part)
    return node


# --- the table and defaults ---------------------------------------------------------------


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


# --- environment --------------------------------------------------------------------------


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


@pytest.mark.parametrize("raw", ["", "  "])
def test_an_empty_signing_key_is_an_error_not_signing_off(
    monkeypatch: pytest.MonkeyPatch, raw: str
) -> None:
    monkeypatch.setenv("MLRUN_PACKAGERS__PICKLE__SIGNING_KEY", raw)
    with pytest.raises(ConfigError, match="MLRUN_PACKAGERS__PICKLE__SIGNING_KEY.*non-empty"):
        config.pickle.signing_key  # noqa: B018
    with pytest.raises(ConfigError, match="config.pickle.signing_key.*non-empty"):
        config.pickle.signing_key = raw


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


# --- laziness and caching -----------------------------------------------------------------


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


# --- precedence ---------------------------------------------------------------------------


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


# --- assignment in code -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "value", "expected"),
    [
        ("auto_pack_outputs", "yes", True),
        ("auto_pack_outputs", True, True),
        ("enabled", 0, False),
        ("enabled", "OFF", False),
        ("logging_worker", "2", 2),
        ("logging_worker", 5, 5),
        ("project", " demo ", "demo"),
        ("store.url", "memory://x", "memory://x"),
        ("plugins.blocked", "numpy, pil", ["numpy", "pil"]),
        ("plugins.blocked", ("numpy",), ["numpy"]),
        ("plugins.mandatory", '["stdlib"]', ["stdlib"]),
        ("pickle.policy", "DENY", "deny"),
        ("pickle.module", "pickle", "pickle"),
        ("pickle.signing_key", "k", "k"),
        ("pickle.signing_key", None, None),
    ],
)
def test_assignment_coerces(path: str, value: object, expected: object) -> None:
    *groups, leaf = path.split(".")
    node: Any = config
    for part in groups:
        node = getattr(node, part)
    setattr(node, leaf, value)
    assert _read(path) == expected
    assert type(_read(path)) is type(expected)
    assert config.sources()[path] == "code"


@pytest.mark.parametrize(
    ("path", "value", "accepted"),
    [
        ("strict", "maybe", "a boolean: true/false/1/0/yes/no"),
        ("strict", 2, "a boolean"),
        ("strict", None, "a boolean"),
        ("logging_worker", True, "a decimal integer >= 0"),
        ("logging_worker", -3, "a decimal integer >= 0"),
        ("logging_worker", 1.0, "a decimal integer >= 0"),
        ("project", "", "a key: letters, digits"),
        ("project", 3, "a key: letters, digits"),
        ("plugins.blocked", [1], "a list of names"),
        ("plugins.blocked", {"numpy": 1}, "a list of names"),
        ("pickle.policy", "never", "one of allow, warn, deny"),
        ("store.durability", "disk", "one of process, power"),
        ("store.durability", True, "one of process, power"),
        ("pickle.module", "a-b", "dotted module name"),
        ("pickle.signing_key", 123, "a non-empty string"),
    ],
)
def test_bad_assignment_names_setting_value_and_accepted(
    path: str, value: object, accepted: str
) -> None:
    before = _read(path)
    *groups, leaf = path.split(".")
    node: Any = config
    for part in groups:
        node = getattr(node, part)
    with pytest.raises(ConfigError) as info:
        setattr(node, leaf, value)
    message = str(info.value)
    assert f"config.{path}" in message
    assert repr(value) in message
    assert accepted in message
    assert _read(path) == before
    assert config.sources()[path] == "default"


def test_assigning_unknown_setting_lists_known_names() -> None:
    with pytest.raises(ConfigError) as info:
        config.auto_pack_output = True
    message = str(info.value)
    assert "'auto_pack_output'" in message
    assert "auto_pack_outputs" in message and "pickle" in message
    with pytest.raises(ConfigError, match="module, policy, signing_key"):
        config.pickle.polcy = "deny"


def test_assigning_a_group_is_refused() -> None:
    with pytest.raises(ConfigError, match="config.pickle is a group"):
        config.pickle = "deny"
    assert config.pickle.policy == "warn"


def test_deleting_a_setting_is_refused() -> None:
    with pytest.raises(ConfigError, match="config.reset"):
        del config.strict
    assert config.strict is False


def test_unknown_read_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no setting 'nope'"):
        _ = config.nope
    with pytest.raises(AttributeError, match="config.store has no setting 'path'"):
        _ = config.store.path
    assert not hasattr(config, "_private")


# --- override, reset, reload --------------------------------------------------------------


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


# --- as_dict / sources --------------------------------------------------------------------


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


# --- isolation: the autouse fixture keeps tests from leaking into each other ---------------


def test_isolation_first_sets_everything(monkeypatch: pytest.MonkeyPatch) -> None:
    config.strict = True
    config.pickle.policy = "deny"
    monkeypatch.setenv("MLRUN_PACKAGERS__PROJECT", "leaky")
    assert config.project == "leaky"  # cached: only reset() in the fixture forgets it


def test_isolation_second_sees_defaults() -> None:
    assert config.as_dict() == EXPECTED_DEFAULTS
    assert "MLRUN_PACKAGERS__PROJECT" not in os.environ


@pytest.mark.parametrize("value", ["a b", "my/key", ""])
def test_auto_pack_key_must_be_a_key(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    """It becomes part of every auto-packed output's key."""
    monkeypatch.setenv("MLRUN_PACKAGERS__AUTO_PACK_KEY", value)
    config.reset()
    with pytest.raises(ConfigError, match="MLRUN_PACKAGERS__AUTO_PACK_KEY.*expected"):
        _ = config.auto_pack_key


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
