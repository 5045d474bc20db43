"""The dashboard: memories, documents, spaces, connected apps, API keys and the account; every page needs a site
login."""

from __future__ import annotations

from fastapi import APIRouter

from . import account, apps, documents, keys, memories, password, sharing, spaces

routers: list[APIRouter] = [memories.router, documents.router, spaces.router, sharing.router, apps.router,
                             keys.router, account.router, password.router]
