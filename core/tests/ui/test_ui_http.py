"""The server over HTTP without a browser: JSON twins, filters, and what it refuses."""

from __future__ import annotations

import http.client
import json
from typing import Any
from urllib.parse import quote, urlsplit

import pytest

Filled = Server = Any  # the fixtures of conftest.py


def _get(server: Server, path: str, host: str | None = None, method: str = "GET") -> Any:
    """A raw request: the path is sent exactly as written (no client-side normalising)."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    headers = {"Host": host or f"127.0.0.1:{server.port}"}
    connection.request(method, path, headers=headers)
    response = connection.getresponse()
    response.body = response.read()
    connection.close()
    return response


def _json(server: Server, path: str) -> Any:
    response = _get(server, path)
    assert response.status == 200, response.body
    return json.loads(response.body)


def test_every_page_has_a_json_twin(server: Server, filled: Filled) -> None:
    run_id = filled.runs["clean"]
    uri = quote(filled.uris["cleaned"])
    for path in (
        "/runs",
        f"/runs/{run_id}",
        f"/compare?runs={filled.runs['train0']},{filled.runs['train1']}",
        "/artifacts",
        f"/artifact?uri={uri}",
        f"/lineage?uri={uri}",
        f"/lineage?run={run_id}",
    ):
        page = _get(server, path)
        assert page.status == 200 and page.getheader("content-type").startswith("text/html")
        assert isinstance(_json(server, "/api" + path), dict)


def test_runs_filter_sort_and_page(server: Server, filled: Filled) -> None:
    where = quote("params.lr >= 0.01 and results.accuracy < 0.995")
    found = _json(server, f"/api/runs?where={where}&sort=params.lr&order=asc")
    assert [run["params"]["lr"] for run in found["runs"]] == [0.01, 0.1]
    paged = _json(server, "/api/runs?per_page=2&page=2&sort=started&order=asc")
    assert paged["total"] == 14 and paged["pages"] == 7 and len(paged["runs"]) == 2
    errors = _json(server, "/api/runs?state=error")["runs"]
    assert {run["id"] for run in errors} == {filled.runs["fail"], filled.children[-1]}


def test_a_sweep_parent_shows_its_children(server: Server, filled: Filled) -> None:
    runs = _json(server, "/api/runs?function=t:sweep")["runs"]
    assert runs[0]["children"] == {"completed": 4, "error": 1}
    children = _json(server, f"/api/runs?parent={filled.sweep}")
    assert sorted(run["id"] for run in children["runs"]) == filled.children


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/api/runs?where=" + quote("params.lr >"), "expected a value"),
        ("/api/runs?sort=__import__", "sort by"),
        ("/api/runs?page=0", "out of range"),
        ("/api/compare?runs=x", "2 to 10"),
        ("/api/artifact?uri=" + quote("store://../../etc/passwd"), "too many"),
        ("/api/artifact?uri=" + quote("store://demo/.."), "invalid key"),
    ],
)
def test_bad_requests_say_what_to_change(server: Server, path: str, message: str) -> None:
    response = _get(server, path)
    assert response.status == 400
    assert message in json.loads(response.body)["error"]


def test_unknown_things_are_404(server: Server) -> None:
    assert _get(server, "/runs/20200101T000000000000Z-00000000").status == 404
    assert _get(server, "/api/artifact?uri=" + quote("store://demo/nothing")).status == 404


def test_the_run_page_names_exact_versions_and_lineage(server: Server, filled: Filled) -> None:
    page = _json(server, f"/api/runs/{filled.runs['clean']}")
    (entry,) = page["inputs"]
    assert entry["uri"] == "store://demo/raw" and entry["exact"] == filled.uris["raw"]
    assert entry["producer"]["id"] == filled.runs["raw"]
    (artifact,) = page["artifacts"]
    consumers = {run["id"] for run in artifact["consumers"]}
    assert filled.runs["plot"] in consumers and filled.runs["fail"] in consumers
    assert artifact["preview"]["kind"] == "table"
    edges = {(edge["from"], edge["to"]) for edge in page["lineage"]["edges"]}
    assert (filled.uris["raw"], f"run:demo/{filled.runs['clean']}") in edges


def test_the_run_page_links_the_exact_version_read(server: Server, filled: Filled) -> None:
    html = _get(server, f"/runs/{filled.runs['clean']}").body.decode()
    assert f'<a href="/artifact?uri={quote(filled.uris["raw"], safe="")}">' in html


def test_download_and_thumbnail_come_through_the_store(server: Server, filled: Filled) -> None:
    download = _get(server, "/download?uri=" + quote(filled.uris["raw"]))
    assert download.status == 200 and download.body.startswith(b"x,y\n0,0")
    assert "attachment" in download.getheader("content-disposition")
    thumbnail = _get(server, "/preview.png?uri=" + quote(filled.uris["picture"]))
    assert thumbnail.status == 200 and thumbnail.body.startswith(b"\x89PNG")
    assert _get(server, "/preview.png?uri=" + quote(filled.uris["raw"])).status == 404


def test_a_foreign_host_is_refused(server: Server) -> None:
    refused = _get(server, "/runs", host="evil.example:80")
    assert refused.status == 400 and b"Host header" in refused.body
    assert _get(server, "/api/runs", host=f"localhost:{server.port}").status == 200


@pytest.mark.parametrize(
    "path",
    [
        "/static/../../../../etc/passwd",
        "/static/..%2f..%2f..%2f..%2fetc%2fpasswd",
        "/static/%2e%2e/app.py",
        "/../../etc/passwd",
        "/download?uri=" + quote("../../etc/passwd"),
        "/download?uri=" + quote("store://demo/..%2f..%2fetc"),
        "/preview.png?uri=" + quote("store://demo/raw/../../index"),
    ],
)
def test_path_traversal_is_refused(server: Server, path: str) -> None:
    response = _get(server, path)
    assert response.status in (400, 404)
    assert b"root:" not in response.body and b"import" not in response.body


def test_read_only_and_locked_down(server: Server) -> None:
    for method in ("POST", "PUT", "DELETE"):
        assert _get(server, "/runs", method=method).status == 405
    headers = _get(server, "/runs").getheader("content-security-policy")
    assert "default-src 'self'" in headers and "script-src 'self'" in headers
    assert "unsafe-inline" not in headers


def test_html_has_no_inline_script_or_style(server: Server, filled: Filled) -> None:
    for path in ("/runs", f"/runs/{filled.runs['train2']}", "/artifacts"):
        body = _get(server, path).body.decode()
        assert "<script" not in body.replace("&lt;script", "")
        assert " style=" not in body and "<style" not in body
        assert "http://" not in body.replace("http://www.w3.org/2000/svg", "")


def test_a_hostile_param_is_escaped(server: Server, filled: Filled) -> None:
    body = _get(server, f"/runs/{filled.runs['train2']}").body.decode()
    assert filled.hostile not in body
    assert "&lt;script&gt;window.hostile" in body


def test_the_root_sends_to_the_runs(server: Server) -> None:
    response = _get(server, "/")
    assert response.status in (302, 307)
    assert urlsplit(response.getheader("location")).path == "/runs"


def test_the_lineage_twin_gives_each_edge_its_kind(server: Server, filled: Filled) -> None:
    graph = _json(server, f"/api/lineage?uri={quote(filled.uris['model'])}")["lineage"]
    edges = {(edge["from"], edge["to"], edge["kind"], edge["name"]) for edge in graph["edges"]}
    model, run = filled.uris["model"], f"run:demo/{filled.runs['fit']}"
    assert (run, model, "output", None) in edges
    assert (model, filled.uris["curve"], "extra_data", "curve") in edges
    assert (model, f"value:{model}#metrics.score", "metrics", "score") in edges
    (score,) = [node for node in graph["nodes"] if node["kind"] == "value"]
    assert score["label"] == "score" and score["detail"] == "0.875"
