"""What every response of the UI gets and every request must pass, whatever route it reaches.

The UI serves a store's contents, so a page from elsewhere must not be able to read them: a
Host header outside the allowlist is refused (DNS rebinding: a hostile name resolving to
127.0.0.1), only GET and HEAD are answered (nothing changes the store), and every response
carries a Content-Security-Policy that allows this origin only and no inline script or style.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["LOCAL_HOSTS", "SECURITY_HEADERS", "SecurityMiddleware", "host_name"]

#: The names a browser on this machine uses for a server bound to the loopback interface.
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "[::1]"})
SECURITY_HEADERS = {
    "content-security-policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
        "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    ),
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
    "cross-origin-resource-policy": "same-origin",
}
_READ_ONLY = frozenset({"GET", "HEAD"})


def host_name(host: str) -> str:
    """The name part of a Host header (``[::1]:8000`` -> ``[::1]``, ``a.b:80`` -> ``a.b``)."""
    host = host.strip().lower()
    if host.startswith("["):
        return host[: host.find("]") + 1] if "]" in host else host
    return host.partition(":")[0]


class SecurityMiddleware:
    """Refuses foreign hosts and writing methods; adds the security headers to every response."""

    def __init__(self, app: ASGIApp, allowed_hosts: Iterable[str]) -> None:
        self.app = app
        self.allowed = frozenset(host_name(host) for host in allowed_hosts)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        from starlette.responses import PlainTextResponse

        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        host = host_name(headers.get(b"host", b"").decode("latin-1"))

        async def secured(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                message["headers"] = [
                    *message["headers"],
                    *((name.encode(), value.encode()) for name, value in SECURITY_HEADERS.items()),
                ]
            await send(message)

        if host not in self.allowed:
            refusal = PlainTextResponse(
                f"refused: the Host header {host!r} is not one this server answers to; "
                "start `packagers ui` with --allow-host NAME to add it",
                status_code=400,
            )
            await refusal(scope, receive, secured)
            return
        if scope["method"] not in _READ_ONLY:
            refusal = PlainTextResponse(
                "this UI is read-only: only GET and HEAD are answered",
                status_code=405,
                headers={"allow": "GET, HEAD"},
            )
            await refusal(scope, receive, secured)
            return
        await self.app(scope, receive, secured)
