"""The exception classes users catch: named, shown and pickled by their public name."""

from __future__ import annotations

import pickle
import traceback

import pytest

import packagers
from packagers import _errors


@pytest.mark.parametrize("name", _errors.__all__)
def test_each_error_is_named_where_users_import_it(name: str) -> None:
    kind = getattr(_errors, name)
    assert kind.__module__ == "packagers" and getattr(packagers, name) is kind
    assert pickle.loads(pickle.dumps(kind)) is kind


def test_a_traceback_names_the_public_class() -> None:
    with pytest.raises(packagers.LogHintError) as caught:
        packagers.LogHint.parse("bad key!")
    shown = "".join(traceback.format_exception_only(caught.value))
    assert shown.startswith("packagers.LogHintError: ") and "_errors" not in shown
