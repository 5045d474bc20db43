"""Every route of the authorization server, for ``create_app`` to mount, and its lifespan hook."""

from __future__ import annotations

from fastapi import APIRouter

from . import authorize, consent, introspection, metadata, registration, revocation, tokens
from .sweeper import sweeper

router = APIRouter()
for _part in (metadata, registration, authorize, consent, tokens, revocation, introspection):
    router.include_router(_part.router)

__all__ = ["router", "sweeper"]
