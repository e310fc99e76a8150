"""``packagers ui``: serve the app with uvicorn on a socket bound before the URL is printed."""

from __future__ import annotations

import socket
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from packagers.store import Store

__all__ = ["bind", "serve", "url_of"]


def bind(host: str, port: int) -> socket.socket:
    """A listening socket (port 0 picks a free one), so the printed URL is the one served."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    return socket.create_server((host, port), family=family, reuse_port=False)


def url_of(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    return f"http://{f'[{host}]' if ':' in host else host}:{port}/"


def serve(store: Store, host: str, port: int, allowed_hosts: list[str]) -> None:
    """Serve until interrupted; a non-loopback ``host`` is also an allowed Host header."""
    import uvicorn

    from packagers.ui.app import create_app

    sock = bind(host, port)
    extra = [*allowed_hosts, *([host] if host not in ("0.0.0.0", "::") else [])]
    app = create_app(store, allowed_hosts=extra)
    print(f"packagers ui: serving {store.url} at {url_of(sock)} (Ctrl+C stops)", flush=True)
    sys.stdout.flush()
    config = uvicorn.Config(app, log_level="warning", access_log=False)
    uvicorn.Server(config).run(sockets=[sock])
