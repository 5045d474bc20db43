"""Browser security headers on every response, set in one place so no page can forget them.

Every response: ``X-Content-Type-Options: nosniff`` and ``Referrer-Policy: same-origin`` (our URLs, such as
``/authorize?...&state=...`` or ``/login?next=...``, never reach another site in a ``Referer``; the OAuth
redirect to a client carries the code in *its* URL, and our policy keeps our page's URL out of it).

Every HTML page (the site, the dashboard, the consent page, ``/api/docs``, error pages) also gets:

- ``Content-Security-Policy``: only this origin's scripts, styles, images and fonts (``data:`` images for the
  Swagger UI stylesheet), no inline script or style, no plugins, no ``<base>``, and ``frame-ancestors 'none'``.
  No ``form-action``: the consent form and the OpenID sign-in buttons end in redirects to other origins (the
  OAuth client, the identity provider), which Chromium checks against ``form-action``.
- ``X-Frame-Options: DENY`` (older browsers; clickjacking on the dashboard and the consent form).
- ``Cache-Control: no-store`` unless the handler set its own: pages carry a per-browser CSRF token and, signed
  in, the person's data; neither belongs in any cache.
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
       "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'")
EVERY_RESPONSE = {"x-content-type-options": "nosniff", "referrer-policy": "same-origin"}
HTML_PAGES = {"content-security-policy": CSP, "x-frame-options": "DENY", "cache-control": "no-store"}


class SecurityHeaders:
    """ASGI middleware: adds the headers above where the handler did not set them."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                extra = EVERY_RESPONSE
                if headers.get("content-type", "").startswith("text/html"):
                    extra = EVERY_RESPONSE | HTML_PAGES
                for name, value in extra.items():
                    if name not in headers:
                        headers[name] = value
            await send(message)

        await self.app(scope, receive, sending)
