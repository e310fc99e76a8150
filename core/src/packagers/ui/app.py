"""The web application: each page at its path and its JSON twin under ``/api/``, all read-only.

Every page is a GET whose whole state is in the URL, rendered on the server, and works with
scripts disabled (the policy forbids inline scripts anyway). Files leave the server only by store
URI, through the store's own checks: no route takes a file path.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from packagers.store.errors import StoreError
from packagers.ui import pages
from packagers.ui.errors import NotFoundError, UiError
from packagers.ui.previews import preview_png
from packagers.ui.rendering import render
from packagers.ui.security import LOCAL_HOSTS, SecurityMiddleware

if TYPE_CHECKING:
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import Response

    from packagers.store import Store

__all__ = ["create_app"]

_STATIC = Path(__file__).resolve().parent / "static"
Page = Callable[["Store", "Request"], dict[str, Any]]


def _runs(store: Store, request: Request) -> dict[str, Any]:
    return pages.runs_page(store, request.query_params)


def _run(store: Store, request: Request) -> dict[str, Any]:
    return pages.run_page(store, request.path_params["run_id"])


def _compare(store: Store, request: Request) -> dict[str, Any]:
    ids = [
        run_id.strip()
        for value in request.query_params.getlist("runs")
        for run_id in value.split(",")
        if run_id.strip()
    ]
    return pages.compare_page(store, ids, show_all=request.query_params.get("all") == "1")


def _artifacts(store: Store, request: Request) -> dict[str, Any]:
    return pages.artifacts_page(store, request.query_params)


def _artifact(store: Store, request: Request) -> dict[str, Any]:
    return pages.artifact_page(store, _required(request, "uri"))


def _lineage(store: Store, request: Request) -> dict[str, Any]:
    query = request.query_params
    return pages.lineage_page(store, uri=query.get("uri"), run_id=query.get("run"))


def _required(request: Request, name: str) -> str:
    value = request.query_params.get(name)
    if not value:
        raise UiError(f"this page needs ?{name}=...")
    return value


#: path, template, page data
_PAGES: list[tuple[str, str, Page]] = [
    ("/runs", "runs.html", _runs),
    ("/runs/{run_id}", "run.html", _run),
    ("/compare", "compare.html", _compare),
    ("/artifacts", "artifacts.html", _artifacts),
    ("/artifact", "artifact.html", _artifact),
    ("/lineage", "lineage.html", _lineage),
]


def _status(error: Exception) -> int:
    if isinstance(error, NotFoundError):
        return 404
    return 400


def _html_page(store: Store, template: str, page: Page) -> Callable[[Request], Response]:
    from starlette.responses import HTMLResponse

    def endpoint(request: Request) -> Response:
        context = {
            "store_url": store.url,
            "path": request.url.path,
            "query": dict(request.query_params),
        }
        try:
            data = page(store, request)
        except (UiError, StoreError) as error:
            body = render("error.html", error=str(error), status=_status(error), **context)
            return HTMLResponse(body, status_code=_status(error))
        return HTMLResponse(render(template, data=data, **context))

    return endpoint


def _api_page(store: Store, page: Page) -> Callable[[Request], Response]:
    from starlette.responses import JSONResponse

    def endpoint(request: Request) -> Response:
        try:
            return JSONResponse(page(store, request))
        except (UiError, StoreError) as error:
            return JSONResponse({"error": str(error)}, status_code=_status(error))

    return endpoint


def _download(store: Store) -> Callable[[Request], Response]:
    from starlette.background import BackgroundTask
    from starlette.responses import FileResponse, PlainTextResponse

    def endpoint(request: Request) -> Response:
        uri = request.query_params.get("uri") or ""
        try:
            manifest = store.manifest(uri)
            if not manifest.get("digest"):
                raise NotFoundError(f"{manifest['uri']} has no data file: its manifest is all")
            item = store.resolve(manifest["uri"])
            path = item.local()  # checks the digest: corrupt data is never served
        except (UiError, StoreError) as error:
            return PlainTextResponse(str(error), status_code=_status(error))
        suffix = f".{manifest['format']}" if manifest.get("format") else ""
        return FileResponse(
            path,
            media_type="application/octet-stream",
            filename=f"{manifest['key']}-{manifest['version']}{suffix}",
            background=BackgroundTask(item.clear),
        )

    return endpoint


def _thumbnail(store: Store) -> Callable[[Request], Response]:
    from starlette.responses import PlainTextResponse, Response

    def endpoint(request: Request) -> Response:
        try:
            data = preview_png(store, request.query_params.get("uri") or "")
        except StoreError as error:
            return PlainTextResponse(str(error), status_code=404)
        if data is None:
            return PlainTextResponse("no image preview for this artifact", status_code=404)
        return Response(data, media_type="image/png", headers={"cache-control": "max-age=3600"})

    return endpoint


def create_app(store: Store, *, allowed_hosts: Iterable[str] = ()) -> Starlette:
    """The ASGI app over ``store``; it answers only to local names and ``allowed_hosts``."""
    from starlette.applications import Starlette
    from starlette.middleware import Middleware
    from starlette.responses import RedirectResponse
    from starlette.routing import Mount, Route
    from starlette.staticfiles import StaticFiles

    routes: list[Any] = [Route("/", lambda request: RedirectResponse("/runs"))]
    for path, template, page in _PAGES:
        routes.append(Route(path, _html_page(store, template, page)))
        routes.append(Route(f"/api{path}", _api_page(store, page)))
    routes += [
        Route("/download", _download(store)),
        Route("/preview.png", _thumbnail(store)),
        Mount("/static", StaticFiles(directory=_STATIC), name="static"),
    ]
    hosts = [*LOCAL_HOSTS, *allowed_hosts]
    return Starlette(
        routes=routes, middleware=[Middleware(SecurityMiddleware, allowed_hosts=hosts)]
    )
