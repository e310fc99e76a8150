"""Property-based round trips: random Python values through every format the README documents.

Container files (json, yaml, toml) are exact at every depth, or refused with a ``PackingError``
where the README says a format cannot hold a value; results are plain JSON; ``str``, ``bytes``
and ``bytearray`` files keep every character and byte; directories come back from every archive
format. Examples are deterministic and few by default; ``PACKAGERS_HYPOTHESIS=fuzz`` runs many
more (see the repository's conftest.py).
"""

from __future__ import annotations

import os
import re
import stat
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from packagers import LogHint, PackagersManager, PackingError
from packagers.testing import round_trip
from packagers_stdlib import ARCHIVE_FORMATS

Exact = Callable[..., None]  # the ``exact`` fixture of conftest.py

#: Any text, lone surrogates included (the README: JSON keeps them, YAML and TOML refuse them).
TEXT = st.text(st.characters(exclude_categories=()), max_size=8)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=2**63 - 2, max_value=2**70) | st.just(10**4000),
    st.floats(),
    TEXT,
)
#: Hashable values: set items and dict keys (no NaN, which equals nothing, not even itself).
HASHABLES = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), TEXT),
    lambda inner: st.tuples(inner, inner) | st.frozensets(inner, max_size=3),
    max_leaves=4,
)
VALUES = st.recursive(
    st.one_of(SCALARS, st.binary(max_size=6), st.binary(max_size=6).map(bytearray)),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.tuples(inner, inner),
        st.dictionaries(TEXT, inner, max_size=4),
        st.dictionaries(HASHABLES, inner, max_size=3),
        st.sets(HASHABLES, max_size=4),
        st.frozensets(HASHABLES, max_size=4),
    ),
    max_leaves=12,
)
CONTAINERS = st.one_of(
    st.lists(VALUES, max_size=4),
    st.tuples(VALUES),
    st.dictionaries(TEXT, VALUES, max_size=4),
    st.dictionaries(HASHABLES, VALUES, max_size=3),
    st.sets(HASHABLES, max_size=4),
    st.frozensets(HASHABLES, max_size=4),
)
#: What a result holds as it is: JSON's own values (dicts with str keys, lists).
JSON_VALUES = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=8)),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=4), inner),
    max_leaves=12,
)


def walk(value: Any) -> Iterator[Any]:
    """Every value and key inside ``value``, itself included."""
    yield value
    if isinstance(value, dict):
        for key, item in value.items():
            yield from walk(key)
            yield from walk(item)
    elif isinstance(value, (list, tuple, set, frozenset)):
        for item in value:
            yield from walk(item)


def has_surrogate(value: Any) -> bool:
    return any(
        isinstance(item, str) and any("\ud800" <= char <= "\udfff" for char in item)
        for item in walk(value)
    )


def toml_refuses(value: Any) -> bool:
    """The README's TOML limits: a dict with str keys at the top, no None, no lone surrogate."""
    top_is_table = isinstance(value, dict) and all(type(key) is str for key in value)
    has_none = any(item is None for item in walk(value))
    return not top_is_table or has_none or has_surrogate(value)


def in_order_of(expected: Any, actual: Any) -> Any:
    """``actual`` with its str-keyed dicts in ``expected``'s key order (TOML writes a table's
    sub-tables after its plain values); anything else as it is."""
    same_keys = (
        isinstance(expected, dict) and isinstance(actual, dict) and expected.keys() == actual.keys()
    )
    if same_keys and all(type(key) is str for key in expected):
        return {key: in_order_of(expected[key], actual[key]) for key in expected}
    if isinstance(expected, (list, tuple)) and type(actual) is type(expected):
        items = [in_order_of(left, right) for left, right in zip(expected, actual, strict=False)]
        return type(actual)(items) if len(items) == len(actual) else actual
    return actual


@given(value=CONTAINERS)
@pytest.mark.parametrize("fmt", ["json", "yaml", "toml"])
def test_container_files_are_exact_or_refused_as_documented(
    manager: PackagersManager, exact: Exact, fmt: str, value: Any
) -> None:
    pytest.importorskip({"json": "json", "yaml": "yaml", "toml": "tomli_w"}[fmt])
    refused = toml_refuses(value) if fmt == "toml" else fmt == "yaml" and has_surrogate(value)
    hint = LogHint("data", "file", packing_kwargs={"format": fmt})
    if refused:
        with pytest.raises(PackingError):
            manager.pack(value, hint)
        return
    restored, _ = round_trip(manager, value, hint, type(value))
    exact(value, in_order_of(value, restored) if fmt == "toml" else restored)


@given(value=JSON_VALUES.filter(lambda value: isinstance(value, (dict, list))))
def test_json_values_are_results_as_they_are(
    manager: PackagersManager, exact: Exact, value: Any
) -> None:
    restored, package = round_trip(manager, value, LogHint("r", "result"), type(value))
    assert package.is_result
    exact(value, restored)


@given(value=SCALARS.filter(lambda value: not isinstance(value, str)))
def test_scalars_are_exact_results_or_pickles_beyond_json(
    manager: PackagersManager, exact: Exact, value: Any
) -> None:
    package = manager.pack(value, LogHint("x"))
    if package.is_result:
        exact(value, package.value)
    else:  # README: ints too long for decimal text
        assert isinstance(value, int) and len(str(abs(value))) > 3600
        assert package.artifact_type == "object"


@given(
    text=TEXT | st.text(min_size=4097, max_size=5000),
    encoding=st.sampled_from(["utf-8", "utf-16", "latin-1"]),
)
def test_text_files_keep_every_character_or_are_refused(
    manager: PackagersManager, text: str, encoding: str
) -> None:
    hint = LogHint("s", "file", packing_kwargs={"encoding": encoding})
    try:
        text.encode(encoding)
    except UnicodeEncodeError:
        with pytest.raises(PackingError, match=f"cannot write 's' as {encoding} text"):
            manager.pack(text, hint)
        return
    restored, _ = round_trip(manager, text, hint, str)
    assert restored == text


@given(data=st.binary(max_size=300), as_bytearray=st.booleans())
def test_binary_files_keep_every_byte(
    manager: PackagersManager, exact: Exact, data: bytes, as_bytearray: bool
) -> None:
    value = bytearray(data) if as_bytearray else data
    restored, package = round_trip(manager, value, LogHint("b"), type(value))
    assert package.artifact_type == "file"
    exact(value, restored)


#: Names of files and directories in a tree (no separators, never ``.`` or ``..``).
NAMES = st.text(st.characters(exclude_characters="/\x00"), min_size=1, max_size=6).filter(
    lambda name: name not in (".", "..") and len(name.encode("utf-8", "surrogatepass")) < 100
)
TREES = st.recursive(
    st.binary(max_size=64),
    lambda inner: st.dictionaries(NAMES, inner, max_size=3),
    max_leaves=6,
).filter(lambda tree: isinstance(tree, dict))


def make_tree(root: Path, tree: dict[str, Any]) -> None:
    root.mkdir()
    for name, content in tree.items():
        if isinstance(content, dict):
            make_tree(root / name, content)
        else:
            (root / name).write_bytes(content)


def listing(root: Path) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            path = Path(dirpath, name)
            mode = stat.S_IMODE(path.stat().st_mode)
            content = None if path.is_dir() else path.read_bytes()
            found[str(path.relative_to(root))] = (mode, content)
    return found


@given(tree=TREES, fmt=st.sampled_from(list(ARCHIVE_FORMATS)))
def test_directories_come_back_from_every_archive_format(
    manager: PackagersManager, tmp_path: Path, tree: dict[str, Any], fmt: str
) -> None:
    root = Path(tempfile.mkdtemp(dir=tmp_path)) / "tree"
    try:
        make_tree(root, tree)
    except (OSError, UnicodeEncodeError):  # a name this filesystem cannot hold
        return
    hint = LogHint("tree", "path", packing_kwargs={"archive_format": fmt})
    names = list(listing(root))
    not_utf8 = fmt == "zip" and any(not _utf8(name) for name in names)
    if not_utf8 or any("\\" in name or re.match("[A-Za-z]:", name) for name in names):
        with pytest.raises(PackingError, match="rename it"):  # README: what archives refuse
            manager.pack(root, hint)
        return
    restored, _ = round_trip(manager, root, hint, Path)
    assert restored.name == "tree"
    assert listing(restored) == listing(root)


def _utf8(name: str) -> bool:
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
