"""What each page shows, as plain JSON-ready data: the ``/api/`` twin of a page is exactly this.

Listings come from the store index; a single run or version is read from the store itself (the
truth), so a page never shows what the index alone believes.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from packagers.store.errors import StoreError
from packagers.store.index import RunQuery
from packagers.store.index_schema import RUN_COLUMNS
from packagers.store.uri import is_store_uri, parse_uri
from packagers.ui.errors import NotFoundError, UiError
from packagers.ui.expression import SECTIONS, parse_filter
from packagers.ui.lineage import lineage_graph
from packagers.ui.previews import load_preview

if TYPE_CHECKING:
    from packagers.manifest import Manifest
    from packagers.store import Store

__all__ = [
    "MAX_COMPARE",
    "artifact_page",
    "artifacts_page",
    "compare_page",
    "lineage_page",
    "run_page",
    "runs_page",
]

PER_PAGE = 50
MAX_PER_PAGE = 500
MAX_COMPARE = 10
#: How many params and results become columns of the runs table (the first seen on the page).
MAX_COLUMNS = 8


def _integer(query: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    text = query.get(name) or ""
    if not text:
        return default
    try:
        value = int(text)
    except ValueError:
        raise UiError(f"{name}={text!r} is not a whole number") from None
    if not low <= value <= high:
        raise UiError(f"{name}={value} is out of range: give {low} to {high}")
    return value


def runs_page(store: Store, query: Mapping[str, str]) -> dict[str, Any]:
    """A page of runs: filtered by project, state, function, parent and an expression; sorted."""
    sort = query.get("sort") or "started"
    section, dot, name = sort.partition(".")
    if sort not in RUN_COLUMNS and not (dot and section in SECTIONS and name):
        raise UiError(
            f"sort={sort!r}: sort by {', '.join(RUN_COLUMNS)}, params.NAME or results.NAME"
        )
    order = query.get("order") or "desc"
    if order not in ("asc", "desc"):
        raise UiError(f"order={order!r}: give asc or desc")
    per_page = _integer(query, "per_page", PER_PAGE, 1, MAX_PER_PAGE)
    page = _integer(query, "page", 1, 1, 10**9)
    where = parse_filter(query.get("where") or "")
    filters = {
        column: query.get(column) or None for column in ("project", "state", "function", "parent")
    }
    found = store.index.runs(
        RunQuery(
            project=filters["project"],
            state=filters["state"],
            function=filters["function"],
            parent=filters["parent"],
            where=None if where is None else (where.sql, where.values),
            sort=sort,
            descending=order == "desc",
            limit=per_page,
            offset=(page - 1) * per_page,
        )
    )
    runs = [_summary(record, found.children.get(record["id"], {})) for record in found.runs]
    return {
        "filters": {**filters, "where": query.get("where") or ""},
        "sort": sort,
        "order": order,
        "page": page,
        "per_page": per_page,
        "pages": max(1, math.ceil(found.total / per_page)),
        "total": found.total,
        "columns": {section: _columns(runs, section) for section in SECTIONS},
        "runs": runs,
        "choices": {
            column: store.index.values(column) for column in ("project", "state", "function")
        },
    }


def _summary(record: dict[str, Any], children: dict[str, int]) -> dict[str, Any]:
    error = record.get("error") or {}
    return {
        "id": record.get("id"),
        "project": record.get("project"),
        "name": record.get("name"),
        "function": record.get("function"),
        "state": record.get("state"),
        "executor": record.get("executor"),
        "started": record.get("started"),
        "duration": record.get("duration"),
        "parent": record.get("parent") or record.get("parent_id"),
        "params": record.get("params") or {},
        "results": record.get("results") or {},
        "error": f"{error.get('type')}: {error.get('message')}" if error else None,
        "children": children,
    }


def _columns(runs: list[dict[str, Any]], section: str) -> list[str]:
    names: dict[str, None] = {}
    for run in runs:
        names.update(dict.fromkeys(run[section]))
    return list(names)[:MAX_COLUMNS]


def _record(store: Store, run_id: str) -> dict[str, Any]:
    """A run's record from the store; the index only says which project holds it."""
    project = store.index.run_project(run_id)
    try:
        return store.get_run(run_id, project)
    except StoreError as error:
        raise NotFoundError(str(error)) from None


def _names(store: Store, ids: Sequence[str]) -> dict[str, str | None]:
    return {record["id"]: record.get("name") for record in store.index.runs_by_id(ids)}


def run_page(store: Store, run_id: str) -> dict[str, Any]:
    """One run: inputs (exact versions), outputs with previews, error, timings, lineage."""
    record = _record(store, run_id)
    project = record.get("project") or ""
    inputs = []
    for name, spec in (record.get("inputs") or {}).items():
        exact = spec.get("resolved") or spec.get("uri")
        inputs.append({"name": name, "uri": spec.get("uri"), "exact": exact, **spec})
    exact_inputs = [entry["exact"] for entry in inputs if is_store_uri(entry["exact"])]
    producers = store.index.producers(exact_inputs)
    artifacts = []
    for key, ref in (record.get("artifacts") or {}).items():
        artifacts.append(_artifact_summary(store, ref.get("manifest") or {}, key, ref.get("uri")))
    consumers = store.index.consumers([entry["uri"] for entry in artifacts])
    involved = [run for run in producers.values()] + [
        run for runs in consumers.values() for run in runs
    ]
    names = _names(store, [run_id for _, run_id in involved])
    for entry in inputs:
        producer = producers.get(entry["exact"])
        entry["producer"] = _run_link(producer, names) if producer else None
    for entry in artifacts:
        entry["consumers"] = [_run_link(run, names) for run in consumers.get(entry["uri"], [])]
    children = store.index.runs(RunQuery(parent=run_id, limit=1)).total
    graph = lineage_graph(store.index, run=(project, run_id))
    return {
        "run": {name: value for name, value in record.items() if name != "artifacts"},
        "inputs": inputs,
        "artifacts": artifacts,
        "children": children,
        "lineage": graph.to_dict(),
    }


def _run_link(run: tuple[str, str], names: Mapping[str, str | None]) -> dict[str, Any]:
    return {"project": run[0], "id": run[1], "name": names.get(run[1])}


def _artifact_summary(
    store: Store, manifest: dict[str, Any], key: str, uri: str | None
) -> dict[str, Any]:
    return {
        "key": key,
        "uri": uri,
        "artifact_type": manifest.get("artifact_type"),
        "format": manifest.get("format"),
        "size": manifest.get("size"),
        "packager": manifest.get("packager"),
        "downloadable": bool(manifest.get("digest")),
        "preview": load_preview(store, uri) if uri else None,
    }


def compare_page(store: Store, ids: Sequence[str], *, show_all: bool) -> dict[str, Any]:
    """2 to 10 runs side by side: only the params and results that differ, unless ``show_all``."""
    unique = list(dict.fromkeys(ids))
    if not 2 <= len(unique) <= MAX_COMPARE:
        raise UiError(
            f"compare takes 2 to {MAX_COMPARE} different runs (got {len(unique)}): "
            "/compare?runs=ID1,ID2"
        )
    records = [_record(store, run_id) for run_id in unique]
    sections: dict[str, Any] = {}
    for section in ("params", "results", "inputs"):
        rows = _compare_rows(records, section)
        sections[section] = [row for row in rows if show_all or row["differs"]]
        sections[f"{section}_hidden"] = len(rows) - len(sections[section])
    keys: dict[str, None] = {}
    for record in records:
        keys.update(dict.fromkeys(record.get("artifacts") or {}))
    artifacts = []
    for key in keys:
        cells = []
        for record in records:
            ref = (record.get("artifacts") or {}).get(key)
            cells.append(
                _artifact_summary(store, ref.get("manifest") or {}, key, ref.get("uri"))
                if ref
                else None
            )
        artifacts.append({"key": key, "runs": cells})
    return {
        "runs": [_summary(record, {}) for record in records],
        "show_all": show_all,
        **sections,
        "artifacts": artifacts,
    }


def _compare_rows(records: list[dict[str, Any]], section: str) -> list[dict[str, Any]]:
    names: dict[str, None] = {}
    for record in records:
        names.update(dict.fromkeys(record.get(section) or {}))
    rows = []
    for name in names:
        values = []
        for record in records:
            value = (record.get(section) or {}).get(name, _MISSING)
            if section == "inputs" and isinstance(value, dict):
                value = value.get("resolved") or value.get("uri")
            values.append(value)
        shown = {json.dumps(v, sort_keys=True, default=str) for v in values if v is not _MISSING}
        differs = len(shown) > 1 or (_MISSING in values and len(shown) > 0)
        rows.append(
            {
                "name": name,
                "values": [None if v is _MISSING else v for v in values],
                "missing": [v is _MISSING for v in values],
                "differs": differs,
            }
        )
    return rows


class _Missing:
    def __repr__(self) -> str:
        return "<missing>"


_MISSING: Any = _Missing()


def artifacts_page(store: Store, query: Mapping[str, str]) -> dict[str, Any]:
    """The newest version of every key, by project and key, newest first, with version counts."""
    per_page = _integer(query, "per_page", PER_PAGE, 1, MAX_PER_PAGE)
    page = _integer(query, "page", 1, 1, 10**9)
    project = query.get("project") or None
    key = query.get("key") or None
    rows, total = store.index.artifacts(project, key, limit=per_page, offset=(page - 1) * per_page)
    tags = store.index.tags_of([(row["project"], row["key"]) for row in rows])
    for row in rows:
        row["tags"] = tags.get((row["project"], row["key"]), [])
    return {
        "filters": {"project": project or "", "key": key or ""},
        "page": page,
        "per_page": per_page,
        "pages": max(1, math.ceil(total / per_page)),
        "total": total,
        "artifacts": rows,
        "choices": {"project": store.index.projects()},
    }


def _manifest(store: Store, uri: str) -> Manifest:
    parse_uri(uri)  # a malformed URI is the asker's mistake (400), not a missing version (404)
    try:
        return store.manifest(uri)
    except StoreError as error:
        raise NotFoundError(str(error)) from None


def artifact_page(store: Store, uri: str) -> dict[str, Any]:
    """One version: manifest, preview, producing and consuming runs, the key's other versions."""
    manifest = _manifest(store, uri)
    exact = manifest["uri"]
    consumers = store.index.consumers([exact]).get(exact, [])
    producer = manifest.get("run_id")
    names = _names(store, [run_id for _, run_id in consumers] + ([producer] if producer else []))
    versions, total = store.index.versions(manifest["project"], manifest["key"], limit=PER_PAGE)
    return {
        "uri": exact,
        "manifest": manifest,
        "preview": load_preview(store, exact),
        "downloadable": bool(manifest.get("digest")),
        "producer": {"id": producer, "name": names.get(producer)} if producer else None,
        "consumers": [_run_link(run, names) for run in consumers],
        "versions": versions,
        "versions_total": total,
    }


def lineage_page(store: Store, *, uri: str | None, run_id: str | None) -> dict[str, Any]:
    """The graph around an artifact version or a run (exactly one of ``uri`` and ``run_id``)."""
    if (uri is None) == (run_id is None):
        raise UiError("lineage takes ?uri=store://PROJECT/KEY@VERSION or ?run=RUN_ID")
    if run_id is not None:
        record = _record(store, run_id)
        graph = lineage_graph(store.index, run=(record["project"], run_id))
        title = f"run {record.get('name')} {run_id}"
    else:
        assert uri is not None
        exact = _manifest(store, uri)["uri"]
        graph = lineage_graph(store.index, uri=exact)
        title = exact
    return {"title": title, "lineage": graph.to_dict()}
