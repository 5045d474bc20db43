"""The site: landing page, sign-in (local and OpenID Connect) and the dashboard; server-rendered Jinja2.

``install_site(app)`` mounts every site router, the static files, the CSRF cookie middleware and the
expired-session sweeper (a lifespan hook).
Templates extend ``templates/base.html`` (blocks ``title``, ``content``, ``scripts``; context ``user``,
``csrf``, ``notice``, ``error``), which other parts (the MCP consent page) may extend too.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from ..accounts.csrf import CsrfCookieMiddleware
from ..accounts.session_sweeper import session_sweeper


def install_site(app: FastAPI) -> None:
    from . import auth, pages, sso
    from .dashboard import routers as dashboard_routers

    settings = app.state.runtime.settings
    for router in (pages.router, auth.router, sso.router, *dashboard_routers):
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=str(Path(__file__).parent / "static")), name="static")
    app.add_middleware(CsrfCookieMiddleware, secure=settings.is_https)
    app.state.lifespan_hooks.append(session_sweeper)  # expired sessions and OIDC login states, hourly
