"""Who may use the inspector: an access token off localhost, and a CSRF token on every write.

Invariants:

- With a token (``serve`` makes one whenever it binds to a host other than
  localhost), every request carries it: once as ``?token=...`` — the response
  then sets it as an HttpOnly, SameSite=Strict cookie — and afterwards as that
  cookie. Anything else is answered 401 before any route runs.
- Without a token (bound to localhost), a request must name a local host in
  its ``Host`` header: a page of another site whose name was rebound to
  127.0.0.1 (DNS rebinding) gets 403, so it can neither read a page nor
  lift the CSRF secret from one.
- Every POST carries the process's CSRF secret in its ``csrf`` form field;
  without it, or with another value, the answer is 403 and nothing is written.
  The secret is made per process, so a page from an older run cannot post.
"""

from __future__ import annotations

import hmac
from collections.abc import Collection
from urllib.parse import parse_qs

from starlette.requests import Request, cookie_parser
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["COOKIE", "LocalHostGate", "TokenGate", "csrf_ok"]

COOKIE = "cairn_inspector_token"


def _same(given: str | None, expected: str) -> bool:
    return given is not None and hmac.compare_digest(given.encode(), expected.encode())


class TokenGate:
    """ASGI middleware: 401 unless the request carries ``token`` (query once, then cookie).

    Example::

        app = TokenGate(app, token=secrets.token_urlsafe(24))
    """

    def __init__(self, app: ASGIApp, *, token: str) -> None:
        self.app = app
        self.token = token

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        from_query = _same((query.get("token") or [None])[0], self.token)
        cookies: dict[str, str] = {}
        for name, value in scope.get("headers", []):
            if name == b"cookie":
                cookies.update(cookie_parser(value.decode("latin-1")))
        if not from_query and not _same(cookies.get(COOKIE), self.token):
            response = PlainTextResponse(
                "401: this inspector needs its access token. Open the URL `cairn ui` printed "
                "when it started (it ends with ?token=...).",
                status_code=401,
            )
            await response(scope, receive, send)
            return
        if not from_query:
            await self.app(scope, receive, send)
            return

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                cookie = f"{COOKIE}={self.token}; Path=/; HttpOnly; SameSite=Strict"
                message["headers"] = [*message.get("headers", []), (b"set-cookie", cookie.encode())]
            await send(message)

        await self.app(scope, receive, send_with_cookie)


def _host_name(header: str) -> str:
    """``"[::1]:8765"`` → ``"::1"``, ``"localhost:8765"`` → ``"localhost"``."""
    if header.startswith("["):
        return header[1:].split("]", 1)[0]
    return header.rsplit(":", 1)[0] if header.count(":") == 1 else header


class LocalHostGate:
    """ASGI middleware: 403 unless the ``Host`` header names one of ``hosts``.

    Example::

        app = LocalHostGate(app, hosts={"127.0.0.1", "localhost", "::1"})
    """

    def __init__(self, app: ASGIApp, *, hosts: Collection[str]) -> None:
        self.app = app
        self.hosts = frozenset(hosts)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            header = dict(scope.get("headers", [])).get(b"host", b"").decode("latin-1")
            if _host_name(header.lower()) not in self.hosts:
                response = PlainTextResponse(
                    f"403: this inspector serves only this machine, not host {header!r}; "
                    "open it as http://127.0.0.1:<port>/ (to share it, run it with --host "
                    "and the token it prints).",
                    status_code=403,
                )
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


async def csrf_ok(request: Request, secret: str) -> bool:
    """True when the POSTed form's ``csrf`` field is this process's secret."""
    form = await request.form()
    value = form.get("csrf")
    return isinstance(value, str) and _same(value, secret)
