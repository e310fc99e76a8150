"""Settings assigned in code: coerced, validated, unknown names and groups refused."""

from __future__ import annotations

from typing import Any

import pytest

from packagers._config import config
from packagers._errors import ConfigError

pytestmark = pytest.mark.usefixtures("clean_config")  # see conftest.py


def _read(path: str) -> Any:
    node: Any = config
    for part in path.split("."):
        node = getattr(node, part)
    return node


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
