"""The page templates: Jinja2 with autoescaping on, so nothing a run logged can become markup."""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlencode

if TYPE_CHECKING:
    import jinja2

__all__ = ["environment", "render"]


@functools.cache
def environment() -> jinja2.Environment:
    import jinja2
    import markupsafe

    from packagers.cli._output import format_size
    from packagers.store.uri import is_store_uri
    from packagers.ui.lineage import render_svg

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("packagers.ui", "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        when=_when,
        seconds=_seconds,
        size=format_size,
        short=_short,
        pretty=lambda value: json.dumps(value, indent=2, sort_keys=True, default=str),
        cell=_cell,
        quote=lambda text: quote(str(text), safe=""),
    )
    env.tests["store_uri"] = is_store_uri
    env.globals.update(
        link=_link,
        lineage_svg=lambda graph: markupsafe.Markup(render_svg(graph)),
    )
    return env


def render(template: str, **context: Any) -> str:
    return environment().get_template(template).render(**context)


def _link(path: str, current: Mapping[str, Any], **changes: Any) -> str:
    """``path`` with the current query changed: a page's every state lives in its URL."""
    query = {
        name: value for name, value in {**current, **changes}.items() if value not in (None, "")
    }
    return f"{path}?{urlencode(query)}" if query else path


def _when(iso: str | None) -> str:
    return iso[:19].replace("T", " ") if iso else ""


def _seconds(duration: float | None) -> str:
    if duration is None:
        return ""
    return f"{duration * 1000:.0f} ms" if duration < 1 else f"{duration:.2f} s"


def _short(text: str | None, size: int = 15) -> str:
    text = text or ""
    return text if len(text) <= size else text[:size] + "…"


def _cell(value: Any) -> str:
    """A param's or result's value in a table cell: numbers compact, the rest as short JSON."""
    if isinstance(value, float):
        return f"{value:.6g}"
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    return text if len(text) <= 60 else text[:59] + "…"
