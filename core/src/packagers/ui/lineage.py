"""Lineage: which runs made an artifact version and which consumed it, drawn as SVG on the server.

The graph comes from run records (their inputs, with the exact version each read, and their
logged artifacts) and from what manifests link (a bundle's members; ``extra_data`` and
``metrics`` entries: another version, or a value), through the store index; nothing is unpickled
or even opened. It is walked upstream (producers of inputs, versions linking to a version) and
downstream (consumers of outputs, what a version links), from the node asked for, and laid out
in columns by signed distance: causes on the left, effects on the right.
"""

from __future__ import annotations

import html
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from packagers.store.index_lineage import LINK_KINDS
from packagers.store.uri import SCHEME

if TYPE_CHECKING:
    from packagers.store.index import StoreIndex
    from packagers.store.index_lineage import ArtifactLink

__all__ = ["Graph", "Node", "lineage_graph", "render_svg"]

#: How far the walk goes each way, and how many nodes a graph may hold before it stops growing.
MAX_DEPTH = 12
MAX_NODES = 120
_WIDTH, _HEIGHT, _GAP_X, _GAP_Y, _MARGIN = 180, 44, 48, 16, 12
#: The gap right of a column where links' labels are drawn: room for them.
_GAP_LABELLED = 132


@dataclass
class Node:
    """A run (``run:<project>/<id>``), an artifact version (its exact URI), or a value a
    version's manifest records (``value:<version URI>#<kind>.<name>``)."""

    id: str
    kind: str
    label: str
    detail: str
    href: str
    state: str | None = None
    column: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "label": self.label,
            "detail": self.detail,
            "href": self.href,
            "state": self.state,
            "column": self.column,
        }


#: source id, target id, kind, name. The kind says what the edge stands for: a run read a version
#: (``input``), logged one (``output``), or a manifest links it (one of ``LINK_KINDS``, under the
#: link's name; a run's edges have the name "").
Edge = tuple[str, str, str, str]


@dataclass
class Graph:
    """Nodes by id and edges; ``truncated`` when a limit stopped the walk."""

    root: str
    nodes: dict[str, Node] = field(default_factory=dict)
    edges: set[Edge] = field(default_factory=set)
    truncated: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "root": self.root,
            "nodes": [node.to_dict() for node in self.nodes.values()],
            "edges": [
                {"from": source, "to": target, "kind": kind, "name": name or None}
                for source, target, kind, name in sorted(self.edges)
            ],
            "truncated": self.truncated,
        }


def _run_id(project: str, run_id: str) -> str:
    return f"run:{project}/{run_id}"


def _artifact_node(uri: str, column: int) -> Node:
    key, _, version = uri.removeprefix(SCHEME).partition("@")
    return Node(
        uri,
        "artifact",
        key.partition("/")[2] or key,
        _short_id(version),
        f"/artifact?uri={quote(uri, safe='')}",
        column=column,
    )


def _value_node(link: ArtifactLink, column: int) -> Node:
    return Node(
        _value_id(link),
        "value",
        link.name,
        _clip(json.dumps(link.value), 22),
        f"/artifact?uri={quote(link.source, safe='')}",
        column=column,
    )


def _value_id(link: ArtifactLink) -> str:
    return f"value:{link.source}#{link.kind}.{link.name}"


def _run_node(index: StoreIndex, project: str, run_id: str, column: int) -> Node:
    records = {r["id"]: r for r in index.runs_by_id([run_id])}
    record = records.get(run_id, {})
    return Node(
        _run_id(project, run_id),
        "run",
        str(record.get("name") or "run"),
        _short_id(run_id),
        f"/runs/{quote(run_id, safe='')}",
        state=record.get("state"),
        column=column,
    )


def lineage_graph(
    index: StoreIndex, *, uri: str | None = None, run: tuple[str, str] | None = None
) -> Graph:
    """The graph around an artifact version (exact ``uri``) or a run (``(project, id)``)."""
    if run is not None:
        root = _run_node(index, run[0], run[1], 0)
    else:
        assert uri is not None
        root = _artifact_node(uri, 0)
    graph = Graph(root.id, {root.id: root})
    for direction in (-1, 1):
        frontier = [root]
        for depth in range(1, MAX_DEPTH + 1):
            frontier = _step(index, graph, frontier, direction * depth)
            if not frontier:
                break
        else:
            graph.truncated = True
    return graph


def _step(index: StoreIndex, graph: Graph, frontier: list[Node], column: int) -> list[Node]:
    """The nodes one step further from the root (``column`` < 0: upstream), added to the graph."""
    upstream = column < 0
    found: list[Node] = []

    def add(node_id: str, make: Callable[[], Node], edge: Edge) -> None:
        graph.edges.add(edge)
        if node_id in graph.nodes:
            return
        if len(graph.nodes) >= MAX_NODES:
            graph.truncated = True
            graph.edges.discard(edge)
            return
        node = graph.nodes[node_id] = make()
        found.append(node)

    artifacts = [node.id for node in frontier if node.kind == "artifact"]
    if upstream:
        for uri, (project, run_id) in index.producers(artifacts).items():
            node_id = _run_id(project, run_id)
            add(
                node_id,
                partial(_run_node, index, project, run_id, column),
                (node_id, uri, "output", ""),
            )
        for link in index.links(artifacts, to=True):
            edge = (link.source, str(link.target), link.kind, link.name)
            add(link.source, partial(_artifact_node, link.source, column), edge)
    else:
        for uri, runs in index.consumers(artifacts).items():
            for project, run_id in runs:
                node_id = _run_id(project, run_id)
                add(
                    node_id,
                    partial(_run_node, index, project, run_id, column),
                    (uri, node_id, "input", ""),
                )
        for link in index.links(artifacts):
            if link.target is None:
                target, make = _value_id(link), partial(_value_node, link, column)
            else:
                target, make = link.target, partial(_artifact_node, link.target, column)
            add(target, make, (link.source, target, link.kind, link.name))
    for node in frontier:
        if node.kind != "run":
            continue
        project, _, run_id = node.id.removeprefix("run:").partition("/")
        inputs, outputs = index.run_edges(project, run_id)
        for uri in inputs if upstream else outputs:
            edge = (uri, node.id, "input", "") if upstream else (node.id, uri, "output", "")
            add(uri, partial(_artifact_node, uri, column), edge)
    return found


def _gaps(edges: list[dict[str, Any]], columns: dict[str, int]) -> dict[int, int]:
    """The columns whose gap on the right holds a link's label, widened to fit it."""
    gaps = {}
    for edge in edges:
        if edge["kind"] in LINK_KINDS and edge["from"] in columns and edge["to"] in columns:
            source, target = columns[edge["from"]], columns[edge["to"]]
            gaps[source if source == target else target - 1] = _GAP_LABELLED
    return gaps


def _positions(
    nodes: list[dict[str, Any]], gaps: dict[int, int]
) -> tuple[dict[str, tuple[int, int]], int, int]:
    columns: dict[int, list[dict[str, Any]]] = {}
    for node in nodes:
        columns.setdefault(node["column"], []).append(node)
    tallest = max(len(members) for members in columns.values())
    height = _MARGIN * 2 + tallest * _HEIGHT + (tallest - 1) * _GAP_Y
    positions = {}
    x = right = _MARGIN
    for column in sorted(columns):
        members = sorted(
            columns[column], key=lambda node: (node["kind"], node["label"], node["id"])
        )
        top = (height - (len(members) * _HEIGHT + (len(members) - 1) * _GAP_Y)) // 2
        for row, node in enumerate(members):
            positions[node["id"]] = (x, top + row * (_HEIGHT + _GAP_Y))
        right = x + _WIDTH
        x = right + gaps.get(column, _GAP_X)
    width = right + gaps.get(max(columns), 0) + _MARGIN
    return positions, width, height


def render_svg(graph: dict[str, Any]) -> str:
    """A graph (as :meth:`Graph.to_dict` gives it) as an SVG element: linked boxes and arrows,
    a link's arrow labelled with its kind and name.

    Styling is by class only (the static style sheet), so the page needs no inline style.
    """
    columns = {node["id"]: node["column"] for node in graph["nodes"]}
    gaps = _gaps(graph["edges"], columns)
    positions, width, height = _positions(graph["nodes"], gaps)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="lineage" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" role="img" '
        'aria-label="lineage graph">',
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" '
        'markerHeight="7" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" '
        'class="arrowhead"/></marker></defs>',
    ]
    labels = []
    for edge in graph["edges"]:
        source, target = edge["from"], edge["to"]
        if source not in positions or target not in positions:
            continue
        gap = gaps.get(columns[source], _GAP_X)
        curve, (x, y, anchor) = _curve(positions[source], positions[target], gap)
        parts.append(
            f'<path class="edge {_attr(edge["kind"])}" data-from="{_attr(source)}" '
            f'data-to="{_attr(target)}" data-kind="{_attr(edge["kind"])}" d="{curve}" '
            'marker-end="url(#arrow)"/>'
        )
        if edge["kind"] in LINK_KINDS:
            text = html.escape(_clip(f"{edge['kind']}: {edge['name']}", 22))
            labels.append(
                f'<text x="{x}" y="{y}" class="edge-label {_attr(edge["kind"])}" '
                f'text-anchor="{anchor}">{text}</text>'
            )
    for node in graph["nodes"]:
        x, y = positions[node["id"]]
        classes = f"node {node['kind']}" + (f" state-{node['state']}" if node["state"] else "")
        classes += " root" if node["id"] == graph["root"] else ""
        corner = 4 if node["kind"] == "run" else 14
        label = html.escape(_clip(node["label"], 24))
        parts.append(
            f'<a href="{_attr(node["href"])}" class="{_attr(classes)}" '
            f'data-id="{_attr(node["id"])}">'
            f"<title>{html.escape(node['id'])}</title>"
            f'<rect x="{x}" y="{y}" width="{_WIDTH}" height="{_HEIGHT}" rx="{corner}"/>'
            f'<text x="{x + 10}" y="{y + 18}" class="label">{label}</text>'
            f'<text x="{x + 10}" y="{y + 34}" class="detail">'
            f"{html.escape(node['kind'])} {html.escape(node['detail'])}</text></a>"
        )
    parts += labels  # over the boxes, so a label crossing one stays legible
    parts.append("</svg>")
    return "".join(parts)


def _curve(
    start: tuple[int, int], end: tuple[int, int], gap: int
) -> tuple[str, tuple[int, int, str]]:
    """An arrow's path from box to box, and where its label goes: just above its head, where
    arrows into different boxes cannot crowd it (x, y, text-anchor).

    Boxes in one column (two outputs of a run, one linking the other) are joined by a bow out
    into the gap on their right; otherwise the arrow leaves a box's right side for the other's
    left.
    """
    (x1, y1), (x2, y2) = start, end
    y1, y2 = y1 + _HEIGHT // 2, y2 + _HEIGHT // 2
    if x1 == x2:
        x1 = x2 = x1 + _WIDTH
        bow = x1 + gap * 2 // 3
        return f"M {x1} {y1} C {bow} {y1}, {bow} {y2}, {x2} {y2}", (x2 + 8, y2 - 6, "start")
    x1 += _WIDTH
    middle = (x1 + x2) // 2
    return f"M {x1} {y1} C {middle} {y1}, {middle} {y2}, {x2} {y2}", (x2 - 8, y2 - 6, "end")


def _short_id(identifier: str) -> str:
    """``20250102T030405123456Z-9f86d081`` -> ``01-02 03:04:05 9f86d0``: enough to tell apart."""
    day, _, rest = identifier.partition("T")
    random = identifier.rpartition("-")[2][:6]
    if len(day) != 8 or len(rest) < 6:
        return identifier[:20]
    return f"{day[4:6]}-{day[6:8]} {rest[0:2]}:{rest[2:4]}:{rest[4:6]} {random}"


def _attr(text: str) -> str:
    return html.escape(text, quote=True)


def _clip(text: str, size: int) -> str:
    return text if len(text) <= size else text[: size - 1] + "…"
