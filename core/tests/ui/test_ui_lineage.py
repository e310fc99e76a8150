"""The lineage graph: run edges and every link a manifest records, by kind, and their drawing."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from packagers import run
from packagers.store import Store
from packagers.ui.lineage import lineage_graph, render_svg

Filled = Any  # the fixture of conftest.py


def _edges(graph: dict[str, Any]) -> set[tuple[str, str, str, str | None]]:
    return {(e["from"], e["to"], e["kind"], e["name"]) for e in graph["edges"]}


def test_a_models_links_are_edges_of_their_kind(filled: Filled) -> None:
    model, curve = filled.uris["model"], filled.uris["curve"]
    graph = lineage_graph(Store(filled.url).index, uri=model).to_dict()
    score = f"value:{model}#metrics.score"
    assert _edges(graph) >= {
        (f"run:demo/{filled.runs['fit']}", model, "output", None),
        (model, curve, "extra_data", "curve"),
        (model, score, "metrics", "score"),
    }
    nodes = {node["id"]: node for node in graph["nodes"]}
    assert nodes[curve]["kind"] == "artifact" and nodes[curve]["column"] == 1
    assert nodes[score]["kind"] == "value" and nodes[score]["detail"] == "0.875"
    assert "/artifact?uri=" in nodes[score]["href"]  # a value is shown on its version's page


def test_a_linked_version_shows_what_links_it(filled: Filled) -> None:
    model, curve = filled.uris["model"], filled.uris["curve"]
    graph = lineage_graph(Store(filled.url).index, uri=curve).to_dict()
    assert (model, curve, "extra_data", "curve") in _edges(graph)
    assert {node["id"]: node["column"] for node in graph["nodes"]}[model] == -1


def test_links_are_drawn_labelled_and_bowed_within_a_column(filled: Filled) -> None:
    graph = lineage_graph(Store(filled.url).index, run=("demo", filled.runs["fit"])).to_dict()
    columns = {node["id"]: node["column"] for node in graph["nodes"]}
    model, curve = filled.uris["model"], filled.uris["curve"]
    assert columns[model] == columns[curve] == 1  # both outputs of the run
    svg = render_svg(graph)
    labels = re.findall(r'<text [^>]*class="edge-label ([a-z_]+)"[^>]*>([^<]*)</text>', svg)
    assert sorted(labels) == [("extra_data", "extra_data: curve"), ("metrics", "metrics: score")]
    (link,) = re.findall(rf'<path class="edge extra_data" data-from="{model}"[^>]*/>', svg)
    start, _, _, end = re.search(r'd="M (\d+) \d+ C (\d+) .*, (\d+) \d+, (\d+) \d+"', link).groups()
    assert start == end  # from the model's right side back to the curve's, in one column
    assert re.search(r'<path class="edge output" [^>]*data-kind="output"', svg)
    assert svg.index('class="edge-label') > svg.rindex("</a>")  # labels stay above the boxes
    lefts = {
        x: int(left) for left, x in re.findall(r'<rect x="(\d+)" [^>]*/><text [^>]*>(\w+)<', svg)
    }
    assert lefts["fit"] - lefts["cleaned"] == 180 + 48  # no label there: a narrow gap
    assert lefts["score"] - lefts["model"] == 180 + 132  # wide enough for a label


def test_a_graph_without_links_keeps_its_narrow_columns(filled: Filled) -> None:
    graph = lineage_graph(Store(filled.url).index, uri=filled.uris["picture"]).to_dict()
    assert {edge["kind"] for edge in graph["edges"]} <= {"input", "output"}
    svg = render_svg(graph)
    assert "edge-label" not in svg
    width = int(re.search(r'width="(\d+)"', svg).group(1))
    columns = len({node["column"] for node in graph["nodes"]})
    assert width == 12 * 2 + columns * 180 + (columns - 1) * 48


def _parts() -> list[bytes]:
    return [b"a", b"b"]


def test_a_bundle_leads_to_its_members(tmp_path: Path) -> None:
    record = run(_parts, returns=["*parts"], store=str(tmp_path / "store"), project="p")
    bundle = record.artifacts["parts"].uri
    graph = lineage_graph(Store(str(tmp_path / "store")).index, uri=bundle).to_dict()
    members = {(edge["to"], edge["name"]) for edge in graph["edges"] if edge["kind"] == "bundle"}
    assert members == {(record.artifacts[key].uri, key) for key in ("parts_0", "parts_1")}
    assert "bundle: parts_0" in render_svg(graph)


def test_a_hostile_link_name_is_drawn_as_text() -> None:
    name = '<script>alert(1)</script>"'
    value = f"value:store://p/m@v#metrics.{name}"
    graph = {
        "root": "store://p/m@v",
        "nodes": [
            {
                "id": "store://p/m@v",
                "kind": "artifact",
                "label": "m",
                "detail": "",
                "href": "/",
                "state": None,
                "column": 0,
            },
            {
                "id": value,
                "kind": "value",
                "label": name,
                "detail": "1",
                "href": "/",
                "state": None,
                "column": 1,
            },
        ],
        "edges": [{"from": "store://p/m@v", "to": value, "kind": "metrics", "name": name}],
        "truncated": False,
    }
    svg = render_svg(graph)
    assert "<script" not in svg and "metrics: &lt;script&gt;" in svg
