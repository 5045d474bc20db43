"""HTML pages of the authorization server: the consent form and the error page shown instead of a redirect
(RFC 6749 §4.1.2.1: never redirect to an unverified client or redirect URI). Templates extend the site's."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request, Response
from fastapi.templating import Jinja2Templates

from ..accounts.csrf import csrf_token

_templates = Jinja2Templates(directory=str(Path(__file__).parent.parent / "web" / "templates"))
_HEADERS = {"Cache-Control": "no-store", "X-Frame-Options": "DENY", "Content-Security-Policy": "frame-ancestors 'none'"}


def render(request: Request, name: str, status_code: int = 200, **context: Any) -> Response:
    base = {"user": getattr(request.state, "jm_site_user", None), "csrf": csrf_token(request),
            "settings": request.app.state.runtime.settings}
    return _templates.TemplateResponse(request, name, base | context, status_code=status_code, headers=_HEADERS)


def oauth_error_page(request: Request, message: str, status: int = 400) -> Response:
    return render(request, "error.html", status_code=status, title="This connection cannot continue",
                  message=message, status=status)
