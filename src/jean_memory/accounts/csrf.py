"""CSRF protection for every site form: a token bound to the site session, or before login to ``jm_csrf``.

The token is ``sha256("csrf|" + binding)`` where the binding is the ``jm_session`` cookie value (signed in)
or the random pre-session cookie ``jm_csrf`` (so the login form itself is protected against login CSRF).
Both cookies are HttpOnly, so a cross-site page can neither read nor compute the token. Compared in
constant time. ``CsrfCookieMiddleware`` sets ``jm_csrf`` on the response when a page minted one.
"""

from __future__ import annotations

from fastapi import Request
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..errors import Forbidden
from ..security import hash_token, new_token, same
from .sessions import session_cookie

CSRF_COOKIE = "jm_csrf"
FIELD = "csrf_token"
_NEW = "jm_csrf_new"


def _binding(request: Request, mint: bool) -> str | None:
    session = session_cookie(request)
    if session:
        return f"s:{session}"
    pre = getattr(request.state, _NEW, None) or request.cookies.get(CSRF_COOKIE)
    if not pre or len(pre) > 128:
        if not mint:
            return None
        pre = new_token()
        setattr(request.state, _NEW, pre)
    return f"p:{pre}"


def csrf_token(request: Request) -> str:
    """The token to put in a form's hidden ``csrf_token`` field for this browser."""
    binding = _binding(request, mint=True)
    assert binding is not None
    return hash_token(f"csrf|{binding}")


async def check_csrf(request: Request, token: str | None) -> None:
    """Raise ``Forbidden`` unless ``token`` is this browser's CSRF token."""
    binding = _binding(request, mint=False)
    if not token or binding is None or len(token) > 128 or not same(token, hash_token(f"csrf|{binding}")):
        raise Forbidden("This form has expired or did not come from this site. Go back, reload the page and try again.")


class CsrfCookieMiddleware:
    """Adds ``Set-Cookie: jm_csrf=...`` to a response whose handler minted a pre-session CSRF binding."""

    def __init__(self, app: ASGIApp, secure: bool) -> None:
        self.app = app
        self.secure = secure

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        scope.setdefault("state", {})

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                value = scope["state"].get(_NEW)
                if value:
                    headers = MutableHeaders(scope=message)
                    cookie = f"{CSRF_COOKIE}={value}; Path=/; HttpOnly; SameSite=Lax"
                    headers.append("set-cookie", cookie + ("; Secure" if self.secure else ""))
            await send(message)

        await self.app(scope, receive, sending)
