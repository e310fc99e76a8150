"""What a workflow reuses: the code digest changes with the code and with nothing else."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from packagers.projects._reuse import code_digest, reuse_key
from packagers.store import Store

MakeProject = Callable[..., Path]
_MLPROJECT = "entry_points: {main: {command: 'true'}}\nworkflow: {steps: {main: {}}}\n"


def test_the_code_digest_follows_the_code(make_project: MakeProject) -> None:
    root = make_project(MLproject=_MLPROJECT, **{"train.py": "x = 1\n"})
    before = code_digest(root, root / "MLproject")
    (root / "train.py").write_text("x = 2\n")
    assert code_digest(root, root / "MLproject") != before


def test_the_code_digest_ignores_caches_hidden_files_and_the_workflow(
    make_project: MakeProject,
) -> None:
    root = make_project(MLproject=_MLPROJECT, **{"train.py": "x = 1\n"})
    before = code_digest(root, root / "MLproject")
    (root / ".packagers").mkdir()
    (root / ".packagers" / "blob").write_text("data")
    (root / "__pycache__").mkdir()
    (root / "__pycache__" / "train.cpython-311.pyc").write_bytes(b"\0")
    (root / ".env").write_text("A=1")
    (root / "workflow.yaml").write_text("steps: {other: {}}\n")
    (root / "MLproject").write_text(_MLPROJECT.replace("{main: {}}", "{main: {params: {}}}"))
    assert code_digest(root, root / "MLproject") == before


def test_a_new_version_of_the_same_data_keeps_the_reuse_key(store_url: str) -> None:
    from packagers.api import log

    store = Store(store_url)
    first = log([1, 2], "data : object", store=store).uri
    second = log([1, 2], "data : object", store=store).uri
    assert first != second
    key = reuse_key(store, "code", "main", "local", {"data": first})
    assert reuse_key(store, "code", "main", "local", {"data": second}) == key
    assert reuse_key(store, "code", "main", "venv", {"data": second}) != key
