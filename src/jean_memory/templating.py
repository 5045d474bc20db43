"""The site's Jinja2 templates (``web/templates``), one environment for every HTML page: the site's and the
authorization server's (consent, its error page). Context every page gets: ``user`` (may be None), ``csrf`` and
``settings``."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from fastapi import Request, Response
from fastapi.templating import Jinja2Templates

from .accounts.csrf import csrf_token

templates = Jinja2Templates(directory=str(Path(__file__).parent / "web" / "templates"))


def _datetime(value: float | None) -> str:
    return time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(value)) if value else "never"


def _last_day(value: float | None) -> str:
    """The last day (UTC) something lasting until ``value`` covers: an expiry typed as 2026-12-31 ends at the next
    midnight and is shown as 2026-12-31, as typed."""
    return time.strftime("%Y-%m-%d", time.gmtime(value - 1)) if value else "never"


templates.env.filters["datetime"] = _datetime
templates.env.filters["last_day"] = _last_day


def render(request: Request, name: str, status_code: int = 200, headers: dict[str, str] | None = None,
           **context: Any) -> Response:
    base = {"user": getattr(request.state, "jm_site_user", None), "csrf": csrf_token(request),
            "settings": request.app.state.runtime.settings}
    return templates.TemplateResponse(request, name, base | context, status_code=status_code, headers=headers)
