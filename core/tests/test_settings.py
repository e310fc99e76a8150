"""The settings table: each row defined once, with its variable, its rule and a valid default."""

from __future__ import annotations

import pytest

from packagers._errors import ConfigError
from packagers._settings import ENV_PREFIX, SETTINGS, Setting

_BY_PATH = {s.path: s for s in SETTINGS}


def test_each_setting_is_defined_once_with_help() -> None:
    paths = [s.path for s in SETTINGS]
    assert len(paths) == len(set(paths))
    assert all(s.help for s in SETTINGS)


def test_the_variable_is_the_path_under_the_prefix() -> None:
    assert _BY_PATH["pickle.policy"].env_var == "MLRUN_PACKAGERS__PICKLE__POLICY"
    assert _BY_PATH["auto_pack_outputs"].env_var == "MLRUN_PACKAGERS__AUTO_PACK_OUTPUTS"
    assert all(s.env_var.startswith(ENV_PREFIX) for s in SETTINGS)


@pytest.mark.parametrize(
    ("path", "accepted"),
    [
        ("pickle.policy", "one of allow, warn, deny"),
        ("archive.max_ratio", "a decimal integer >= 1"),
        ("pickle.module", "an importable dotted module name"),
        ("project", "a key: letters, digits"),
        ("dask.address", "a string (empty or None to unset)"),
    ],
)
def test_accepted_says_the_rule_of_the_row(path: str, accepted: str) -> None:
    assert _BY_PATH[path].accepted.startswith(accepted)


@pytest.mark.parametrize("setting", SETTINGS, ids=lambda s: s.path)
def test_every_default_is_valid(setting: Setting) -> None:
    assert setting.parse(setting.default, "default") == setting.default_value()


def test_a_bad_value_names_where_it_came_from_and_the_rule() -> None:
    with pytest.raises(ConfigError, match=r"where: invalid value 'maybe'; expected one of allow"):
        _BY_PATH["pickle.policy"].parse("maybe", "where")
