"""Discovery: authorization server metadata (RFC 8414 §2-3) and protected resource metadata (RFC 9728 §2-3).

The documents are built with the SDK's pydantic models (``OAuthMetadata``, ``ProtectedResourceMetadata``) but
served by our routes: the SDK's ``build_metadata`` omits ``none`` from the token endpoint auth methods (Claude
then skips client ID metadata documents), and does not advertise ``client_id_metadata_document_supported`` or
``authorization_response_iss_parameter_supported``. ``AnyHttpUrl`` would add a trailing slash to a bare origin,
so ``issuer`` is written back exactly as configured. No OpenID Provider here: ``/.well-known/openid-configuration``
is 404.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from mcp.shared.auth import OAuthMetadata, ProtectedResourceMetadata

from ..deps import RuntimeDep
from ..settings import Settings
from . import introspection, scopes

router = APIRouter(tags=["oauth"])
AUTH_METHODS = ["none", "client_secret_post", "client_secret_basic"]
_CACHE = {"Cache-Control": "public, max-age=3600"}


def authorization_server_metadata(settings: Settings) -> dict[str, Any]:
    base = settings.issuer
    model = OAuthMetadata.model_validate({
        "issuer": base,
        "authorization_endpoint": f"{base}/authorize",
        "token_endpoint": f"{base}/token",
        "registration_endpoint": f"{base}/register",
        "revocation_endpoint": f"{base}/revoke",
        "scopes_supported": list(scopes.SUPPORTED),
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": ["authorization_code", "refresh_token"],
        "token_endpoint_auth_methods_supported": AUTH_METHODS,
        "revocation_endpoint_auth_methods_supported": AUTH_METHODS,
        "introspection_endpoint": f"{base}/introspect",
        "introspection_endpoint_auth_methods_supported": introspection.AUTH_METHODS,
        "code_challenge_methods_supported": ["S256"],
        "client_id_metadata_document_supported": True,
        "authorization_response_iss_parameter_supported": True,
    })
    doc = model.model_dump(mode="json", exclude_none=True)
    doc["issuer"] = base
    return doc


def protected_resource_metadata(settings: Settings) -> dict[str, Any]:
    model = ProtectedResourceMetadata.model_validate({
        "resource": settings.mcp_resource,
        "authorization_servers": [settings.issuer],
        "scopes_supported": list(scopes.SUPPORTED),
        "bearer_methods_supported": ["header"],
        "resource_name": "Jean Memory",
    })
    doc = model.model_dump(mode="json", exclude_none=True)
    doc["resource"] = settings.mcp_resource
    doc["authorization_servers"] = [settings.issuer]
    return doc


@router.get("/.well-known/oauth-authorization-server", operation_id="getAuthorizationServerMetadata",
            summary="Authorization server metadata (RFC 8414)")
async def as_metadata(runtime: RuntimeDep) -> JSONResponse:
    """Where to register, authorize, get and revoke tokens, and what this server supports."""
    return JSONResponse(authorization_server_metadata(runtime.settings), headers=_CACHE)


@router.get("/.well-known/oauth-protected-resource", operation_id="getProtectedResourceMetadata",
            summary="Protected resource metadata (RFC 9728)")
@router.get("/.well-known/oauth-protected-resource/mcp", operation_id="getMcpProtectedResourceMetadata",
            summary="Protected resource metadata of /mcp (RFC 9728)")
async def pr_metadata(runtime: RuntimeDep) -> JSONResponse:
    """The MCP endpoint's resource URL, its authorization server and scopes."""
    return JSONResponse(protected_resource_metadata(runtime.settings), headers=_CACHE)
