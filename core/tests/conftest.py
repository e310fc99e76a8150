"""Core test fixtures: fake plugin distributions installed on ``sys.path`` for one test, S3, the
import cycles of a package, and a clean settings tree for the config tests."""

from __future__ import annotations

import ast
import importlib.util
import os
import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from packagers._config import config
from packagers._settings import ENV_PREFIX
from packagers.plugins import clear_cache

MakeDistribution = Callable[..., Path]
ImportCycles = Callable[[str], list[list[str]]]
ImportGraph = Callable[[str], dict[str, set[str]]]


@pytest.fixture
def make_distribution(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[MakeDistribution]:
    """Install a plugin distribution for this test only: modules plus a ``.dist-info``.

    ``importlib.metadata`` finds it on ``sys.path`` exactly as it finds a pip-installed one, so
    collection goes through the real entry-point machinery.
    """
    root = tmp_path / "site"
    root.mkdir()
    monkeypatch.syspath_prepend(str(root))
    created: list[str] = []

    def make(
        name: str,
        modules: dict[str, str],
        entry_points: dict[str, str],
        version: str = "1.0",
    ) -> Path:
        for module, source in modules.items():
            created.append(module)
            path = root / (module.replace(".", "/") + ".py")
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(textwrap.dedent(source))
        info = root / f"{name.replace('-', '_')}-{version}.dist-info"
        info.mkdir()
        (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n")
        lines = "\n".join(f"{key} = {value}" for key, value in entry_points.items())
        (info / "entry_points.txt").write_text(f"[packagers]\n{lines}\n")
        clear_cache()
        return root

    yield make
    for module in created:
        sys.modules.pop(module, None)
    clear_cache()


@pytest.fixture(scope="module")
def s3_options() -> Iterator[dict[str, Any]]:
    """A moto S3 server on loopback with the bucket ``packagers-test``: its storage options."""
    pytest.importorskip("s3fs")
    server_module = pytest.importorskip("moto.server")
    server = server_module.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    options = {
        "key": "testing",
        "secret": "testing",
        "endpoint_url": f"http://{host}:{port}",
        "client_kwargs": {"region_name": "us-east-1"},
    }
    import boto3

    boto3.client(
        "s3",
        endpoint_url=options["endpoint_url"],
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        region_name="us-east-1",
    ).create_bucket(Bucket="packagers-test")
    yield options
    server.stop()


@pytest.fixture
def import_cycles() -> ImportCycles:
    """``import_cycles("packagers.runner")``: the import cycles among a package's own modules.

    Read from the source, so every import counts: at module level, under ``TYPE_CHECKING`` and
    inside functions. Each cycle is a path ``[a, b, ..., a]``; none means every module imports
    only modules below it.
    """
    return find_import_cycles


@pytest.fixture
def import_graph_of() -> ImportGraph:
    """``import_graph_of("packagers")``: each module -> the modules of the package it imports
    (read from the source, as :func:`import_cycles` reads it)."""
    return import_graph


@pytest.fixture
def clean_config(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Start every test from defaults with no packagers variables, and leak nothing after it."""
    for name in list(os.environ):
        if name.upper().startswith(ENV_PREFIX):
            monkeypatch.delenv(name)
    config.reset()
    yield
    config.reset()


def find_import_cycles(package: str) -> list[list[str]]:
    graph = import_graph(package)
    return [_cycle_in(sorted(part), graph) for part in _strongly_connected(graph) if len(part) > 1]


def import_graph(package: str) -> dict[str, set[str]]:
    """Module -> the modules of the same package it imports (the package's ``__init__`` is the
    package's own name)."""
    spec = importlib.util.find_spec(package)
    if spec is None or spec.origin is None or not spec.submodule_search_locations:
        raise ValueError(f"{package!r} is not an importable package")
    root = Path(spec.origin).parent
    paths: dict[str, Path] = {}
    for path in sorted(root.rglob("*.py")):
        parts = [package, *path.relative_to(root).with_suffix("").parts]
        is_package = parts[-1] == "__init__"
        paths[".".join(parts[:-1] if is_package else parts)] = path
    packages = {name for name, path in paths.items() if path.name == "__init__.py"}
    graph: dict[str, set[str]] = {}
    for name, path in paths.items():
        here = name if name in packages else name.rpartition(".")[0]
        targets: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Import):
                targets.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = here.rsplit(".", node.level - 1)[0] if node.level > 1 else here
                    base = f"{anchor}.{base}" if base else anchor
                for alias in node.names:
                    member = f"{base}.{alias.name}"
                    targets.add(member if member in paths else base)
        graph[name] = {target for target in targets if target in paths and target != name}
    return graph


def _strongly_connected(graph: dict[str, set[str]]) -> list[set[str]]:
    """Tarjan's algorithm: the groups of modules that import each other, directly or not."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    groups: list[set[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in sorted(graph[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = {stack.pop()}
            while node not in group:
                group.add(stack.pop())
            groups.append(group)

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return groups


def _cycle_in(group: list[str], graph: dict[str, set[str]]) -> list[str]:
    """The shortest import path from the group's first module back to itself."""
    start = group[0]
    paths = {target: [start, target] for target in graph[start] if target in group}
    queue = list(paths)
    while start not in paths:
        node = queue.pop(0)
        for target in sorted(graph[node]):
            if target in group and target not in paths:
                paths[target] = [*paths[node], target]
                queue.append(target)
    return paths[start]
