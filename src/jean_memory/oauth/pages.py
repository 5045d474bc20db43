"""HTML pages of the authorization server: the consent form and the error page shown instead of a redirect
(RFC 6749 §4.1.2.1: never redirect to an unverified client or redirect URI). Templates extend the site's."""

from __future__ import annotations

from typing import Any

from fastapi import Request, Response

from .. import templating
from ..security_headers import HTML_PAGES


def render(request: Request, name: str, status_code: int = 200, **context: Any) -> Response:
    """A page of the authorization flow: never cached, never framed (clickjacking on the consent form); the
    same headers ``SecurityHeaders`` gives every HTML page, set here too so this page never depends on it."""
    return templating.render(request, name, status_code, dict(HTML_PAGES), **context)


def oauth_error_page(request: Request, message: str, status: int = 400) -> Response:
    return render(request, "error.html", status_code=status, title="This connection cannot continue",
                  message=message, status=status)
