"""The pages in a real headless Chromium: what a person clicks through, with screenshots kept."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

Filled = Server = Any  # the fixtures of conftest.py


def test_runs_filtered_through_the_url(
    page: Any, server: Server, filled: Filled, shoot: Any
) -> None:
    page.goto(f"{server.url}/runs?project=demo&where={quote('params.lr > 0.005')}")
    shoot(page, "runs-filtered")
    ids = page.locator("table.runs input[name=runs]").evaluate_all("els => els.map(e => e.value)")
    assert sorted(ids) == sorted([filled.runs["train1"], filled.runs["train2"]])
    assert page.locator("input[name=where]").input_value() == "params.lr > 0.005"
    page.goto(f"{server.url}/runs")
    shoot(page, "runs")
    assert page.locator("a.children").first.inner_text().startswith("sweep: ")


def test_open_a_run_from_the_list(page: Any, server: Server, filled: Filled, shoot: Any) -> None:
    page.goto(f"{server.url}/runs?function={quote('ui_samples:clean')}")
    page.locator("table.runs tbody a").first.click()
    page.wait_for_load_state()
    assert page.url.endswith(f"/runs/{filled.runs['clean']}")
    shoot(page, "run")
    assert "row_count" in page.locator("section.two").inner_text()
    exact = page.locator("table.inputs td a").first.inner_text()
    assert exact == filled.uris["raw"]  # asked for store://demo/raw: shown with the version read


def test_a_failed_run_shows_its_traceback(
    page: Any, server: Server, filled: Filled, shoot: Any
) -> None:
    page.goto(f"{server.url}/runs/{filled.runs['fail']}")
    shoot(page, "run-error")
    assert "ValueError" in page.locator(".error-box").inner_text()
    assert "Traceback" in page.locator("pre.traceback").inner_text()


def test_compare_runs_with_differing_params(
    page: Any, server: Server, filled: Filled, shoot: Any
) -> None:
    page.goto(f"{server.url}/runs?function={quote('ui_samples:train')}")
    for box in page.locator("table.runs input[name=runs]").all():
        box.check()
    page.get_by_role("button", name="Compare selected").click()
    page.wait_for_load_state()
    shoot(page, "compare")
    differing = page.locator("tr.differs").evaluate_all("rows => rows.map(r => r.dataset.name)")
    assert "params.lr" in differing
    assert "inputs.data" not in differing  # the same input: hidden while only differences show
    assert page.locator(".side-by-side .preview-array").count() == 3
    page.get_by_role("link", name="Show everything").click()
    page.wait_for_load_state()
    assert page.locator("tr[data-name='inputs.data']").count() == 1


def test_table_preview_shows_its_rows(
    page: Any, server: Server, filled: Filled, shoot: Any
) -> None:
    page.goto(f"{server.url}/artifact?uri={quote(filled.uris['raw'])}")
    shoot(page, "artifact-table")
    rows = page.locator(".preview-table table.rows tbody tr")
    assert rows.count() == 4
    assert rows.nth(3).locator("td").all_inner_texts() == ["3", "9"]


def test_image_thumbnail_loads(page: Any, server: Server, filled: Filled, shoot: Any) -> None:
    page.goto(f"{server.url}/runs/{filled.runs['plot']}")
    shoot(page, "run-image")
    image = page.locator(".preview-image img")
    image.wait_for()
    assert image.evaluate("img => img.complete && img.naturalWidth") == 12


def test_lineage_graph_nodes_and_edges(
    page: Any, server: Server, filled: Filled, shoot: Any
) -> None:
    page.goto(f"{server.url}/lineage?uri={quote(filled.uris['cleaned'])}")
    shoot(page, "lineage")
    nodes = page.locator("svg.lineage a.node").evaluate_all("ns => ns.map(n => n.dataset.id)")
    project = "demo"
    assert filled.uris["raw"] in nodes and filled.uris["cleaned"] in nodes
    assert f"run:{project}/{filled.runs['clean']}" in nodes
    assert f"run:{project}/{filled.runs['plot']}" in nodes
    edges = page.locator("svg.lineage path.edge").evaluate_all(
        "es => es.map(e => e.dataset.from + ' -> ' + e.dataset.to)"
    )
    assert f"{filled.uris['raw']} -> run:{project}/{filled.runs['clean']}" in edges
    assert f"run:{project}/{filled.runs['clean']} -> {filled.uris['cleaned']}" in edges
    page.locator(f"svg.lineage a.node[data-id='run:{project}/{filled.runs['clean']}']").click()
    page.wait_for_load_state()
    assert page.url.endswith(f"/runs/{filled.runs['clean']}")


def test_lineage_shows_links_by_kind(page: Any, server: Server, filled: Filled, shoot: Any) -> None:
    page.goto(f"{server.url}/lineage?run={filled.runs['fit']}")
    page.locator(".lineage-box").evaluate("box => { box.scrollLeft = box.scrollWidth; }")
    shoot(page, "lineage-links")
    link = page.locator("svg.lineage path.edge[data-kind='extra_data']")
    assert link.get_attribute("data-from") == filled.uris["model"]
    assert link.get_attribute("data-to") == filled.uris["curve"]
    labels = page.locator("svg.lineage text.edge-label").all_text_contents()
    assert sorted(labels) == ["extra_data: curve", "metrics: score"]
    page.locator("svg.lineage a.node.value").click()  # the score: shown on the model's page
    page.wait_for_load_state()
    assert page.url.endswith(f"/artifact?uri={quote(filled.uris['model'], safe='')}")


def test_artifacts_page(page: Any, server: Server, filled: Filled, shoot: Any) -> None:
    page.goto(f"{server.url}/artifacts?project=demo")
    shoot(page, "artifacts")
    keys = page.locator("table.grid tbody tr td:nth-child(2)").all_inner_texts()
    assert {"raw", "cleaned", "weights", "picture"} <= set(keys)


def test_script_in_a_param_is_shown_as_text(
    page: Any, server: Server, filled: Filled, shoot: Any
) -> None:
    page.goto(f"{server.url}/runs/{filled.runs['train2']}")
    assert page.evaluate("window.hostile") is None
    assert filled.hostile in page.locator("section.two").inner_text()
    page.goto(f"{server.url}/runs?function={quote('ui_samples:train')}")
    assert page.evaluate("window.hostile") is None
    assert page.locator("b", has_text="bold?").count() == 0


def test_no_request_leaves_the_origin(
    page: Any, server: Server, filled: Filled, shoot: Any
) -> None:
    seen: list[str] = []
    page.on("request", lambda request: seen.append(request.url))
    for path in ("/runs", f"/runs/{filled.runs['plot']}", "/artifacts"):
        page.goto(server.url + path)
    assert seen and all(url.startswith(server.url) for url in seen)
