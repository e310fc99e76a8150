"""``packagers ui``: a read-only browser view of a store's runs, artifacts, previews and lineage.

Needs the ``ui`` extra (``pip install 'packagers[ui]'``: Starlette, uvicorn, Jinja2); nothing here
imports them until an app is made, and ``import packagers`` never imports this package.
"""

from __future__ import annotations

from packagers.ui.app import create_app
from packagers.ui.errors import FilterError, NotFoundError, UiError
from packagers.ui.expression import parse_filter
from packagers.ui.server import serve

__all__ = ["FilterError", "NotFoundError", "UiError", "create_app", "parse_filter", "serve"]
