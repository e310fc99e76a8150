"""Keys in the log-hint shortcut: which are valid, and the rule the errors quote."""

from __future__ import annotations

import pytest

from packagers.log_hint import KEY_PATTERN, KEY_RULE, MAX_KEY_LENGTH, is_valid_key


@pytest.mark.parametrize(
    "key",
    [
        "a",
        "A",
        "0",
        "_",
        "accuracy",
        "my-key",
        "my.key",
        "v1.2-rc_3",
        "_private",
        "9lives",
        "a" * 200,
    ],
)
def test_valid_keys(key):
    assert is_valid_key(key)
    assert KEY_PATTERN.fullmatch(key)


@pytest.mark.parametrize(
    "key",
    [
        "",
        ".hidden",
        "-x",
        "a/b",
        "a b",
        "a:b",
        "a*b",
        "é",
        "a\n",
        "a" * 201,
        "a\\b",
        "[a]",
        None,
        3,
    ],
)
def test_invalid_keys(key):
    assert not is_valid_key(key)


def test_key_rule_text_explains_the_rule():
    assert "letter, digit or '_'" in KEY_RULE
    assert str(MAX_KEY_LENGTH) in KEY_RULE
