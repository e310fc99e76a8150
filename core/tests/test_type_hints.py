"""Reducing and matching hints in one place."""

from __future__ import annotations

import sys
import typing
from typing import Annotated, Any, Dict, List, Optional, Union

import pytest

from packagers.type_hints import (
    hint_metadata,
    hint_origin,
    import_type,
    resolve_type_hints,
    split_hint,
)


@pytest.mark.parametrize(
    ("hint", "members"),
    [
        (int, (int,)),
        (Optional[int], (int, type(None))),
        (int | None, (int, type(None))),
        (Union[str, int, float], (str, int, float)),
        (Union[int, Union[str, bytes]], (int, str, bytes)),
        (Annotated[int, "meta"], (int,)),
        (Optional[Annotated[int, "meta"]], (int, type(None))),
    ],
)
def test_split_hint_keeps_written_order(hint, members):
    assert split_hint(hint) == members


def test_split_hint_can_keep_each_members_annotation():
    (first, none) = split_hint(Optional[Annotated[int, "cols"]], keep_annotated=True)
    assert hint_metadata(first) == ("cols",)
    assert hint_metadata(none) == ()


def test_extras_around_a_union_stay_with_every_member():
    """``Annotated[Optional[X], m]`` is as common a spelling as ``Optional[Annotated[X, m]]``."""
    (first, none) = split_hint(Annotated[Optional[int], "cols"], keep_annotated=True)
    assert hint_metadata(first) == ("cols",)
    assert hint_origin(first) is int
    assert hint_origin(none) is type(None)


@pytest.mark.parametrize(
    ("hint", "origin"),
    [
        (List[int], list),
        (list[int], list),
        (Dict[str, int], dict),
        (dict[str, int], dict),
        (typing.Tuple[int, ...], tuple),
        (Any, object),
        (None, type(None)),
        (Annotated[list[int], "x"], list),
    ],
)
def test_hint_origin(hint, origin):
    assert hint_origin(hint) is origin


@pytest.mark.skipif(sys.version_info < (3, 12), reason="the `type` statement is Python 3.12+")
def test_hint_origin_sees_through_type_aliases():
    """numpy 2.5's ``NDArray`` is such an alias: ``list[NDArray[np.float64]]`` must still match."""
    namespace: dict[str, Any] = {}
    exec("type Vector[T] = list[T]\ntype Names = dict[str, str]", namespace)
    assert hint_origin(namespace["Vector"][int]) is list
    assert hint_origin(namespace["Vector"]) is list
    assert hint_origin(namespace["Names"]) is dict


def _postponed(a: Fraction, b: list[int] | None, c: NotDefinedAnywhere) -> None:  # noqa: F821
    pass


def _quoted(a: "Fraction", c: NotDefinedAnywhere) -> None:  # noqa: F821, UP037
    pass


from fractions import Fraction  # noqa: E402 - defined after the function on purpose


def test_string_annotations_resolve_against_the_module_and_unknown_ones_stay_strings():
    hints = resolve_type_hints(_postponed)
    assert hints["a"] is Fraction
    assert split_hint(hints["b"]) == (list[int], type(None))
    assert hints["c"] == "NotDefinedAnywhere"


def test_a_quoted_annotation_resolves_even_beside_an_unknown_one():
    """Under postponed evaluation ``"Fraction"`` is stored as ``"'Fraction'"``: two evaluations."""
    hints = resolve_type_hints(_quoted)
    assert hints["a"] is Fraction
    assert hints["c"] == "NotDefinedAnywhere"


def test_import_type_only_if_imported(monkeypatch):
    import sys

    assert import_type("collections.OrderedDict") is __import__("collections").OrderedDict
    assert import_type("no.such.Thing") is None
    monkeypatch.delitem(sys.modules, "wave", raising=False)
    assert import_type("wave.Wave_read", only_if_imported=True) is None
    assert "wave" not in sys.modules


def test_an_imported_module_is_not_imported_again(monkeypatch):
    """Most of a dispatch's cost was ``import_module`` finding a module already imported."""
    import importlib

    def refuse(name: str, package: str | None = None) -> None:
        raise AssertionError(f"import_module({name!r}) called")

    monkeypatch.setattr(importlib, "import_module", refuse)
    assert import_type("collections.OrderedDict") is __import__("collections").OrderedDict


def test_a_module_still_initialising_is_imported_through_the_import_system(monkeypatch):
    """Another thread may be running its body: ``import`` waits for it, so must we."""
    import importlib
    import types

    half = types.ModuleType("half_done")
    half.__spec__ = importlib.machinery.ModuleSpec("half_done", None)
    half.__spec__._initializing = True  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "half_done", half)
    asked: list[str] = []

    def finished(name: str, package: str | None = None) -> types.ModuleType:
        asked.append(name)
        done = types.ModuleType(name)
        done.Thing = type("Thing", (), {})  # type: ignore[attr-defined]
        return done

    monkeypatch.setattr(importlib, "import_module", finished)
    assert import_type("half_done.Thing") is not None
    assert asked == ["half_done"]


@pytest.mark.parametrize("hint", [int, list[int], Any, List[int], Optional[int]])
def test_plain_classes_take_the_short_path_to_the_same_answers(hint):
    expected = {int: int, list[int]: list, Any: object, List[int]: list, Optional[int]: None}[hint]
    if expected is None:
        assert split_hint(hint) == (int, type(None))
    else:
        assert hint_origin(hint) is expected
        assert split_hint(hint) == (hint,)
