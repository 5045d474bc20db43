"""Client authentication at the token and revocation endpoints (RFC 6749 §2.3.1, OAuth 2.1 §2.4).

Replaces the SDK's ``ClientAuthenticator``: with HTTP Basic it still wants ``client_id`` in the body, and at
``/revoke`` it demands a secret from public clients. Here public clients send only ``client_id``; Basic
credentials (form-urlencoded, then base64) need nothing in the body; ``client_secret_post`` is accepted too.
Secrets are compared by their SHA-256, in constant time.
"""

from __future__ import annotations

import base64
import binascii
from urllib.parse import unquote_plus

from starlette.datastructures import FormData, Headers
from starlette.requests import Request

from ..runtime import Runtime
from ..security import hash_token, same
from ..store.oauth import OAuthClient
from .client_documents import find_client
from .errors import InvalidClient, InvalidRequest
from .ratelimit import limit


def _basic(headers: Headers) -> tuple[str, str] | None:
    scheme, _, value = headers.get("authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError) as exc:
        raise InvalidClient("malformed Basic credentials") from exc
    client_id, sep, secret = decoded.partition(":")
    if not sep:
        raise InvalidClient("malformed Basic credentials")
    return unquote_plus(client_id), unquote_plus(secret)


def _form_str(form: FormData, name: str) -> str | None:
    value = form.get(name)
    return value if isinstance(value, str) and value else None


async def authenticate(runtime: Runtime, form: FormData, headers: Headers) -> OAuthClient:
    """The calling client, or ``InvalidClient`` (401): unknown, deleted, swept, or a wrong secret."""
    basic = _basic(headers)
    body_id, body_secret = _form_str(form, "client_id"), _form_str(form, "client_secret")
    if basic is not None:
        client_id, secret = basic
        if body_id is not None and body_id != client_id:
            raise InvalidRequest("client_id in the body differs from the Basic credentials")
        if body_secret is not None:
            raise InvalidRequest("use one client authentication method, not two")
    elif body_id is not None:
        client_id, secret = body_id, body_secret or ""
    else:
        raise InvalidClient("client authentication is required (client_id)")
    client = await find_client(runtime, client_id)
    if client is None:
        raise InvalidClient("unknown client; register again")
    if client.auth_method == "none":
        return client
    if not secret or client.secret_hash is None or not same(hash_token(secret), client.secret_hash):
        raise InvalidClient("wrong client credentials")
    return client


async def token_and_client(request: Request, runtime: Runtime) -> tuple[str, OAuthClient]:
    """The ``token`` parameter and the authenticated caller of /revoke and /introspect (RFC 7009 §2.1, RFC 7662
    §2.1), rate-limited with /token."""
    await limit(request, runtime, "token", runtime.settings.rate_limit_token)
    form = await request.form()
    token = form.get("token")
    if not isinstance(token, str) or not token:
        raise InvalidRequest("token is required")
    return token, await authenticate(runtime, form, request.headers)
