"""What every response carries and every request is held to, as plain ASGI middleware (no
per-request task or copy beyond what a capped body needs): security headers, and the
request body cap enforced while the body is read, before anything parses it.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

#: The largest request body accepted, in bytes (a scenario is a few kilobytes).
MAX_BODY = 256 * 1024

#: The page's policy: its own scripts and styles only (no inline script), images also from
#: data: and blob: URLs (a chart exported as PNG), no framing, no plugins, forms to itself.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
#: /docs (Swagger UI, served from the package) sets inline styles on its elements.
CSP_DOCS = CSP.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")

HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
]


def secure_headers(path: str) -> dict[str, str]:
    """The security headers of a response to ``path``, as a dict (for a response made
    outside :class:`Guard`, such as the 500 answer of Starlette's outermost middleware).

    Parameters
    ----------
    path : str
        The request's path.

    Returns
    -------
    dict of str to str
    """
    csp = CSP_DOCS if path == "/docs" else CSP
    return {"content-security-policy": csp, **{k.decode(): v.decode() for k, v in HEADERS}}


def too_large_body(limit: int) -> bytes:
    """The 413 response's JSON body.

    Parameters
    ----------
    limit : int
        The cap, in bytes.

    Returns
    -------
    bytes
    """
    message = f"the request body is over {limit} bytes ({limit // 1024} KiB), the most accepted"
    return json.dumps({"errors": [message]}).encode()


class Guard:
    """Security headers on every response; request bodies over ``limit`` bytes refused
    with 413 before the app sees them (a Content-Length over it at once, a chunked body as
    soon as its bytes pass it).

    Parameters
    ----------
    app : ASGI app
        The app to guard.
    limit : int
        The body cap, in bytes.
    """

    def __init__(self, app: ASGIApp, limit: int = MAX_BODY) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve one ASGI connection scope (HTTP: guarded; others passed through)."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        csp = (CSP_DOCS if path == "/docs" else CSP).encode()

        async def send_secure(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [
                    (k, v)
                    for k, v in message.get("headers", [])
                    if k.lower() != b"content-security-policy"
                ]
                headers += [(b"content-security-policy", csp), *HEADERS]
                message["headers"] = headers
            await send(message)

        if scope.get("method") in ("POST", "PUT", "PATCH"):
            body = await self._read(scope, receive)
            if body is None:
                await self._refuse(send_secure)
                return
            sent = False

            async def replay() -> Message:
                nonlocal sent
                if not sent:
                    sent = True
                    return {"type": "http.request", "body": body, "more_body": False}
                return await receive()  # after the body: a disconnect, when it comes

            await self.app(scope, replay, send_secure)
            return
        await self.app(scope, receive, send_secure)

    async def _read(self, scope: Scope, receive: Receive) -> bytes | None:
        for key, value in scope.get("headers", []):
            if key.lower() == b"content-length":
                try:
                    if int(value) > self.limit:
                        return None
                except ValueError:
                    return None
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.limit:
                return None
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        return b"".join(chunks)

    async def _refuse(self, send: Send) -> None:
        body = too_large_body(self.limit)
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
